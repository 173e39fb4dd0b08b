import Testing
@testable import Mail

@Suite struct IMAPLoginInspectorTests {
    @Test func loginWithQuotedStringsAccepted() {
        var inspector = IMAPLoginInspector(checksGreeting: false)
        let input = "a1 LOGIN \"alice@example.org\" \"s3cr\\\"et\"\r\n"
        let session = RelayedSession.run(&inspector, [
            .client(input), .backend("a1 OK [CAPABILITY IMAP4rev1] Logged in\r\n"),
        ])
        #expect(text(session.toBackend) == input)
        #expect(inspector.login == LoginObservation(user: "alice@example.org", mechanism: "LOGIN", result: .accepted))
        #expect(exposesNothingOf("s3cr", in: inspector.login))
    }

    /// An escaped quote is part of the name: a name cut at it could pass for another user (exempt_users).
    @Test func quotedNameWithAnEscapedQuoteIsReadWhole() {
        var inspector = IMAPLoginInspector(checksGreeting: false)
        _ = RelayedSession.run(&inspector, [
            .client("a1 LOGIN \"x\\\" y\" \"pw\"\r\n"), .backend("a1 NO [AUTHENTICATIONFAILED] no\r\n"),
        ])
        #expect(inspector.login.user == "x\" y")
    }

    @Test func rejectedLoginThenTheBudgetRunsOut() {
        var inspector = IMAPLoginInspector(checksGreeting: false, limits: InspectorLimits(maxCommands: 3))
        _ = RelayedSession.run(&inspector, [
            .client("a LOGIN bob wrongpass\r\n"),
            .backend("* OK still here\r\na NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"),
        ])
        #expect(inspector.login == LoginObservation(user: "bob", mechanism: "LOGIN", result: .rejected))
        #expect(!inspector.isDone)
        _ = RelayedSession.run(&inspector, [.client("b NOOP\r\nc NOOP\r\n")])
        #expect(inspector.isDone)
    }

    /// Lines before any login are skipped unread; a line cut at a chunk's end
    /// must still not pass for the start of one (here: text that looks like
    /// the tagged reply, but is the tail of an untagged line).
    @Test func linesBeforeTheLoginAreSkippedWithoutLosingTheLineStart() {
        var inspector = IMAPLoginInspector(checksGreeting: false)
        let session = RelayedSession.run(&inspector, [
            .backend("* OK one\r\n* OK two, then a cut line: "),
            .client("a1 LOGIN bob secret\r\n"),
            .backend("a1 OK is not a reply here\r\na1 NO [AUTHENTICATIONFAILED] no\r\n"),
        ])
        #expect(text(session.toClient) == "* OK one\r\n* OK two, then a cut line: a1 OK is not a reply here\r\na1 NO [AUTHENTICATIONFAILED] no\r\n")
        #expect(inspector.login == LoginObservation(user: "bob", mechanism: "LOGIN", result: .rejected))
    }

    @Test func loginWithLiteralsSplitAtEveryByte() {
        var inspector = IMAPLoginInspector(checksGreeting: false)
        let client = "a LOGIN {5}\r\nalice {10}\r\npass\nword!\r\n"
        var chunks: [RelayedSession.Chunk] = client.map { .client(String($0)) }
        chunks += "a OK done\r\n".map { .backend(String($0)) }
        let session = RelayedSession.run(&inspector, chunks)
        #expect(text(session.toBackend) == client)
        #expect(inspector.login.user == "alice")
        #expect(inspector.login.result == .accepted)
        #expect(exposesNothingOf("word", in: inspector.login))
    }

    @Test func nonSynchronizingLiteralForTheUser() {
        var inspector = IMAPLoginInspector(checksGreeting: false)
        _ = RelayedSession.run(&inspector, [.client("x LOGIN {3+}\r\nbob \"pw\"\r\n"), .backend("x OK\r\n")])
        #expect(inspector.login == LoginObservation(user: "bob", mechanism: "LOGIN", result: .accepted))
    }

    @Test func authenticatePlainWithInitialResponse() {
        // "\0carol\0hunter2"
        var inspector = IMAPLoginInspector(checksGreeting: false)
        _ = RelayedSession.run(&inspector, [
            .client("t AUTHENTICATE PLAIN AGNhcm9sAGh1bnRlcjI=\r\n"), .backend("t OK Logged in\r\n"),
        ])
        #expect(inspector.login == LoginObservation(user: "carol", mechanism: "PLAIN", result: .accepted))
        #expect(exposesNothingOf("hunter2", in: inspector.login))
    }

    @Test func authenticatePlainWithContinuationRejected() {
        var inspector = IMAPLoginInspector(checksGreeting: false)
        _ = RelayedSession.run(&inspector, [
            .client("t AUTHENTICATE plain\r\n"), .backend("+ \r\n"),
            .client("AGNhcm9sAGh1bnRlcjI=\r\n"), .backend("t NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"),
        ])
        #expect(inspector.login == LoginObservation(user: "carol", mechanism: "PLAIN", result: .rejected))
        #expect(!inspector.isDone)
    }

    @Test func idBeforeLoginIsRecordedAndLoginEndsInspection() {
        var inspector = IMAPLoginInspector(checksGreeting: false)
        _ = RelayedSession.run(&inspector, [
            .client("1 ID (\"name\" \"Thunderbird\" \"version\" \"115.3.1\" \"os\" NIL)\r\n"),
            .backend("* ID NIL\r\n1 OK ID completed\r\n"),
            .client("2 LOGIN dave pw\r\n"), .backend("2 OK\r\n"),
        ])
        #expect(inspector.login == LoginObservation(user: "dave", mechanism: "LOGIN", result: .accepted,
                                                    clientName: "Thunderbird", clientVersion: "115.3.1"))
        #expect(inspector.isDone)
    }

    @Test func idRightAfterLoginIsStillSeen() {
        var inspector = IMAPLoginInspector(checksGreeting: false)
        _ = RelayedSession.run(&inspector, [
            .client("2 LOGIN dave pw\r\n"), .backend("2 OK\r\n"),
        ])
        #expect(!inspector.isDone)
        _ = RelayedSession.run(&inspector, [.client("3 id (\"NAME\" \"K-9 Mail\" \"VERSION\" NIL)\r\n")])
        #expect(inspector.login.clientName == "K-9 Mail")
        #expect(inspector.login.clientVersion == nil)
        #expect(inspector.isDone)
    }

    @Test func stepsAsideAFewCommandsAfterLoginWithoutID() {
        var inspector = IMAPLoginInspector(checksGreeting: false)
        _ = RelayedSession.run(&inspector, [.client("2 LOGIN dave pw\r\n"), .backend("2 OK\r\n"),
                                            .client("3 SELECT INBOX\r\n4 FETCH 1 BODY[]\r\n")])
        #expect(!inspector.isDone)
        _ = RelayedSession.run(&inspector, [.client("5 LOGOUT\r\n")])
        #expect(inspector.isDone)
    }

    @Test func anOverlongLineEndsInspectionButIsStillForwarded() {
        var inspector = IMAPLoginInspector(checksGreeting: false, limits: InspectorLimits(maxLineLength: 100))
        let long = "a " + String(repeating: "x", count: 200) + "\r\n"
        let session = RelayedSession.run(&inspector, [.client(long)])
        #expect(text(session.toBackend) == long)
        #expect(inspector.isDone)
    }

    // MARK: The backend greeting on 993

    @Test func implicitTLSGreetingIsPassedOnOnceItIsCompleteEvenByteByByte() {
        var inspector = IMAPLoginInspector(checksGreeting: true)
        let greeting = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot ready.\r\n"
        var forwarded: [UInt8] = []
        for byte in greeting.utf8 {
            let inspection = inspector.backendToClient([byte])
            #expect(inspection.refusal == nil)
            forwarded += inspection.forward
            if forwarded.isEmpty { #expect(!inspector.isDone) }
        }
        #expect(text(forwarded) == greeting)
    }

    @Test(arguments: ["* PREAUTH [CAPABILITY IMAP4rev1] Logged in as mail\r\n", "* preauth ok\n"])
    func preauthGreetingOnImplicitTLSEndsTheSession(greeting: String) {
        var inspector = IMAPLoginInspector(checksGreeting: true)
        let inspection = inspector.backendToClient(Array(greeting.utf8))
        #expect(inspection.forward.isEmpty)
        #expect(inspection.refusal?.contains("PREAUTH") == true)
    }

    @Test func aGreetingHeldWhenTheBackendClosesIsPassedOn() {
        var inspector = IMAPLoginInspector(checksGreeting: true)
        #expect(inspector.backendToClient(wire("* BYE going away")).forward.isEmpty)
        #expect(text(inspector.backendClosed()) == "* BYE going away")
    }

    @Test func aPreauthGreetingIsNotPassedOnEvenWhenTheBackendClosesBeforeItsEnd() {
        var inspector = IMAPLoginInspector(checksGreeting: true)
        _ = inspector.backendToClient(wire("* PREAUTH logged in"))
        #expect(inspector.backendClosed().isEmpty)
    }

    @Test func clientCommandsBeforeTheGreetingDoNotSkipTheCheck() {
        var inspector = IMAPLoginInspector(checksGreeting: true)
        _ = inspector.clientToBackend(Array("\u{1}garbage that stops the inspector\r\n".utf8))
        #expect(!inspector.isDone)
        #expect(inspector.backendToClient(Array("* PREAUTH hi\r\n".utf8)).refusal != nil)
    }
}
