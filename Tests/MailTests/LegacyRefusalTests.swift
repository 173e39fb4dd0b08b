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
