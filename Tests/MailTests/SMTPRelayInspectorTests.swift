import Testing
@testable import Mail

@Suite struct SMTPRelayInspectorTests {
    private let ehloWithStartTLSLast = "250-backend.example\r\n250-PIPELINING\r\n250-AUTH PLAIN LOGIN\r\n250 STARTTLS\r\n"
    private let ehloWithStartTLSInside = "250-backend.example\r\n250-STARTTLS\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"

    @Test func startTLSIsRemovedFromEHLOWhenItIsTheLastLine() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        let session = RelayedSession.run(&inspector, [.client("EHLO me\r\n"), .backend(ehloWithStartTLSLast)])
        #expect(text(session.toClient) == "250-backend.example\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n")
    }

    @Test func startTLSIsRemovedFromEHLOInTheMiddleSplitAtEveryByte() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        let chunks: [RelayedSession.Chunk] = [.client("EHLO me\r\n")] + ehloWithStartTLSInside.map { .backend(String($0)) }
        let session = RelayedSession.run(&inspector, chunks)
        #expect(text(session.toClient) == "250-backend.example\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n")
    }

    @Test func implicitTLSSessionsKeepTheGreetingButNeverOfferStartTLS() {
        // On 465 the client is on TLS from the first byte: a backend that offers
        // STARTTLS must not tempt it into TLS inside TLS.
        var inspector = SMTPRelayInspector(afterStartTLS: false)
        let backend = "220 backend ESMTP\r\n"
        let session = RelayedSession.run(&inspector, [
            .backend(backend), .client("EHLO me\r\nSTARTTLS\r\n"), .backend(ehloWithStartTLSLast),
        ])
        #expect(text(session.toClient)
            == backend + "250-backend.example\r\n250-PIPELINING\r\n250 AUTH PLAIN LOGIN\r\n503 5.5.1 Error: TLS already active\r\n")
        #expect(text(session.toBackend) == "EHLO me\r\n")
    }

    @Test func aSecondStartTLSIsAnsweredLocallyAndNotForwarded() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        let session = RelayedSession.run(&inspector, [.client("STARTTLS\r\n")])
        #expect(session.toBackend.isEmpty)
        #expect(text(session.toClient) == "503 5.5.1 Error: TLS already active\r\n")
    }

    @Test func aPipelinedStartTLSIsAnsweredInItsTurn() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        let session = RelayedSession.run(&inspector, [
            .client("RSET\r\nSTARTTLS\r\nNOOP\r\n"), .backend("250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n"),
        ])
        #expect(text(session.toBackend) == "RSET\r\nNOOP\r\n")
        #expect(text(session.toClient) == "250 2.0.0 Ok\r\n503 5.5.1 Error: TLS already active\r\n250 2.0.0 Ok\r\n")
    }

    @Test func authPlainInitialResponseAcceptedEndsInspection() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        let session = RelayedSession.run(&inspector, [
            .client("EHLO me\r\n"), .backend("250 backend\r\n"),
            .client("AUTH PLAIN AGNhcm9sAGh1bnRlcjI=\r\n"), .backend("235 2.7.0 Authentication successful\r\n"),
        ])
        #expect(text(session.toBackend) == "EHLO me\r\nAUTH PLAIN AGNhcm9sAGh1bnRlcjI=\r\n")
        #expect(inspector.login == LoginObservation(user: "carol", mechanism: "PLAIN", result: .accepted))
        #expect(exposesNothingOf("hunter2", in: inspector.login))
        #expect(inspector.isDone)
    }

    @Test func authLoginRejected() {
        var inspector = SMTPRelayInspector(afterStartTLS: false)
        _ = RelayedSession.run(&inspector, [
            .backend("220 backend ESMTP\r\n"),
            .client("AUTH LOGIN\r\n"), .backend("334 VXNlcm5hbWU6\r\n"),
            .client("ZnJhbms=\r\n"), .backend("334 UGFzc3dvcmQ6\r\n"),
            .client("bGV0bWVpbg==\r\n"), .backend("535 5.7.8 Error: authentication failed\r\n"),
        ])
        #expect(inspector.login == LoginObservation(user: "frank", mechanism: "LOGIN", result: .rejected))
        #expect(exposesNothingOf("letmein", in: inspector.login))
        #expect(!inspector.isDone)
    }

    @Test func authPlainWithContinuationSplitAtEveryByte() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        var chunks: [RelayedSession.Chunk] = "AUTH PLAIN\r\n".map { .client(String($0)) }
        chunks += "334 \r\n".map { .backend(String($0)) }
        chunks += "AGNhcm9sAGh1bnRlcjI=\r\n".map { .client(String($0)) }
        chunks += "235 2.7.0 ok\r\n".map { .backend(String($0)) }
        let session = RelayedSession.run(&inspector, chunks)
        #expect(text(session.toBackend) == "AUTH PLAIN\r\nAGNhcm9sAGh1bnRlcjI=\r\n")
        #expect(inspector.login == LoginObservation(user: "carol", mechanism: "PLAIN", result: .accepted))
    }

    @Test func dataEndsInspectionAndTheMessageIsForwardedUntouched() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        let pipelined = "MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: hi\n\nSTARTTLS\r\n.\r\n"
        let session = RelayedSession.run(&inspector, [.client("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: hi\n"),
                                                      .client("\nSTARTTLS\r\n.\r\n")])
        #expect(text(session.toBackend) == pipelined)
        #expect(inspector.isDone)
    }

    @Test func aPartialLineHeldWhenInspectionEndsIsNotLost() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        var session = RelayedSession.run(&inspector, [.backend("250 2.0.0 O"), .client("BDAT 5 LAST\r\nhello")])
        #expect(!inspector.isDone)
        session = RelayedSession.run(&inspector, [.backend("k\r\n")])
        #expect(text(session.toClient) == "250 2.0.0 Ok\r\n")
        #expect(inspector.isDone)
    }

    @Test func anOverlongLineIsForwardedWholeAndEndsInspection() {
        var inspector = SMTPRelayInspector(afterStartTLS: true, limits: InspectorLimits(maxLineLength: 100))
        let long = "AUTH XOAUTH2 " + String(repeating: "A", count: 300) + "\r\nNOOP\r\n"
        let session = RelayedSession.run(&inspector, [.client(String(long.prefix(150))), .client(String(long.dropFirst(150)))])
        #expect(text(session.toBackend) == long)
        #expect(inspector.isDone)
    }

    @Test func bareLineFeedsAreForwardedAsTheyCame() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        let session = RelayedSession.run(&inspector, [.client("EHLO me\n"), .backend("250-x\n250 STARTTLS\n")])
        #expect(text(session.toBackend) == "EHLO me\n")
        #expect(text(session.toClient) == "250 x\n")
    }
}

/// Bytes an inspector held must reach their peer whenever it stops looking:
/// on giving up, on stepping aside, and when a side closes.
@Suite struct SMTPRelayInspectorHeldBytesTests {
    @Test(arguments: [false, true])
    func aBackendLineThatIsNotAReplyReachesTheClient(afterStartTLS: Bool) {
        var inspector = SMTPRelayInspector(afterStartTLS: afterStartTLS)
        let greeting = afterStartTLS ? "" : "220 backend ESMTP\r\n"
        let session = RelayedSession.run(&inspector, [
            .backend(greeting), .client("NOOP\r\n"), .backend("ECHO NOOP\r\n250 2.0.0 Ok\r\n"),
            .client("STARTTLS\r\n"),
        ])
        #expect(text(session.toClient) == greeting + "ECHO NOOP\r\n250 2.0.0 Ok\r\n")
        #expect(text(session.toBackend) == "NOOP\r\nSTARTTLS\r\n")
        #expect(inspector.isDone)
    }

    @Test func aNonReplyLineArrivingAloneReachesTheClient() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        let session = RelayedSession.run(&inspector, [.client("NOOP\r\n"), .backend("ECHO"), .backend(" NOOP\r\n")])
        #expect(text(session.toClient) == "ECHO NOOP\r\n")
    }

    @Test func repliesToCommandsInspectedBeforeSteppingAsideAreStillRewritten() {
        // The budget runs out on NOOP, pipelined behind EHLO: the EHLO reply
        // still loses STARTTLS; the STARTTLS after the budget goes through.
        var inspector = SMTPRelayInspector(afterStartTLS: true, limits: InspectorLimits(maxCommands: 2))
        let session = RelayedSession.run(&inspector, [
            .client("EHLO me\r\nNOOP\r\nSTARTTLS\r\n"),
            .backend("250-backend.example\r\n250-STARTTLS\r\n250 8BITMIME\r\n250 2.0.0 Ok\r\n"),
            .backend("454 4.7.0 TLS not available\r\n"),
        ])
        #expect(text(session.toBackend) == "EHLO me\r\nNOOP\r\nSTARTTLS\r\n")
        #expect(text(session.toClient) == "250-backend.example\r\n250 8BITMIME\r\n250 2.0.0 Ok\r\n"
            + "454 4.7.0 TLS not available\r\n")
        #expect(inspector.isDone)
    }

    @Test func anEHLOReplyHeldWhenTheClientStepsAsideIsSentOnceAndFiltered() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        let session = RelayedSession.run(&inspector, [
            .client("EHLO me\r\n"), .backend("250-backend.example\r\n"), .client("DATA\r\n"),
            .backend("250-STARTTLS\r\n250 PIPELINING\r\n"), .backend("354 go ahead\r\n"),
        ])
        #expect(text(session.toClient) == "250-backend.example\r\n250 PIPELINING\r\n354 go ahead\r\n")
        #expect(inspector.isDone)
    }

    @Test func aPartialCommandHeldWhenTheClientClosesIsPassedOn() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        var session = RelayedSession.run(&inspector, [.client("NOOP\r\nQUI")])
        session.toBackend += inspector.clientClosed()
        #expect(text(session.toBackend) == "NOOP\r\nQUI")
    }

    @Test func anEHLOReplyHeldWhenTheBackendClosesIsPassedOn() {
        var inspector = SMTPRelayInspector(afterStartTLS: true)
        var session = RelayedSession.run(&inspector, [.client("EHLO me\r\n"), .backend("250-backend.example\r\n250-SIZE")])
        session.toClient += inspector.backendClosed()
        #expect(text(session.toClient) == "250-backend.example\r\n250-SIZE")
    }
}

@Suite struct SMTPRelayInspectorBoundsTests {
    @Test func anEndlessEHLOReplyIsPassedOnUnfiltered() {
        var inspector = SMTPRelayInspector(afterStartTLS: true, limits: InspectorLimits(maxLineLength: 100))
        let lines = String(repeating: "250-STARTTLS\r\n", count: 20)
        let session = RelayedSession.run(&inspector, [.client("EHLO me\r\n"), .backend(lines)])
        #expect(text(session.toClient) == lines)
        #expect(inspector.isDone)
    }

    @Test func repeatedStartTLSCountsTowardTheCommandBudget() {
        var inspector = SMTPRelayInspector(afterStartTLS: true, limits: InspectorLimits(maxCommands: 3))
        _ = RelayedSession.run(&inspector, [.client("STARTTLS\r\nSTARTTLS\r\nSTARTTLS\r\n")])
        #expect(inspector.isDone)
    }
}
