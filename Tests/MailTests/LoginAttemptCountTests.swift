import Testing
@testable import Mail

/// Every login that reaches a result counts, though the observation keeps
/// only the last result: failed-login bans count each failure of a client
/// that retries in one session.
@Suite struct LoginAttemptCountTests {
    @Test func imapRetriesAfterRejectionsCountEachTry() {
        var inspector = IMAPLoginInspector(checksGreeting: false)
        _ = RelayedSession.run(&inspector, [
            .client("a LOGIN bob wrong1\r\n"), .backend("a NO [AUTHENTICATIONFAILED] failed\r\n"),
            .client("b LOGIN bob wrong2\r\n"), .backend("b NO [AUTHENTICATIONFAILED] failed\r\n"),
        ])
        #expect(inspector.login.attempts == 2)
        #expect(inspector.login.result == .rejected)
        _ = RelayedSession.run(&inspector, [.client("c LOGIN bob right\r\n"), .backend("c OK Logged in\r\n")])
        #expect(inspector.login.attempts == 3)
        #expect(inspector.login.result == .accepted)
    }

    @Test func pop3RejectedPassThenAccepted() {
        var inspector = POP3LoginInspector(afterStartTLS: false)
        _ = RelayedSession.run(&inspector, [
            .backend("+OK ready\r\n"),
            .client("USER carol\r\n"), .backend("+OK\r\n"), .client("PASS nope\r\n"), .backend("-ERR [AUTH] failed\r\n"),
            .client("USER carol\r\n"), .backend("+OK\r\n"), .client("PASS yes\r\n"), .backend("+OK Logged in\r\n"),
        ])
        #expect(inspector.login.attempts == 2)
        #expect(inspector.login.result == .accepted)
    }

    @Test func smtpAuthFailureThenSuccess() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        _ = RelayedSession.run(&inspector, [
            .client("EHLO me\r\n"), .backend("250-mx\r\n250 AUTH PLAIN\r\n"),
            .client("AUTH PLAIN AGRhdmUAbm9wZQ==\r\n"), .backend("535 5.7.8 Authentication failed\r\n"),
            .client("AUTH PLAIN AGRhdmUAeWVz\r\n"), .backend("235 2.7.0 Authentication successful\r\n"),
        ])
        #expect(inspector.login.attempts == 2)
        #expect(inspector.login.result == .accepted)
        #expect(inspector.login.user == "dave")
    }

    @Test func noResultNoAttempt() {
        var inspector = IMAPLoginInspector(checksGreeting: false)
        _ = RelayedSession.run(&inspector, [.client("a LOGIN bob secret\r\n")])
        #expect(inspector.login.attempts == 0)
    }
}
