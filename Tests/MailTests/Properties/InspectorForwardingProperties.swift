import PropertyBased
import Testing
@testable import Mail

/// Generators shared by the inspector properties.
enum SessionGen {
    /// Steps of a session: each number picks a step kind and its variant.
    static let steps = Gen.int(in: 0...599).array(of: 1...12)
    /// Chunk sizes, used in turn: from single bytes to whole lines.
    static let chunkSizes = Gen.int(in: 1...80).array(of: 1...8)
    static let maxCommands = Gen.int(in: 1...10)
    static let user = Gen.letterOrNumber.string(of: 1...12).map { "u" + $0 }
    /// Never a substring of anything else in a session.
    static let password = Gen.letterOrNumber.string(of: 8...16).map { "Pw~" + $0 }
}

/// For any session cut into any chunks, what each side receives through the
/// inspector equals what the other side sent, except for the documented
/// rewrites (SMTP only: STARTTLS answered locally and removed from EHLO).
/// The last turns end mid-line and are released by the closes.
@Suite struct InspectorForwardingProperties {
    @Test(arguments: [false, true])
    func imapForwardsEveryByteAsSent(implicitTLS: Bool) async {
        await propertyCheck(count: 200, input: SessionGen.steps, SessionGen.chunkSizes, SessionGen.maxCommands,
                            SessionGen.user, SessionGen.password) { steps, sizes, maxCommands, user, password in
            let turns = IMAPSessionScript.turns(steps: steps, user: user, password: password, implicitTLS: implicitTLS)
                + [.client("z NOO"), .backend("* OK still the")]
            var inspector = IMAPLoginInspector(checksGreeting: implicitTLS, limits: InspectorLimits(
                maxLineLength: IMAPSessionScript.maxLineLength, maxCommands: maxCommands))
            let session = RelayedSession.run(&inspector, turns, cutInto: sizes)
            #expect(session.toBackend == turns.filter { $0.side == .client }.flatMap(\.bytes))
            #expect(session.toClient == turns.filter { $0.side == .backend }.flatMap(\.bytes))
        }
    }

    @Test(arguments: [false, true])
    func pop3ForwardsEveryByteAsSent(implicitTLS: Bool) async {
        await propertyCheck(count: 200, input: SessionGen.steps, SessionGen.chunkSizes, SessionGen.maxCommands,
                            SessionGen.user, SessionGen.password) { steps, sizes, maxCommands, user, password in
            let turns = POP3SessionScript.turns(steps: steps, user: user, password: password, implicitTLS: implicitTLS)
                + [.client("QUI"), .backend("+OK bye no")]
            var inspector = POP3LoginInspector(afterStartTLS: !implicitTLS, limits: InspectorLimits(
                maxLineLength: POP3SessionScript.maxLineLength, maxCommands: maxCommands))
            let session = RelayedSession.run(&inspector, turns, cutInto: sizes)
            #expect(session.toBackend == turns.filter { $0.side == .client }.flatMap(\.bytes))
            #expect(session.toClient == turns.filter { $0.side == .backend }.flatMap(\.bytes))
        }
    }

    @Test(arguments: [false, true])
    func smtpForwardsEveryByteExceptItsDocumentedRewrites(implicitTLS: Bool) async {
        await propertyCheck(count: 300, input: SessionGen.steps, SessionGen.chunkSizes, SessionGen.maxCommands,
                            SessionGen.user, SessionGen.password) { steps, sizes, maxCommands, user, password in
            var model = SMTPSessionModel(steps: steps, maxCommands: maxCommands, user: user, password: password,
                                         implicitTLS: implicitTLS)
            model.endWithPartialLines()
            var inspector = SMTPRelayInspector(afterStartTLS: !implicitTLS, limits: model.limits)
            let session = RelayedSession.run(&inspector, model.turns, cutInto: sizes)
            #expect(text(session.toBackend) == text(model.toBackend))
            #expect(text(session.toClient) == text(model.toClient))
        }
    }
}
