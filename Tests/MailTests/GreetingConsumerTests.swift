import Testing
@testable import Mail

@Suite struct GreetingConsumerTests {
    @Test func smtpMultilineGreetingIsAcceptedWithLeftover() {
        var consumer = SMTPGreetingConsumer()
        #expect(consumer.receive(wire("220-mx.example.org ESMTP\r\n220")) == .needMore)
        #expect(consumer.receive(wire(" ready\r\n250 extra")) == .accepted(leftover: wire("250 extra")))
        #expect(consumer.receive(wire("more")) == .accepted(leftover: wire("more")))
    }

    @Test func smtpRefusalsAndGarbageAreRefused() {
        var busy = SMTPGreetingConsumer()
        #expect(busy.receive(wire("421 4.3.2 Service shutting down\r\n"))
            == .refused(reason: "backend said: 421 4.3.2 Service shutting down"))
        var banned = SMTPGreetingConsumer()
        #expect(banned.receive(wire("554-No\r\n")) == .needMore)
        #expect(banned.receive(wire("554 5.7.1 No SMTP service here\r\n"))
            == .refused(reason: "backend said: 554 5.7.1 No SMTP service here"))
        var http = SMTPGreetingConsumer()
        guard case .refused = http.receive(wire("HTTP/1.1 400 Bad Request\r\n")) else {
            Issue.record("a non-SMTP greeting was not refused")
            return
        }
    }

    @Test func imapOkIsAcceptedByeAndPreauthAreRefused() {
        var ok = IMAPGreetingConsumer()
        #expect(ok.receive(wire("* OK [CAPABILITY IMAP4rev1] Dovecot ready.\r\n")) == .accepted(leftover: []))
        var bye = IMAPGreetingConsumer()
        #expect(bye.receive(wire("* BYE shutting down\r\n")) == .refused(reason: "backend said: * BYE shutting down"))
        var preauth = IMAPGreetingConsumer()
        guard case .refused(let reason) = preauth.receive(wire("* PREAUTH logged in as root\r\n")) else {
            Issue.record("PREAUTH was not refused")
            return
        }
        #expect(reason.contains("PREAUTH"))
    }

    @Test func pop3GreetingSplitAcrossCalls() {
        var consumer = POP3GreetingConsumer()
        #expect(consumer.receive(wire("+O")) == .needMore)
        #expect(consumer.receive(wire("K Dovecot ready.\n")) == .accepted(leftover: []))
        var refused = POP3GreetingConsumer()
        #expect(refused.receive(wire("-ERR [SYS/TEMP] busy\r\n")) == .refused(reason: "backend said: -ERR [SYS/TEMP] busy"))
    }

    @Test func anEndlessGreetingIsRefused() {
        var consumer = IMAPGreetingConsumer(maxLength: 100)
        #expect(consumer.receive(wire(String(repeating: "*", count: 60))) == .needMore)
        #expect(consumer.receive(wire(String(repeating: "*", count: 60))) == .refused(reason: "backend greeting line too long"))
        var manyLines = SMTPGreetingConsumer(maxLength: 20)
        var result = GreetingResult.needMore
        for _ in 0..<10 where result == .needMore { result = manyLines.receive(wire("220-hello\r\n")) }
        #expect(result == .refused(reason: "backend greeting too long"))
    }
}
