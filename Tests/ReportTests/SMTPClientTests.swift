import Foundation
import Testing
@testable import Report

/// An MTA that answers from a script and records what the client sent.
private final class ScriptedMTA: SMTPTransport {
    private var replies: [String]
    private(set) var sent = ""

    init(_ replies: [String]) {
        self.replies = replies
    }

    func send(_ text: String) throws { sent += text }

    func receiveLine() throws -> String {
        guard !replies.isEmpty else { throw SMTPError.failed("script ended") }
        return replies.removeFirst()
    }
}

private func notice(to recipient: String = "erika@example.org", body: String = "Hallo\n") throws -> MailMessage {
    MailMessage(sender: try #require(NoticeSender("postmaster@example.org")),
                recipient: try #require(MailAddress(recipient)), date: Date(timeIntervalSince1970: 0),
                messageID: "1@example.org", headers: [("Subject", "Test")], body: body)
}

private let greetingAndEHLO = ["220 mx.example.org ESMTP", "250-mx.example.org", "250-PIPELINING", "250 8BITMIME"]

@Test func dotStuffingDoublesLeadingDotsAndEndsWithADotLine() {
    #expect(SMTPClient<ScriptedMTA>.dotStuffed("a\r\n.\r\n..b\r\nc.\r\n") == "a\r\n..\r\n...b\r\nc.\r\n.\r\n")
    #expect(SMTPClient<ScriptedMTA>.dotStuffed(".start") == "..start\r\n.\r\n")
    #expect(SMTPClient<ScriptedMTA>.dotStuffed("") == "\r\n.\r\n")
}

@Test func sendsEachMessageWithTheEnvelopeAndDataAndQuits() throws {
    let mta = ScriptedMTA(greetingAndEHLO + ["250 2.1.0 Ok", "250 2.1.5 Ok", "354 End data with <CR><LF>.<CR><LF>",
                                             "250 2.0.0 Ok: queued as 1", "221 2.0.0 Bye"])
    var client = try SMTPClient(transport: mta, helloName: "tools.example.org")
    let message = try notice(body: "Hallo\n.\nEnde\n")
    try client.send(message)
    try client.quit()
    let expected = "EHLO tools.example.org\r\nMAIL FROM:<postmaster@example.org>\r\nRCPT TO:<erika@example.org>\r\nDATA\r\n"
        + SMTPClient<ScriptedMTA>.dotStuffed(message.text) + "QUIT\r\n"
    #expect(mta.sent == expected)
    #expect(mta.sent.contains("\r\nHallo\r\n..\r\nEnde\r\n.\r\n"))
}

@Test func aRefusedRecipientResetsTheSessionForTheNextMessage() throws {
    let mta = ScriptedMTA(greetingAndEHLO + [
        "250 2.1.0 Ok", "550 5.1.1 <gone@example.org>: Recipient address rejected", "250 2.0.0 Ok",
        "250 2.1.0 Ok", "250 2.1.5 Ok", "354 go ahead", "250 2.0.0 queued",
    ])
    var client = try SMTPClient(transport: mta, helloName: "h")
    #expect(throws: SMTPError.refused(command: "RCPT TO", reply: SMTPReply(code: 550, lines: ["5.1.1 <gone@example.org>: Recipient address rejected"]))) {
        try client.send(try notice(to: "gone@example.org"))
    }
    try client.send(try notice())
    #expect(mta.sent.contains("RCPT TO:<gone@example.org>\r\nRSET\r\nMAIL FROM:"))
}

@Test func aRefusedMessageBodyIsRefusedForThatMessageOnly() throws {
    let mta = ScriptedMTA(greetingAndEHLO + ["250 Ok", "250 Ok", "354 go", "554 5.7.1 spam", "250 reset"])
    var client = try SMTPClient(transport: mta, helloName: "h")
    #expect(throws: SMTPError.refused(command: "message", reply: SMTPReply(code: 554, lines: ["5.7.1 spam"]))) {
        try client.send(try notice())
    }
}

@Test func fallsBackToHELOWhenEHLOIsNotUnderstood() throws {
    let mta = ScriptedMTA(["220 old", "502 what", "250 old"])
    _ = try SMTPClient(transport: mta, helloName: "h")
    #expect(mta.sent == "EHLO h\r\nHELO h\r\n")
}

@Test(arguments: [
    (["554 no service"], "greeting: 554 no service"),
    (["220 hi", "421 4.3.2 shutting down"], "EHLO: 421 4.3.2 shutting down"),
    (["220 hi", "250-a", "251 b"], "not an SMTP reply: 251 b"),
    (["220 hi", "hello there"], "not an SMTP reply: hello there"),
])
func anUnusableSessionFailsTheRun(replies: [String], reason: String) {
    #expect(throws: SMTPError.failed(reason)) {
        _ = try SMTPClient(transport: ScriptedMTA(replies), helloName: "h")
    }
}

@Test func closingDownInTheMiddleIsNotAPerMessageRefusal() throws {
    var client = try SMTPClient(transport: ScriptedMTA(greetingAndEHLO + ["421 4.4.2 timeout"]), helloName: "h")
    #expect(throws: SMTPError.failed("MAIL FROM: 421 4.4.2 timeout")) {
        try client.send(try notice())
    }
}
