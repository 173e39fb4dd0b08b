import Foundation
import Testing
@testable import Report

private func message(headers: [(name: String, value: String)] = [("Subject", "Test")], body: String,
                     sender: String = "postmaster@example.org") throws -> MailMessage {
    MailMessage(sender: try #require(NoticeSender(sender)), recipient: try #require(MailAddress("erika@example.org")),
                date: Date(timeIntervalSince1970: 1_795_392_000), messageID: "id-1@example.org",
                headers: headers, body: body)
}

/// Decodes quoted-printable the way a mail reader does, to check the round trip.
private func decodeQuotedPrintable(_ text: String) -> String {
    var bytes: [UInt8] = []
    let utf8 = Array(text.replacing("=\r\n", with: "").utf8)
    var position = 0
    while position < utf8.count {
        if utf8[position] == UInt8(ascii: "="), position + 2 < utf8.count,
           let value = UInt8(String(decoding: utf8[(position + 1)...(position + 2)], as: UTF8.self), radix: 16) {
            bytes.append(value)
            position += 3
        } else {
            bytes.append(utf8[position])
            position += 1
        }
    }
    return String(decoding: bytes, as: UTF8.self)
}

@Test func messageHasTheHeadersAMailReaderNeedsAndOnlyCRLFLineEnds() throws {
    let text = try message(body: "Hallo Erika,\nGrüße\n").text
    let (head, body) = try #require(text.split(separator: "\r\n\r\n", maxSplits: 1).map(String.init).pairs)
    #expect(head.split(separator: "\r\n").map { $0.prefix { $0 != ":" } } == [
        "Date", "From", "To", "Subject", "Message-ID", "Auto-Submitted", "MIME-Version", "Content-Type",
        "Content-Transfer-Encoding",
    ])
    #expect(head.contains("Date: Mon, 23 Nov 2026 00:00:00 +0000"))
    #expect(head.contains("Message-ID: <id-1@example.org>"))
    #expect(head.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"))
    #expect(body == "Hallo Erika,\r\nGr=C3=BC=C3=9Fe\r\n")
    #expect(!text.replacing("\r\n", with: "").contains("\n") && !text.replacing("\r\n", with: "").contains("\r"))
    #expect(text.utf8.allSatisfy { $0 < 0x80 })
}

@Test func quotedPrintableKeepsLinesShortAndDecodesBackToTheText() throws {
    let long = String(repeating: "Verschlüsselung = sicher. ", count: 12)
    let original = "\(long)\ntrailing space \nFrom the provider\n.\n"
    let encoded = QuotedPrintable.encode(body: original)
    for line in encoded.split(separator: "\r\n") { #expect(line.count <= 76, "\(line)") }
    #expect(encoded.contains("trailing space=20\r\n"))
    #expect(encoded.contains("\r\n=46rom the provider\r\n"))
    #expect(decodeQuotedPrintable(encoded) == original.replacing("\n", with: "\r\n"))
}

@Test func nonASCIIHeadersBecomeEncodedWordsFoldedWithin78Characters() throws {
    let subject = "Abschaltung von TLS 1.0/1.1 am 30.09.2023: Ihr E-Mail-Programm ist betroffen – bitte aktualisieren"
    let text = try message(headers: [("Subject", subject)], body: "x").text
    let head = try #require(text.components(separatedBy: "\r\n\r\n").first)
    let subjectLines = head.components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject:") }.prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
    #expect(subjectLines.count > 1)
    for line in subjectLines { #expect(line.count <= 78, "\(line)") }
    let words = subjectLines.joined().components(separatedBy: " ").filter { $0.hasPrefix("=?UTF-8?Q?") }
    let decoded = words.map { word in
        decodeQuotedPrintable(String(word.dropFirst(10).dropLast(2)).replacing("_", with: " "))
    }.joined()
    #expect(decoded == subject)
}

@Test func senderDisplayNameIsQuotedOrEncoded() throws {
    #expect(try message(body: "x", sender: "Example Mail <postmaster@example.org>").text
        .contains("From: \"Example Mail\" <postmaster@example.org>\r\n"))
    #expect(try message(body: "x", sender: "Müller \"IT\" <it@example.org>").text
        .contains("From: =?UTF-8?Q?M=C3=BCller_=22IT=22?= <it@example.org>\r\n"))
    #expect(NoticeSender("not an address") == nil)
    #expect(NoticeSender("Name <broken>") == nil)
}

@Test(arguments: ["erika@example.org", "e.m+tls@mail.example.org", "o'brien@example.ie"])
func addressesTlsfloordSendsTo(text: String) {
    #expect(MailAddress(text)?.description == text)
}

@Test(arguments: ["erika", "erika@localhost", "a@b@example.org", "-oQ@example.org", "erika@example.org\r\nBcc: x@y.z",
                  "\"quoted\"@example.org", "erika@exa mple.org", "erika..m@example.org", "jürgen@example.org", "@example.org"])
func addressesTlsfloordRefuses(text: String) {
    #expect(MailAddress(text) == nil)
}

extension Array where Element == String {
    fileprivate var pairs: (String, String)? { count == 2 ? (self[0], self[1]) : nil }
}
