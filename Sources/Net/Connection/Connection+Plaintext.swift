import EventLog
import Mail
import TLS

/// tlsfloord's own conversations in a mail protocol: the plaintext part of
/// a STARTTLS session, and the readable refusal for a client below the
/// floor (`legacy.action = "explain"`). The protocol logic is in `Mail`;
/// this only moves its bytes.
extension Connection {
    /// What one turn reads of the client's commands; more waits for the next turn.
    private static let inputPerTurn = 16_384

    func startPlaintext() {
        var machine = MailSessions.preamble(for: runtime.mailProtocol, hostname: runtime.configuration.hostname)
        toClient.append(machine.greeting())
        enter(.plaintext(machine))
        inboundWait = .clientReadable
        flushReplies()
    }

    func readPlaintext(_ machine: any StartTLSPreamble) {
        guard let input = readClientPlaintext() else { return }
        var machine = machine
        let actions = machine.receive(input)
        update(.plaintext(machine))
        perform(actions)
        guard case .plaintext = phase else { return }
        if actions.contains(.startTLS) {
            guard toClient.isEmpty else {
                close(.plaintextClosed, error: "client does not read our replies")
                return
            }
            // Whatever the client sent after STARTTLS was dropped with `input`;
            // OpenSSL reads only what arrives from now on.
            startHandshake()
        } else {
            inboundWait = .clientReadable
        }
    }

    func startRefusal(message: String, kind: LegacyRefusalKind) {
        var machine = MailSessions.legacyRefusal(for: runtime.mailProtocol, kind: kind, message: message,
                                                 afterStartTLS: runtime.configuration.tls == .starttls,
                                                 hostname: runtime.configuration.hostname)
        let greeting = machine.greeting()
        enter(.refusing(machine, outcome: kind == .permanent ? .legacyExplained : .legacyRamped))
        inboundWait = .clientReadable
        perform(greeting)
    }

    /// Reads what the client says to the refusal. At most `inputPerTurn`
    /// per turn; the rest stays in OpenSSL or the socket, and the wait
    /// (whose readiness flag is still set) brings the next turn.
    func readRefusalInput(_ machine: any LegacyRefusalSession, outcome: Outcome) {
        guard let tls else { return }
        var input: [UInt8] = []
        readLoop: while input.count < Self.inputPerTurn {
            let step = tls.read(into: worker.scratch.baseAddress!, capacity: 4096)
            client.note(step)
            switch step {
            case .done(let count):
                input.append(contentsOf: UnsafeRawBufferPointer(start: worker.scratch.baseAddress, count: count))
            case .wantRead:
                inboundWait = .clientReadable
                break readLoop
            case .wantWrite:
                inboundWait = .clientWritable
                break readLoop
            case .closed, .failed:
                close(outcome)
                return
            }
        }
        if inboundWait == nil { inboundWait = .clientReadable }
        var machine = machine
        let actions = machine.receive(input)
        update(.refusing(machine, outcome: outcome))
        perform(actions)
    }

    /// Reads what the client sent in plaintext; nil when there is nothing
    /// (the lane then waits) or the session ended.
    private func readClientPlaintext() -> [UInt8]? {
        switch client.read(into: worker.scratch.baseAddress!, capacity: 4096) {
        case .bytes(let count):
            lastActivity = worker.now
            return Array(UnsafeRawBufferPointer(start: worker.scratch.baseAddress, count: count))
        case .wouldBlock:
            inboundWait = .clientReadable
        case .eof:
            close(.plaintextClosed)
        case .failed(let error):
            close(.plaintextClosed, error: error.message)
        }
        return nil
    }

    private func perform(_ actions: [PreambleAction]) {
        for action in actions {
            switch action {
            case .send(let bytes):
                toClient.append(bytes)
            case .startTLS:
                break
            case .close(let reason):
                closeAfterReply([], outcome: phase.outcomeIfClientLeaves.0, error: reason)
                return
            }
        }
        flushReplies()
    }
}
