import Testing
@testable import Mail

@Suite struct POP3LoginInspectorTests {
    @Test func userPassAcceptedAfterTheGreetingOfPort995() {
        var inspector = POP3LoginInspector(afterStartTLS: false)
        let session = RelayedSession.run(&inspector, [
            .backend("+OK Dovecot ready.\r\n"),
            .client("CAPA\r\n"), .backend("+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n"),
            .client("USER alice\r\n"), .backend("+OK\r\n"),
            .client("PASS topsecret\r\n"), .backend("+OK Logged in.\r\n"),
        ])
        #expect(text(session.toBackend) == "CAPA\r\nUSER alice\r\nPASS topsecret\r\n")
        #expect(inspector.login == LoginObservation(user: "alice", mechanism: "USER", result: .accepted))
        #expect(exposesNothingOf("topsecret", in: inspector.login))
        #expect(inspector.isDone)
    }

    @Test func pipelinedUserPassRejectedAfterSTLS() {
        var inspector = POP3LoginInspector(afterStartTLS: true)
        _ = RelayedSession.run(&inspector, [
            .client("USER bob\r\nPASS nope\r\n"),
            .backend("+OK\r\n-ERR [AUTH] Authentication failed.\r\n"),
        ])
        #expect(inspector.login == LoginObservation(user: "bob", mechanism: "USER", result: .rejected))
        #expect(!inspector.isDone)
    }

    @Test func authPlainWithInitialResponseAndWithContinuation() {
        var direct = POP3LoginInspector(afterStartTLS: true)
        _ = RelayedSession.run(&direct, [.client("AUTH PLAIN AGNhcm9sAGh1bnRlcjI=\r\n"), .backend("+OK\r\n")])
        #expect(direct.login == LoginObservation(user: "carol", mechanism: "PLAIN", result: .accepted))

        var continued = POP3LoginInspector(afterStartTLS: true)
        _ = RelayedSession.run(&continued, [
            .client("AUTH PLAIN\r\n"), .backend("+ \r\n"),
            .client("AGNhcm9sAGh1bnRlcjI=\r\n"), .backend("-ERR [AUTH] Authentication failed.\r\n"),
        ])
        #expect(continued.login == LoginObservation(user: "carol", mechanism: "PLAIN", result: .rejected))
        #expect(exposesNothingOf("hunter2", in: continued.login))
    }

    @Test func splitAtEveryByte() {
        var inspector = POP3LoginInspector(afterStartTLS: true)
        var chunks: [RelayedSession.Chunk] = "USER eve\r\nPASS x\r\n".map { .client(String($0)) }
        chunks += "+OK\r\n+OK\r\n".map { .backend(String($0)) }
        _ = RelayedSession.run(&inspector, chunks)
        #expect(inspector.login == LoginObservation(user: "eve", mechanism: "USER", result: .accepted))
    }
}
