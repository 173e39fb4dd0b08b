import Testing
@testable import Mail

@Suite struct IMAPStartTLSPreambleTests {
    private func preamble(_ limits: PreambleLimits = PreambleLimits()) -> IMAPStartTLSPreamble {
        IMAPStartTLSPreamble(hostname: "mx.example.org", limits: limits)
    }

    @Test func greetingOffersStartTLSAndDisablesLogin() {
        var imap = preamble()
        #expect(text(imap.greeting()) == "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] mx.example.org ready\r\n")
    }

    @Test func capabilityNoopAndLogout() {
        var imap = preamble()
        #expect(sent(imap.receive(wire("a1 CAPABILITY\r\n")))
            == "* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\na1 OK CAPABILITY completed\r\n")
        #expect(sent(imap.receive(wire("a2 noop\r\n"))) == "a2 OK NOOP completed\r\n")
        let logout = imap.receive(wire("a3 LOGOUT\r\n"))
        #expect(sent(logout) == "* BYE Logging out\r\na3 OK LOGOUT completed\r\n")
        #expect(closes(logout))
    }

    @Test func startTLSDropsAPipelinedLogin() {
        var imap = preamble()
        let actions = imap.receive(wire("a STARTTLS\r\nb LOGIN x y\r\n"))
        #expect(actions == [.send(wire("a OK Begin TLS negotiation now\r\n")), .startTLS])
        #expect(imap.receive(wire("c LOGIN x y\r\n")).isEmpty)
    }

    @Test func startTLSSplitByteByByte() {
        var imap = preamble()
        let actions = receiveBytewise(&imap, "x1 StartTLS\r\nx2 LOGIN a b\r\n")
        #expect(actions == [.send(wire("x1 OK Begin TLS negotiation now\r\n")), .startTLS])
    }

    @Test func loginBeforeTLSIsRefusedWithPrivacyRequired() {
        var imap = preamble()
        let refusal = " NO [PRIVACYREQUIRED] Login is only allowed on an encrypted connection, use STARTTLS first\r\n"
        #expect(sent(imap.receive(wire("a LOGIN alice secret\r\n"))) == "a" + refusal)
        #expect(sent(imap.receive(wire("b AUTHENTICATE PLAIN\r\n"))) == "b" + refusal)
        // A synchronizing literal is refused at once; the client never gets a "+" to send it.
        #expect(sent(imap.receive(wire("c LOGIN {5}\r\n"))) == "c" + refusal)
    }

    @Test func badCommandsAndLinesWithoutATag() {
        var imap = preamble()
        #expect(sent(imap.receive(wire("a SELECT INBOX\r\n"))) == "a BAD Unknown command or not allowed before STARTTLS\r\n")
        #expect(sent(imap.receive(wire("* OK\r\n"))) == "* BAD Invalid command line: it must start with a tag\r\n")
        #expect(sent(imap.receive(wire("\r\n"))) == "* BAD Invalid command line: it must start with a tag\r\n")
        #expect(sent(imap.receive(wire("a5\r\n"))) == "a5 BAD Missing command\r\n")
    }

    @Test func errorLimitEndsWithBye() {
        var imap = preamble(PreambleLimits(maxErrors: 2))
        let actions = imap.receive(wire("a FOO\r\nb BAR\r\nc NOOP\r\n"))
        #expect(sent(actions) == "a BAD Unknown command or not allowed before STARTTLS\r\n"
                              + "b BAD Unknown command or not allowed before STARTTLS\r\n"
                              + "* BYE Too many invalid commands, closing connection\r\n")
        #expect(actions.last == .close(reason: "too many errors"))
    }

    @Test func overlongLineGetsUntaggedBad() {
        var imap = preamble(PreambleLimits(maxLineLength: 10))
        #expect(sent(imap.receive(wire("a NOOP " + String(repeating: "x", count: 20) + "\r\n"))) == "* BAD Command line too long\r\n")
        #expect(sent(imap.receive(wire("b NOOP\r\n"))) == "b OK NOOP completed\r\n")
    }
}
