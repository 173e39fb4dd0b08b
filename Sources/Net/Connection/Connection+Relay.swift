import EventLog
import Glibc
import Mail
import TLS

/// The relay: plaintext from the TLS session to the backend and back,
/// through the worker's scratch buffer. Bytes are copied only when the
/// receiver cannot take them at once, and then the sender is not read again
/// until they are gone — a slow peer costs at most one read of memory.
extension Connection {
    /// Reads per lane per step, so one busy connection cannot starve the
    /// others on its worker.
    private static let readsPerStep = 16

    /// - Parameter afterGreeting: backend bytes that came right behind its
    ///   greeting (STARTTLS); they pass the inspector like everything after.
    func startRelay(afterGreeting: [UInt8] = []) {
        let afterStartTLS = runtime.configuration.tls == .starttls
        let relay: Relay
        if case .loginGate(let message, let temporary) = tls?.decision {
            let gate = MailSessions.loginGate(for: runtime.mailProtocol, afterStartTLS: afterStartTLS,
                                              exemptUsers: runtime.policy.legacy.exemptUsers, message: message,
                                              kind: temporary ? .temporary : .permanent)
            relay = Relay(inspector: gate, refusalOutcome: temporary ? .legacyRamped : .legacyExplained)
        } else {
            relay = Relay(inspector: MailSessions.inspector(for: runtime.mailProtocol, afterStartTLS: afterStartTLS))
        }
        enter(.relaying(relay))
        inboundWait = .clientReadable
        outboundWait = .backendReadable
        if let tls, !afterGreeting.isEmpty {
            afterGreeting.withUnsafeBytes { forwardToClient($0, relay, tls) }
            guard phase.isRelaying else { return }
        }
        // Bytes that came with the handshake or the greeting are waiting already.
        pumpUpstream(relay)
        if phase.isRelaying { pumpDownstream(relay) }
    }

    // MARK: Client → backend

    func pumpUpstream(_ relay: Relay) {
        guard let tls, backend != nil else { return }
        for _ in 0..<Self.readsPerStep {
            guard flushToBackend() else { return }
            if relay.clientFinished {
                if !relay.backendWriteShut {
                    relay.backendWriteShut = true
                    shutdown(backend!.rawValue, Int32(SHUT_WR))
                }
                return
            }
            let capacity = min(worker.scratch.count, runtime.limits.bufferLimit)
            let step = tls.read(into: worker.scratch.baseAddress!, capacity: capacity)
            client.note(step)
            switch step {
            case .done(let count):
                lastActivity = worker.now
                record.bytesIn += count
                forwardToBackend(UnsafeRawBufferPointer(start: worker.scratch.baseAddress, count: count), relay)
                if !phase.isRelaying { return }
            case .wantRead:
                inboundWait = .clientReadable
                return
            case .wantWrite:
                inboundWait = .clientWritable
                return
            case .closed:
                relay.clientFinished = true
                // What the inspector still holds goes out before the backend's write side shuts.
                relay.inspector?.clientClosed().withUnsafeBytes { writeOrQueueToBackend($0) }
            case .failed(let failure):
                close(.relayed, error: "client: \(failure.detail)")
                return
            }
        }
        // More may be waiting; the readiness flag is still set, so this runs again.
        inboundWait = .clientReadable
    }

    private func forwardToBackend(_ bytes: UnsafeRawBufferPointer, _ relay: Relay) {
        guard let inspection = relay.inspector?.clientToBackend(Array(bytes)) else {
            writeOrQueueToBackend(bytes)
            return
        }
        if let refusal = inspection.refusal {
            // A legacy client's login gate refused it: the reply, and nothing more to the backend.
            if let inspector = relay.inspector { reportLegacyRefusal(of: inspector, relay) }
            closeAfterReply(inspection.answer, outcome: relay.refusalOutcome, error: refusal)
            return
        }
        noteFindings(relay)
        inspection.forward.withUnsafeBytes { writeOrQueueToBackend($0) }
        if !inspection.answer.isEmpty { answerClient(inspection.answer, relay) }
    }

    /// New login results go to the observers at once. An inspector that
    /// stepped aside leaves its findings in the record and costs nothing
    /// from then on.
    private func noteFindings(_ relay: Relay) {
        guard let inspector = relay.inspector else { return }
        guard inspector.isDone else {
            reportLoginAttempts(of: inspector, relay)
            return
        }
        recordFindings(of: inspector, relay)
        relay.inspector = nil
    }

    /// The login (reported, and in the record), and whether a login gate let an exempt user in.
    func recordFindings(of inspector: any RelayInspector, _ relay: Relay) {
        reportLoginAttempts(of: inspector, relay)
        record.apply(inspector.login)
        if (inspector as? LegacyLoginGate)?.admittedUser != nil { record.legacy = .exempt }
    }

    /// Writes what the backend takes now and queues the rest.
    private func writeOrQueueToBackend(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        guard toBackend.isEmpty else {
            toBackend.append(bytes)
            return
        }
        var written = 0
        if case .bytes(let count) = backend!.write(bytes) { written = count }
        if written < bytes.count { toBackend.append(UnsafeRawBufferPointer(rebasing: bytes[written...])) }
    }

    /// Sends queued bytes to the backend; false if some remain (the lane
    /// then waits for the backend) or the connection ended.
    private func flushToBackend() -> Bool {
        while !toBackend.isEmpty {
            switch toBackend.withUnsafeBytes({ backend!.write($0) }) {
            case .bytes(let count):
                toBackend.removeFirst(count)
            case .wouldBlock:
                inboundWait = .backendWritable
                return false
            case .eof:
                close(.relayed, error: "backend: closed")
                return false
            case .failed(let error):
                close(.relayed, error: "backend: \(error.message)")
                return false
            }
        }
        return true
    }

    /// A reply the inspector makes on the backend's behalf (e.g. `503` to a
    /// second STARTTLS), queued in order with the backend's own output.
    private func answerClient(_ reply: [UInt8], _ relay: Relay) {
        toClient.append(reply)
        if outboundWait == .backendReadable || outboundWait == nil {
            outboundWait = nil
            pumpDownstream(relay)
        }
    }

    // MARK: Backend → client

    func pumpDownstream(_ relay: Relay) {
        guard let tls, backend != nil else { return }
        for _ in 0..<Self.readsPerStep {
            guard flushToClient(tls) else { return }
            if relay.backendFinished {
                // The backend ended the session (its BYE is out): nothing more will make
                // sense to the client, which still gets to read everything before we close.
                closeBackend()
                tls.sendCloseNotify()
                linger(.relayed, error: nil)
                return
            }
            let capacity = min(worker.scratch.count, runtime.limits.bufferLimit)
            switch backend!.read(into: worker.scratch.baseAddress!, capacity: capacity) {
            case .bytes(let count):
                lastActivity = worker.now
                record.bytesOut += count
                forwardToClient(UnsafeRawBufferPointer(start: worker.scratch.baseAddress, count: count), relay, tls)
                if !phase.isRelaying { return }
            case .eof:
                relay.backendFinished = true
                // What the inspector still holds goes out before close_notify.
                relay.inspector?.backendClosed().withUnsafeBytes { writeOrQueueToClient($0, tls) }
            case .wouldBlock:
                outboundWait = .backendReadable
                return
            case .failed(let error):
                close(.relayed, error: "backend: \(error.message)")
                return
            }
        }
        outboundWait = .backendReadable
    }

    private func forwardToClient(_ bytes: UnsafeRawBufferPointer, _ relay: Relay, _ tls: TLSSession) {
        guard let inspection = relay.inspector?.backendToClient(Array(bytes)) else {
            writeOrQueueToClient(bytes, tls)
            return
        }
        noteFindings(relay)
        if let refusal = inspection.refusal {
            closeAfterReply(MailReplies.unavailable(runtime.mailProtocol, hostname: runtime.configuration.hostname),
                            outcome: .backendRefused, error: refusal)
            return
        }
        inspection.forward.withUnsafeBytes { writeOrQueueToClient($0, tls) }
        if !inspection.answer.isEmpty {
            inspection.answer.withUnsafeBytes { writeOrQueueToBackend($0) }
        }
    }

    private func writeOrQueueToClient(_ bytes: UnsafeRawBufferPointer, _ tls: TLSSession) {
        guard !bytes.isEmpty else { return }
        guard toClient.isEmpty else {
            toClient.append(bytes)
            return
        }
        var offset = 0
        while offset < bytes.count {
            let step = tls.write(bytes.baseAddress! + offset, count: bytes.count - offset)
            client.note(step)
            guard case .done(let written) = step else { break }
            offset += written
        }
        if offset < bytes.count { toClient.append(UnsafeRawBufferPointer(rebasing: bytes[offset...])) }
    }

    /// Sends queued bytes to the client over TLS; false if some remain (the
    /// lane then waits for the client) or the connection ended. OpenSSL
    /// wants a retried write to carry the same bytes again — the queue's
    /// front is exactly that (ACCEPT_MOVING_WRITE_BUFFER allows the address
    /// to change).
    private func flushToClient(_ tls: TLSSession) -> Bool {
        while !toClient.isEmpty {
            let step = toClient.withUnsafeBytes { tls.write($0.baseAddress!, count: $0.count) }
            client.note(step)
            switch step {
            case .done(let written):
                // A client still downloading is not idle, even if the backend went quiet.
                lastActivity = worker.now
                toClient.removeFirst(written)
            case .wantWrite:
                outboundWait = .clientWritable
                return false
            case .wantRead:
                outboundWait = .clientReadable
                return false
            case .closed, .failed:
                close(phase.outcomeIfClientLeaves.0, error: "client went away")
                return false
            }
        }
        return true
    }

    /// Flushes tlsfloord's own replies (plaintext before TLS, over TLS
    /// after), then closes lingering if the phase is `.closingAfterReply`.
    func flushReplies() {
        if let tls {
            guard flushToClient(tls) else { return }
        } else {
            while !toClient.isEmpty {
                switch toClient.withUnsafeBytes({ client.write($0) }) {
                case .bytes(let count):
                    toClient.removeFirst(count)
                case .wouldBlock:
                    outboundWait = .clientWritable
                    return
                case .eof, .failed:
                    close(phase.outcomeIfClientLeaves.0, error: "client went away")
                    return
                }
            }
        }
        if case .closingAfterReply(let outcome, let error) = phase {
            tls?.sendCloseNotify()
            linger(outcome, error: error)
        }
    }
}
