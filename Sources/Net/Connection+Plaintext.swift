import EventLog
import Glibc
import Mail

/// tlsfloord's own conversations in a mail protocol: the plaintext part of
/// a STARTTLS session, and the readable refusal for a client below the
/// floor (`legacy.action = "explain"`). The protocol logic is in `Mail`;
/// this only moves its bytes.
extension Connection {
    func startPlaintext() {
        var machine = MailSessions.preamble(for: runtime.mailProtocol, hostname: runtime.configuration.hostname)
        phase = .plaintext
        pendingOutcome = (.plaintextClosed, nil)
        toClient.append(machine.greeting())
        preamble = machine
        upstream = .clientReadable
        flushClient()
    }

    func readPlaintext() {
        guard var machine = preamble, let input = readClientPlaintext() else { return }
        let actions = machine.receive(input)
        preamble = machine
        perform(actions, outcomeOnClose: .plaintextClosed)
        guard phase == .plaintext else { return }
        if actions.contains(.startTLS) {
            guard toClient.isEmpty else {
                end(.plaintextClosed, error: "client does not read our replies")
                return
            }
            // Whatever the client sent after STARTTLS was dropped with `input`;
            // OpenSSL reads only what arrives from now on.
            preamble = nil
            startHandshake()
        } else {
            upstream = .clientReadable
        }
    }

    func startRefusal(message: String) {
        var machine = MailSessions.legacyRefusal(for: runtime.mailProtocol, message: message,
                                                       afterStartTLS: runtime.configuration.tls == .starttls,
                                                       hostname: runtime.configuration.hostname)
        phase = .refusing
        pendingOutcome = (.legacyExplained, nil)
        deadline = worker.now + UInt64(runtime.limits.handshakeTimeout.milliseconds)
        let greeting = machine.greeting()
        refusal = machine
        upstream = .clientReadable
        perform(greeting, outcomeOnClose: .legacyExplained)
    }

    func readRefusalInput() {
        guard var machine = refusal, let tls else { return }
        var input: [UInt8] = []
        while true {
            switch tls.read(into: worker.scratch.baseAddress!, capacity: 4096) {
            case .done(let count):
                input.append(contentsOf: UnsafeRawBufferPointer(start: worker.scratch.baseAddress, count: count))
                if input.count < 16_384 { continue }
                // Enough for one turn; come back for the rest.
                upstream = .clientReadable
            case .wantRead:
                upstream = .clientReadable
            case .wantWrite:
                upstream = .clientWritable
            case .closed, .failed:
                end(.legacyExplained)
                return
            }
            break
        }
        let actions = machine.receive(input)
        refusal = machine
        perform(actions, outcomeOnClose: .legacyExplained)
    }

    /// Reads what the client sent in plaintext; nil when the session ended.
    private func readClientPlaintext() -> [UInt8]? {
        let count = read(client.fd, worker.scratch.baseAddress, 4096)
        if count > 0 {
            lastActivity = worker.now
            return Array(UnsafeRawBufferPointer(start: worker.scratch.baseAddress, count: count))
        }
        if count < 0, errno == EAGAIN || errno == EINTR {
            upstream = .clientReadable
            return nil
        }
        end(.plaintextClosed, error: count == 0 ? nil : String(cString: strerror(errno)))
        return nil
    }

    private func perform(_ actions: [PreambleAction], outcomeOnClose: Outcome) {
        for action in actions {
            switch action {
            case .send(let bytes):
                toClient.append(bytes)
            case .startTLS:
                break
            case .close(let reason):
                finish(with: [], outcome: outcomeOnClose, error: reason)
                return
            }
        }
        flushClient()
    }
}
