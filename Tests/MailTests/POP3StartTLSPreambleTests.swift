import Testing
@testable import Mail

@Suite struct POP3StartTLSPreambleTests {
    private func preamble(_ limits: PreambleLimits = PreambleLimits()) -> POP3StartTLSPreamble {
        POP3StartTLSPreamble(hostname: "mx.example.org", limits: limits)
    }

    @Test func greetingAndCapabilitiesOfferOnlySTLS() {
        var pop = preamble()
        #expect(text(pop.greeting()) == "+OK mx.example.org POP3 service ready\r\n")
        let capabilities = sent(pop.receive(wire("CAPA\r\n")))
        #expect(capabilities == "+OK Capability list follows\r\nSTLS\r\n.\r\n")
        #expect(!capabilities.contains("USER") && !capabilities.contains("SASL"))
    }

    @Test func stlsDropsAPipelinedUser() {
        var pop = preamble()
        #expect(pop.receive(wire("STLS\r\nUSER x\r\n")) == [.send(wire("+OK Begin TLS negotiation\r\n")), .startTLS])
        #expect(pop.receive(wire("PASS y\r\n")).isEmpty)
    }

    @Test func credentialsBeforeTLSAreRefusedWithAuthCode() {
        var pop = preamble()
        for command in ["USER alice", "PASS secret", "APOP alice 0123456789abcdef", "AUTH PLAIN"] {
            #expect(sent(pop.receive(wire(command + "\r\n")))
                == "-ERR [AUTH] Login is only allowed on an encrypted connection, use STLS first\r\n")
        }
    }

    @Test func unknownCommandsQuitAndArguments() {
        var pop = preamble()
        #expect(sent(pop.receive(wire("STAT\r\n"))) == "-ERR Unknown command or not allowed before STLS\r\n")
        #expect(sent(pop.receive(wire("STLS please\r\n"))) == "-ERR This command takes no arguments\r\n")
        let quit = pop.receive(wire("QUIT\r\n"))
        #expect(sent(quit) == "+OK mx.example.org closing connection\r\n")
        #expect(closes(quit))
    }

    @Test func tooManyErrorsRepliesOnceAndCloses() {
        var pop = preamble(PreambleLimits(maxErrors: 2))
        let actions = pop.receive(wire("STAT\nLIST\nCAPA\n"))
        #expect(sent(actions) == "-ERR Unknown command or not allowed before STLS\r\n"
                              + "-ERR Too many invalid commands, closing connection\r\n")
        #expect(actions.last == .close(reason: "too many errors"))
    }
}
