import PropertyBased
import Testing
@testable import Mail

/// Whatever the session and however it is cut, the login the inspector
/// records for the connection log never holds the password, in clear or in
/// the base64 the client sent it in.
@Suite struct CredentialProperties {
    private func leaks(_ password: String, user: String, into login: LoginObservation) -> Bool {
        let recorded = String(describing: login)
        return recorded.contains(password) || recorded.contains(base64(password))
            || recorded.contains(saslPlain(user: user, password: password))
    }

    @Test func imapNeverRecordsThePassword() async {
        await propertyCheck(count: 200, input: SessionGen.steps, SessionGen.chunkSizes, SessionGen.user,
                            SessionGen.password) { steps, sizes, user, password in
            var inspector = IMAPLoginInspector(checksGreeting: true)
            let turns = IMAPSessionScript.turns(steps: steps, user: user, password: password, implicitTLS: true)
            _ = RelayedSession.run(&inspector, turns, cutInto: sizes)
            #expect(!leaks(password, user: user, into: inspector.login))
        }
    }

    @Test func pop3NeverRecordsThePassword() async {
        await propertyCheck(count: 200, input: SessionGen.steps, SessionGen.chunkSizes, SessionGen.user,
                            SessionGen.password) { steps, sizes, user, password in
            var inspector = POP3LoginInspector(afterStartTLS: false)
            let turns = POP3SessionScript.turns(steps: steps, user: user, password: password, implicitTLS: true)
            _ = RelayedSession.run(&inspector, turns, cutInto: sizes)
            #expect(!leaks(password, user: user, into: inspector.login))
        }
    }

    @Test func smtpNeverRecordsThePassword() async {
        await propertyCheck(count: 200, input: SessionGen.steps, SessionGen.chunkSizes, SessionGen.user,
                            SessionGen.password) { steps, sizes, user, password in
            let model = SMTPSessionModel(steps: steps, maxCommands: 32, user: user, password: password, implicitTLS: true)
            var inspector = SMTPRelayInspector(afterStartTLS: false)
            _ = RelayedSession.run(&inspector, model.turns, cutInto: sizes)
            #expect(!leaks(password, user: user, into: inspector.login))
        }
    }
}
