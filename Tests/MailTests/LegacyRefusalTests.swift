import Testing
@testable import Mail

@Suite struct LegacyRefusalTests {
    private let message = "Your mail program is too old.\r\nPlease update it."

    @Test func imapSaysByeWithAlertAndCloses() {
        var refusal = IMAPLegacyRefusal(message: message)
        let actions = refusal.greeting()
        #expect(actions == [.send(wire("* BYE [ALERT] Your mail program is too old. Please update it.\r\n")),
                            .close(reason: "TLS version below the floor, refusal sent")])
        #expect(refusal.receive(wire("a LOGIN x y\r\n")).isEmpty)
    }

    @Test func pop3GreetsThenRefusesEveryCommandButQuit() {
        var refusal = POP3LegacyRefusal(message: "Update your client", afterStartTLS: false, hostname: "mx.example.org")
        #expect(sent(refusal.greeting()) == "+OK mx.example.org POP3 service ready\r\n")
        #expect(sent(refusal.receive(wire("CAPA\r\nUSER alice\r\n")))
            == "-ERR [SYS/PERM] Update your client\r\n-ERR [SYS/PERM] Update your client\r\n")
        let quit = refusal.receive(wire("QUIT\r\n"))
        #expect(quit == [.send(wire("+OK mx.example.org closing connection\r\n")),
                         .close(reason: "client quit after the legacy refusal")])
    }

    @Test func pop3AfterSTLSHasNoGreetingAndClosesAfterAFewCommands() {
        var refusal = POP3LegacyRefusal(message: "Update", afterStartTLS: true, hostname: "mx", maxCommands: 2)
        #expect(refusal.greeting().isEmpty)
        let actions = refusal.receive(wire("USER a\r\nPASS b\r\nUSER a\r\nPASS b\r\n"))
        #expect(sent(actions) == String(repeating: "-ERR [SYS/PERM] Update\r\n", count: 3))
        #expect(actions.last == .close(reason: "too many commands"))
    }

    @Test func smtpImplicitGreets554AndWaitsForQuit() {
        var refusal = SMTPLegacyRefusal(message: "Update your client", afterStartTLS: false, hostname: "mx.example.org")
        #expect(sent(refusal.greeting()) == "554 5.7.0 Update your client\r\n")
        #expect(sent(refusal.receive(wire("EHLO me\r\n"))) == "503 5.5.1 Update your client\r\n")
        let quit = refusal.receive(wire("QUIT\r\n"))
        #expect(sent(quit) == "221 2.0.0 mx.example.org closing connection\r\n")
        #expect(closes(quit))
    }

    @Test func smtpImplicitClosesWith421AfterAFewCommands() {
        var refusal = SMTPLegacyRefusal(message: "Update", afterStartTLS: false, hostname: "mx", maxCommands: 1)
        let actions = refusal.receive(wire("EHLO me\r\nAUTH PLAIN\r\n"))
        #expect(sent(actions) == "503 5.5.1 Update\r\n421 4.7.0 mx Update\r\n")
        #expect(closes(actions))
    }

    @Test func smtpAfterStartTLSRefusesTheNextCommandAndCloses() {
        var refusal = SMTPLegacyRefusal(message: "Update", afterStartTLS: true, hostname: "mx")
        #expect(refusal.greeting().isEmpty)
        #expect(refusal.receive(wire("EHL")).isEmpty)
        let actions = refusal.receive(wire("O me\r\nAUTH PLAIN x\r\n"))
        #expect(actions == [.send(wire("554 5.7.0 Update\r\n")), .close(reason: "TLS version below the floor, refusal sent")])
        #expect(refusal.receive(wire("QUIT\r\n")).isEmpty)
    }
}

/// The ramp's refusal: the same conversations, with "try later" codes.
@Suite struct TemporaryLegacyRefusalTests {
    @Test func imapSaysByeUnavailable() {
        var refusal = IMAPLegacyRefusal(message: "Update soon", kind: .temporary)
        #expect(refusal.greeting() == [.send(wire("* BYE [UNAVAILABLE] Update soon\r\n")),
                                       .close(reason: "TLS version below the floor, refusal sent")])
    }

    @Test func pop3AnswersSysTemp() {
        var refusal = POP3LegacyRefusal(message: "Update soon", kind: .temporary, afterStartTLS: false, hostname: "mx")
        #expect(sent(refusal.greeting()) == "+OK mx POP3 service ready\r\n")
        #expect(sent(refusal.receive(wire("USER alice\r\n"))) == "-ERR [SYS/TEMP] Update soon\r\n")
    }

    @Test func smtpGreets421OnImplicitTLSAndCloses() {
        var refusal = SMTPLegacyRefusal(message: "Update soon", kind: .temporary, afterStartTLS: false, hostname: "mx")
        #expect(refusal.greeting() == [.send(wire("421 4.7.0 Update soon\r\n")),
                                       .close(reason: "TLS version below the floor, refusal sent")])
    }

    @Test func smtpAnswers421AfterStartTLSAndCloses() {
        var refusal = SMTPLegacyRefusal(message: "Update soon", kind: .temporary, afterStartTLS: true, hostname: "mx")
        #expect(refusal.greeting().isEmpty)
        #expect(refusal.receive(wire("EHLO client\r\n")) == [.send(wire("421 4.7.0 Update soon\r\n")),
                                                             .close(reason: "TLS version below the floor, refusal sent")])
    }
}
