import PropertyBased
import Testing
@testable import Mail

/// The plaintext side of STARTTLS listeners, under any chunking.
@Suite struct GreetingAndPreambleProperties {
    private static let greetings: [(MailProtocol, String)] = [
        (.imap, "* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n"),
        (.pop3, "+OK Dovecot ready.\n"),
        (.smtp, "220-backend.example ESMTP\r\n220-more\n220 ready\r\n"),
    ]
    /// Whatever a backend may send right behind its greeting.
    private static let follower = Gen.value(in: UInt8(0)...UInt8(255)).array(of: 0...60)

    /// The greeting is swallowed and every byte after it reaches the client:
    /// in the call that completes it and in every later call.
    @Test(arguments: 0..<greetings.count)
    func theGreetingIsConsumedAndEveryLaterByteHandedOn(greeting index: Int) async {
        let (mailProtocol, greeting) = Self.greetings[index]
        await propertyCheck(count: 200, input: SessionGen.chunkSizes, Self.follower) { sizes, follower in
            var consumer = MailSessions.greetingConsumer(for: mailProtocol)
            var handedOn: [UInt8] = []
            var accepted = false
            for chunk in cut(wire(greeting) + follower, into: sizes) {
                switch consumer.receive(chunk) {
                case .needMore: #expect(!accepted)
                case .accepted(let leftover):
                    accepted = true
                    handedOn += leftover
                case .refused(let reason): Issue.record("refused: \(reason)")
                }
            }
            #expect(accepted)
            #expect(handedOn == follower)
        }
    }

    /// Lines a client may send before STARTTLS, good and bad.
    private static let commandLines: [MailProtocol: [String]] = [
        .imap: ["a CAPABILITY", "b NOOP", "c LOGIN u p", "d FOO", "", "e CAPABILITY x", "+bad tag"],
        .pop3: ["CAPA", "USER u", "PASS p", "NOOP", "", "CAPA x", "AUTH PLAIN"],
        .smtp: ["EHLO client.example", "HELO x", "NOOP", "MAIL FROM:<a@b>", "", "EHLO", "VRFY x"],
    ]
    private static let startTLS: [MailProtocol: String] = [.imap: "s STARTTLS\r\n", .pop3: "STLS\r\n", .smtp: "STARTTLS\r\n"]

    /// tlsfloord answers each line the same however the bytes are cut, and
    /// nothing the client pipelines after STARTTLS is ever answered
    /// (CVE-2011-0411): the actions equal those for the same lines up to
    /// STARTTLS, given at once. Over-long lines are among them.
    @Test(arguments: MailProtocol.allCases)
    func answersDoNotDependOnChunkingAndNothingAfterStartTLSIsAnswered(_ mailProtocol: MailProtocol) async {
        let vocabulary = Self.commandLines[mailProtocol]! + [String(repeating: "x", count: 120)]
        let line = Gen.int(in: 0...(vocabulary.count * 2 - 1)).map { pick in
            vocabulary[pick % vocabulary.count] + (pick < vocabulary.count ? "\r\n" : "\n")
        }
        await propertyCheck(count: 200, input: line.array(of: 0...8), line.array(of: 0...4),
                            SessionGen.chunkSizes) { before, injected, sizes in
            let limits = PreambleLimits(maxLineLength: 100, maxCommands: 6, maxErrors: 4)
            let upToStartTLS = wire(before.joined() + Self.startTLS[mailProtocol]!)
            var reference = MailSessions.preamble(for: mailProtocol, hostname: "mx.example", limits: limits)
            let expected = reference.receive(upToStartTLS)

            var preamble = MailSessions.preamble(for: mailProtocol, hostname: "mx.example", limits: limits)
            let actions = cut(upToStartTLS + wire(injected.joined()), into: sizes).flatMap { preamble.receive($0) }
            #expect(actions == expected)
            let last = actions.lastIndex { $0 == .startTLS || { if case .close = $0 { true } else { false } }($0) }
            #expect(last == actions.indices.last)
        }
    }
}
