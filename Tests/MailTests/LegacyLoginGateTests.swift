import Testing
@testable import Mail

/// `legacy.exempt_users`: a legacy client's login decides. Exempt users go
/// on; everyone else gets the refusal, and their credentials never reach
/// the backend — whatever the mechanism and however the bytes are cut.
@Suite struct LegacyLoginGateTests {
    private static let message = "TLS 1.0 is switched off"

    private func gate(_ mailProtocol: MailProtocol, kind: LegacyRefusalKind = .permanent,
                      afterStartTLS: Bool = true) -> LegacyLoginGate {
        MailSessions.loginGate(for: mailProtocol, afterStartTLS: afterStartTLS, exemptUsers: ["Printer@example.org"],
                               message: Self.message, kind: kind)
    }

    /// Runs the chunks, once whole and once cut into single bytes.
    private func both(_ mailProtocol: MailProtocol, _ chunks: [RelayedSession.Chunk],
                      check: (RelayedSession, LegacyLoginGate, Inspection?) -> Void) {
        for bytewise in [false, true] {
            var gate = gate(mailProtocol)
            var session = RelayedSession()
            var refusal: Inspection?
            for chunk in chunks {
                let pieces: [String]
                let isClient: Bool
                switch chunk {
                case .client(let data): (pieces, isClient) = (bytewise ? data.map(String.init) : [data], true)
                case .backend(let data): (pieces, isClient) = (bytewise ? data.map(String.init) : [data], false)
                }
                for piece in pieces {
                    let inspection = isClient ? gate.clientToBackend(wire(piece)) : gate.backendToClient(wire(piece))
                    if isClient {
                        session.toBackend += inspection.forward
                        session.toClient += inspection.answer
                    } else {
                        session.toClient += inspection.forward
                    }
                    if inspection.refusal != nil { refusal = inspection }
                }
            }
            check(session, gate, refusal)
        }
    }

    @Test func imapLoginOfAnExemptUserGoesThrough() {
        let login = "a1 LOGIN printer@EXAMPLE.org s3cret\r\n"
        both(.imap, [.client("a0 CAPABILITY\r\n"), .backend("* CAPABILITY IMAP4rev1\r\na0 OK done\r\n"),
                     .client(login), .backend("a1 OK Logged in\r\n")]) { session, gate, refusal in
            #expect(refusal == nil)
            #expect(text(session.toBackend) == "a0 CAPABILITY\r\n" + login)
            #expect(text(session.toClient) == "* CAPABILITY IMAP4rev1\r\na0 OK done\r\na1 OK Logged in\r\n")
            #expect(gate.admittedUser == "printer@EXAMPLE.org")
            #expect(gate.login.result == .accepted)
        }
    }

    @Test func imapLoginOfAnyoneElseIsRefusedAndItsPasswordStays() {
        both(.imap, [.client("a0 CAPABILITY\r\n"), .backend("a0 OK done\r\n"),
                     .client("a1 LOGIN alice s3cret\r\n")]) { session, gate, refusal in
            #expect(text(session.toBackend) == "a0 CAPABILITY\r\n")
            #expect(refusal?.refusal != nil)
            #expect(text(session.toClient).hasSuffix("a1 NO [ALERT] \(Self.message)\r\n* BYE [ALERT] \(Self.message)\r\n"))
            #expect(gate.login == LoginObservation(user: "alice", result: .rejected))
            #expect(gate.admittedUser == nil)
        }
    }

    @Test func imapLiteralsGetTlsfloordsContinuationAndTheBackendsIsSwallowed() {
        let command = "a1 LOGIN {19}\r\nprinter@example.org {6}\r\ns3cret\r\n"
        both(.imap, [.client(command), .backend("+ OK\r\n+ OK\r\na1 OK Logged in\r\n")]) { session, gate, refusal in
            #expect(refusal == nil)
            #expect(text(session.toBackend) == command)
            #expect(text(session.toClient) == "+ Ready for literal data\r\n+ Ready for literal data\r\na1 OK Logged in\r\n")
            #expect(gate.admittedUser == "printer@example.org")
        }
        both(.imap, [.client("a1 LOGIN {5}\r\nalice {6}\r\ns3cret\r\n")]) { session, _, refusal in
            #expect(session.toBackend.isEmpty)
            #expect(refusal != nil)
        }
    }

    @Test func imapAuthenticatePlainWithAndWithoutInitialResponse() {
        let exempt = "AHByaW50ZXJAZXhhbXBsZS5vcmcAczNjcmV0"  // \0printer@example.org\0s3cret
        let other = "AGFsaWNlAHMzY3JldA=="  // \0alice\0s3cret
        both(.imap, [.client("a1 AUTHENTICATE PLAIN \(exempt)\r\n"), .backend("a1 OK\r\n")]) { session, gate, _ in
            #expect(text(session.toBackend) == "a1 AUTHENTICATE PLAIN \(exempt)\r\n")
            #expect(gate.admittedUser == "printer@example.org")
        }
        both(.imap, [.client("a1 AUTHENTICATE PLAIN\r\n"), .client("\(exempt)\r\n"),
                     .backend("+ \r\na1 OK\r\n")]) { session, _, _ in
            #expect(text(session.toBackend) == "a1 AUTHENTICATE PLAIN\r\n\(exempt)\r\n")
            #expect(text(session.toClient) == "+ \r\na1 OK\r\n")
        }
        both(.imap, [.client("a1 AUTHENTICATE PLAIN\r\n"), .client("\(other)\r\n")]) { session, gate, refusal in
            #expect(session.toBackend.isEmpty)
            #expect(refusal != nil)
            #expect(gate.login.user == "alice")
        }
    }

    @Test func imapCommandsOtherThanALoginAreRefused() {
        both(.imap, [.client("a1 SELECT INBOX\r\n")]) { session, _, refusal in
            #expect(session.toBackend.isEmpty)
            #expect(text(session.toClient) == "a1 NO [ALERT] \(Self.message)\r\n* BYE [ALERT] \(Self.message)\r\n")
            #expect(refusal != nil)
        }
    }

    @Test func pop3UserPassAndAuth() {
        both(.pop3, [.client("CAPA\r\n"), .backend("+OK\r\nUSER\r\n.\r\n"), .client("USER printer@example.org\r\n"),
                     .backend("+OK\r\n"), .client("PASS s3cret\r\n"), .backend("+OK logged in\r\n")]) { session, gate, _ in
            #expect(text(session.toBackend) == "CAPA\r\nUSER printer@example.org\r\nPASS s3cret\r\n")
            #expect(gate.admittedUser == "printer@example.org")
        }
        both(.pop3, [.client("USER alice\r\nPASS s3cret\r\n")]) { session, _, refusal in
            #expect(session.toBackend.isEmpty)
            #expect(text(session.toClient) == "-ERR [SYS/PERM] \(Self.message)\r\n")
            #expect(refusal != nil)
        }
        both(.pop3, [.client("AUTH PLAIN\r\n"), .client("AGFsaWNlAHMzY3JldA==\r\n")]) { session, _, refusal in
            #expect(session.toBackend.isEmpty)
            #expect(text(session.toClient) == "+ \r\n-ERR [SYS/PERM] \(Self.message)\r\n")
            #expect(refusal != nil)
        }
        both(.pop3, [.client("PASS s3cret\r\n")]) { session, _, refusal in
            #expect(session.toBackend.isEmpty)
            #expect(refusal != nil)
        }
    }

    @Test func smtpAuthLoginAndPlain() {
        let user = "cHJpbnRlckBleGFtcGxlLm9yZw=="  // printer@example.org
        both(.smtp, [.client("EHLO scanner\r\n"), .backend("250-mx\r\n250 AUTH PLAIN LOGIN\r\n"),
                     .client("AUTH LOGIN\r\n"), .client("\(user)\r\n"),
                     .backend("334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n"), .client("czNjcmV0\r\n"),
                     .backend("235 2.7.0 ok\r\n")]) { session, gate, refusal in
            #expect(refusal == nil)
            #expect(text(session.toBackend) == "EHLO scanner\r\nAUTH LOGIN\r\n\(user)\r\nczNjcmV0\r\n")
            #expect(text(session.toClient) == "250-mx\r\n250 AUTH PLAIN LOGIN\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 ok\r\n")
            #expect(gate.admittedUser == "printer@example.org")
        }
        both(.smtp, [.client("EHLO pc\r\nAUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n")]) { session, _, refusal in
            #expect(text(session.toBackend) == "EHLO pc\r\n")
            #expect(text(session.toClient) == "535 5.7.0 \(Self.message)\r\n")
            #expect(refusal != nil)
        }
        both(.smtp, [.client("MAIL FROM:<a@example.org>\r\n")]) { session, _, _ in
            #expect(text(session.toClient) == "554 5.7.0 \(Self.message)\r\n")
        }
    }

    @Test func duringTheRampTheRefusalIsTemporary() {
        var imap = gate(.imap, kind: .temporary)
        #expect(text(imap.clientToBackend(wire("a LOGIN x y\r\n")).answer)
                == "a NO [UNAVAILABLE] \(Self.message)\r\n* BYE [UNAVAILABLE] \(Self.message)\r\n")
        var smtp = gate(.smtp, kind: .temporary)
        #expect(text(smtp.clientToBackend(wire("AUTH PLAIN AGFsaWNlAHMzY3JldA==\r\n")).answer) == "421 4.7.0 \(Self.message)\r\n")
    }
}
