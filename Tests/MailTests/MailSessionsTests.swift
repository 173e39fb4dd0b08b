import Testing
@testable import Mail

@Suite struct MailSessionsTests {
    @Test func preamblesSpeakTheListenersProtocol() {
        var imap = MailSessions.preamble(for: .imap, hostname: "mx")
        var pop3 = MailSessions.preamble(for: .pop3, hostname: "mx")
        var smtp = MailSessions.preamble(for: .smtp, hostname: "mx")
        #expect(text(imap.greeting()).hasPrefix("* OK [CAPABILITY"))
        #expect(text(pop3.greeting()).hasPrefix("+OK"))
        #expect(text(smtp.greeting()).hasPrefix("220 mx"))
        #expect(smtp.receive(wire("STARTTLS\r\n")).last == .startTLS)
    }

    @Test func greetingConsumersAndInspectorsMatchTheProtocol() {
        var smtpConsumer = MailSessions.greetingConsumer(for: .smtp)
        #expect(smtpConsumer.receive(wire("* OK hello\r\n")) != .accepted(leftover: []))
        var imapConsumer = MailSessions.greetingConsumer(for: .imap)
        #expect(imapConsumer.receive(wire("* OK hello\r\n")) == .accepted(leftover: []))

        var smtp = MailSessions.inspector(for: .smtp, afterStartTLS: true)
        #expect(text(smtp.clientToBackend(wire("STARTTLS\r\n")).answer).hasPrefix("503"))
        var pop3 = MailSessions.inspector(for: .pop3, afterStartTLS: true)
        _ = pop3.clientToBackend(wire("USER zoe\r\n"))
        #expect(pop3.login.user == "zoe")
    }

    @Test func legacyRefusalsCarryTheMessage() {
        for mailProtocol in MailProtocol.allCases {
            var refusal = MailSessions.legacyRefusal(for: mailProtocol, message: "Please update", afterStartTLS: false,
                                                     hostname: "mx")
            let replies = sent(refusal.greeting()) + sent(refusal.receive(wire("USER x\r\n")))
            #expect(replies.contains("Please update"), "\(mailProtocol)")
        }
    }
}
