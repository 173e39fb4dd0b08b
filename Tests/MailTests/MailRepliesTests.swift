import Testing
@testable import Mail

@Suite struct MailRepliesTests {
    @Test func unavailableRepliesUseEachProtocolsTemporaryFailure() {
        #expect(text(MailReplies.unavailable(.imap, hostname: "mx.example.org"))
            == "* BYE [UNAVAILABLE] The mail server is temporarily unavailable, please try again later\r\n")
        #expect(text(MailReplies.unavailable(.pop3, hostname: "mx.example.org"))
            == "-ERR [SYS/TEMP] The mail server is temporarily unavailable, please try again later\r\n")
        #expect(text(MailReplies.unavailable(.smtp, hostname: "mx.example.org"))
            == "421 4.3.0 mx.example.org The mail server is temporarily unavailable, please try again later\r\n")
    }

    @Test func refusalsBeforeTheSessionAreTemporary() {
        #expect(text(MailReplies.refusal(.tooManyConnections, .imap, hostname: "mx.example.org"))
            == "* BYE [UNAVAILABLE] Too many connections, please try again later\r\n")
        #expect(text(MailReplies.refusal(.tooManyConnections, .pop3, hostname: "mx.example.org"))
            == "-ERR [SYS/TEMP] Too many connections, please try again later\r\n")
        #expect(text(MailReplies.refusal(.tooManyConnections, .smtp, hostname: "mx.example.org"))
            == "421 4.7.0 mx.example.org Too many connections, please try again later\r\n")
    }

    @Test func perAddressRefusalsSayItIsTheClientsAddress() {
        #expect(text(MailReplies.refusal(.tooManyConnectionsFromAddress, .imap, hostname: "mx.example.org"))
            == "* BYE [UNAVAILABLE] Too many connections from your address, please try again later\r\n")
        #expect(text(MailReplies.refusal(.tooManyConnectionsFromAddress, .pop3, hostname: "mx.example.org"))
            == "-ERR [SYS/TEMP] Too many connections from your address, please try again later\r\n")
        #expect(text(MailReplies.refusal(.tooManyFailedLogins, .smtp, hostname: "mx.example.org"))
            == "421 4.7.0 mx.example.org Too many failed logins from your address, please try again later\r\n")
        #expect(text(MailReplies.refusal(.tooManyFailedLogins, .imap, hostname: "mx.example.org"))
            == "* BYE [UNAVAILABLE] Too many failed logins from your address, please try again later\r\n")
    }

    @Test func aHostnameCannotInjectASecondReplyLine() {
        let reply = text(MailReplies.unavailable(.smtp, hostname: "evil\r\n250 ok"))
        #expect(reply.hasPrefix("421 4.3.0 evil250ok "))
        #expect(reply.filter { $0 == "\r\n" }.count == 1)
    }

    @Test func operatorMessagesAreOneLineOfBoundedPrintableASCII() {
        #expect(ReplyText.sanitizedMessage("Please\r\nupdate\tyour  client") == "Please update your client")
        #expect(ReplyText.sanitizedMessage(String(repeating: "x", count: 1000)).count == ReplyText.maxMessageLength)
        #expect(ReplyText.sanitizedMessage("Bitte Mailprogramm aktualisieren: \u{FC}") == "Bitte Mailprogramm aktualisieren:")
        #expect(!ReplyText.sanitizedMessage("\r\n").isEmpty)
    }
}
