import Testing
@testable import Mail

@Suite struct SMTPStartTLSPreambleTests {
    private func preamble(_ limits: PreambleLimits = PreambleLimits()) -> SMTPStartTLSPreamble {
        SMTPStartTLSPreamble(hostname: "mx.example.org", limits: limits)
    }

    @Test func greetsWithItsOwnName() {
        var smtp = preamble()
        #expect(text(smtp.greeting()) == "220 mx.example.org ESMTP Service ready\r\n")
    }

    @Test func ehloAdvertisesStartTLSAndTheStaticExtensions() {
        var smtp = preamble()
        #expect(sent(smtp.receive(wire("EHLO client.example\r\n"))) == """
            250-mx.example.org\r
            250-PIPELINING\r
            250-SIZE\r
            250-8BITMIME\r
            250-ENHANCEDSTATUSCODES\r
            250 STARTTLS\r

            """)
        #expect(sent(smtp.receive(wire("HELO client.example\r\n"))) == "250 mx.example.org\r\n")
        #expect(sent(smtp.receive(wire("EHLO\r\n"))) == "501 5.5.4 Syntax: EHLO hostname\r\n")
    }

    @Test func startTLSAnswers220AndDropsEverythingPipelinedAfterIt() {
        var smtp = preamble()
        let actions = smtp.receive(wire("STARTTLS\r\nRSET\r\nMAIL FROM:<a@b>\r\n"))
        #expect(actions == [.send(wire("220 2.0.0 Ready to start TLS\r\n")), .startTLS])
        #expect(smtp.receive(wire("RSET\r\n")).isEmpty)
    }

    @Test func startTLSSplitAcrossCallsAndEndedByBareLF() {
        var smtp = preamble()
        #expect(smtp.receive(wire("STAR")).isEmpty)
        #expect(smtp.receive(wire("ttls\nNOOP\n")) == [.send(wire("220 2.0.0 Ready to start TLS\r\n")), .startTLS])
    }

    @Test func everyByteSplitGivesTheSameConversation() {
        var whole = preamble()
        var bytewise = preamble()
        let input = "EHLO a\r\nNOOP\r\nMAIL FROM:<x@y>\r\nSTARTTLS\r\nQUIT\r\n"
        #expect(receiveBytewise(&bytewise, input) == whole.receive(wire(input)))
    }

    @Test func mailAndAuthNeedTLSFirst() {
        var smtp = preamble(PreambleLimits(maxErrors: 10))
        for command in ["AUTH PLAIN AGFsaWNlAHNlY3JldA==", "MAIL FROM:<a@b>", "RCPT TO:<c@d>", "DATA", "BDAT 10 LAST"] {
            #expect(sent(smtp.receive(wire(command + "\r\n"))) == "530 5.7.0 Must issue a STARTTLS command first\r\n")
        }
    }

    @Test func noopRsetQuitAndUnknownCommands() {
        var smtp = preamble()
        #expect(sent(smtp.receive(wire("NOOP\r\nRSET\r\n"))) == "250 2.0.0 OK\r\n250 2.0.0 OK\r\n")
        #expect(sent(smtp.receive(wire("VRFY root\r\n"))) == "502 5.5.2 Error: command not recognized\r\n")
        #expect(sent(smtp.receive(wire("STARTTLS now\r\n"))) == "501 5.5.4 Syntax error (no parameters allowed)\r\n")
        let quit = smtp.receive(wire("QUIT\r\nNOOP\r\n"))
        #expect(quit == [.send(wire("221 2.0.0 mx.example.org closing connection\r\n")),
                         .close(reason: "client quit before STARTTLS")])
        #expect(smtp.receive(wire("NOOP\r\n")).isEmpty)
    }

    @Test func overlongLinesAreRefusedAndCountAsErrors() {
        var smtp = preamble(PreambleLimits(maxLineLength: 20, maxCommands: 20, maxErrors: 2))
        let long = String(repeating: "A", count: 50)
        #expect(sent(smtp.receive(wire("NOOP " + long))) == "500 5.5.2 Error: line too long\r\n")
        #expect(smtp.receive(wire(long + long)).isEmpty)
        let actions = smtp.receive(wire("\r\nNOOP\r\nXYZZY\r\nNOOP\r\n"))
        #expect(sent(actions) == "250 2.0.0 OK\r\n502 5.5.2 Error: command not recognized\r\n"
                              + "421 4.7.0 mx.example.org Error: too many errors, closing connection\r\n")
        #expect(actions.last == .close(reason: "too many errors"))
    }

    @Test func tooManyCommandsWithoutStartTLSClose() {
        var smtp = preamble(PreambleLimits(maxCommands: 3))
        let actions = smtp.receive(wire("NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n"))
        #expect(sent(actions) == "250 2.0.0 OK\r\n250 2.0.0 OK\r\n250 2.0.0 OK\r\n"
                              + "421 4.7.0 mx.example.org Error: too many commands without STARTTLS, closing connection\r\n")
        #expect(closes(actions))
    }
}
