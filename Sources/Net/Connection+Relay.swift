import EventLog
import Glibc
import Mail
import TLS

/// The relay: plaintext from the TLS session to the backend and back,
/// through the worker's scratch buffer. Bytes are copied only when the
/// receiver cannot take them at once, and then the sender is not read again
/// until they are gone — a slow peer costs at most one read of memory.
extension Connection {
    /// Iterations per readiness event, so one busy connection cannot starve
    /// the others on its queue.
    private static let budget = 16

    func startRelay() {
        phase = .relaying
        pendingOutcome = (.relayed, nil)
        inspector = MailSessions.inspector(for: runtime.mailProtocol, afterStartTLS: runtime.configuration.tls == .starttls)
        lastActivity = worker.now
        pumpUpstream()
        if phase == .relaying { pumpDownstream() }
    }

    // MARK: Client → backend

    func pumpUpstream() {
        guard let tls, let backend else { return }
        for _ in 0..<Self.budget {
            guard flushBackend(backend) else { return }
            if clientFinished {
                if !backendWriteShut {
                    backendWriteShut = true
                    shutdown(backend.fd, Int32(SHUT_WR))
                }
                return
            }
            let capacity = min(worker.scratch.count, runtime.limits.bufferLimit)
            switch tls.read(into: worker.scratch.baseAddress!, capacity: capacity) {
            case .done(let count):
                lastActivity = worker.now
                record.bytesIn += count
                forwardToBackend(UnsafeRawBufferPointer(start: worker.scratch.baseAddress, count: count), backend)
                if phase != .relaying { return }
            case .wantRead:
                upstream = .clientReadable
                return
            case .wantWrite:
                upstream = .clientWritable
                return
            case .closed:
                clientFinished = true
            case .failed(let failure):
                end(.relayed, error: "client: \(failure.detail)")
                return
            }
        }
        yield { $0.pumpUpstream() }
    }

    private func forwardToBackend(_ bytes: UnsafeRawBufferPointer, _ backend: SocketHandle) {
        guard var current = inspector else {
            writeOrQueue(bytes, to: backend.fd, queue: &toBackend)
            return
        }
        let inspection = current.clientToBackend(Array(bytes))
        inspector = current.isDone ? nil : current
        if current.isDone { record.apply(current.login) }
        inspection.forward.withUnsafeBytes { writeOrQueue($0, to: backend.fd, queue: &toBackend) }
        if !inspection.answer.isEmpty { answerClient(inspection.answer) }
    }

    /// Writes what the backend takes now and queues the rest.
    private func writeOrQueue(_ bytes: UnsafeRawBufferPointer, to fd: Int32, queue: inout ByteQueue) {
        guard !bytes.isEmpty else { return }
        guard queue.isEmpty else {
            queue.append(bytes)
            return
        }
        let written = write(fd, bytes.baseAddress, bytes.count)
        if written == bytes.count { return }
        queue.append(UnsafeRawBufferPointer(rebasing: bytes[max(written, 0)...]))
    }

    /// Sends queued bytes to the backend; false if some remain (or it failed).
    private func flushBackend(_ backend: SocketHandle) -> Bool {
        while !toBackend.isEmpty {
            let written = toBackend.withUnsafeBytes { write(backend.fd, $0.baseAddress, $0.count) }
            if written > 0 {
                toBackend.removeFirst(written)
                continue
            }
            if written < 0, errno == EAGAIN || errno == EINTR {
                upstream = .backendWritable
            } else {
                end(.relayed, error: "backend: \(String(cString: strerror(errno)))")
            }
            return false
        }
        return true
    }

    /// A reply the inspector makes on the backend's behalf (e.g. `503` to a
    /// second STARTTLS), queued in order with the backend's own output.
    private func answerClient(_ reply: [UInt8]) {
        toClient.append(reply)
        if downstream == .backendReadable || downstream == nil {
            downstream = nil
            pumpDownstream()
        }
    }

    // MARK: Backend → client

    func pumpDownstream() {
        guard let tls, let backend else { return }
        for _ in 0..<Self.budget {
            guard flushClient(tls) else { return }
            if backendFinished {
                // The backend ended the session: nothing more will make sense to the client.
                tls.sendCloseNotify()
                end(.relayed)
                return
            }
            let capacity = min(worker.scratch.count, runtime.limits.bufferLimit)
            let count = read(backend.fd, worker.scratch.baseAddress, capacity)
            if count > 0 {
                lastActivity = worker.now
                record.bytesOut += count
                forwardToClient(UnsafeRawBufferPointer(start: worker.scratch.baseAddress, count: count), tls)
                if phase != .relaying { return }
            } else if count == 0 {
                backendFinished = true
            } else if errno == EAGAIN || errno == EINTR {
                downstream = .backendReadable
                return
            } else {
                end(.relayed, error: "backend: \(String(cString: strerror(errno)))")
                return
            }
        }
        yield { $0.pumpDownstream() }
    }

    private func forwardToClient(_ bytes: UnsafeRawBufferPointer, _ tls: TLSSession) {
        guard var current = inspector else {
            writeOrQueue(bytes, tls)
            return
        }
        let inspection = current.backendToClient(Array(bytes))
        inspector = current.isDone ? nil : current
        if current.isDone { record.apply(current.login) }
        if let refusal = inspection.refusal {
            finish(with: MailReplies.unavailable(runtime.mailProtocol, hostname: runtime.configuration.hostname),
                   outcome: .backendRefused, error: refusal)
            return
        }
        inspection.forward.withUnsafeBytes { writeOrQueue($0, tls) }
        if !inspection.answer.isEmpty, let backend {
            inspection.answer.withUnsafeBytes { writeOrQueue($0, to: backend.fd, queue: &toBackend) }
        }
    }

    private func writeOrQueue(_ bytes: UnsafeRawBufferPointer, _ tls: TLSSession) {
        guard !bytes.isEmpty else { return }
        guard toClient.isEmpty else {
            toClient.append(bytes)
            return
        }
        var offset = 0
        while offset < bytes.count {
            guard case .done(let written) = tls.write(bytes.baseAddress! + offset, count: bytes.count - offset) else { break }
            offset += written
        }
        if offset < bytes.count { toClient.append(UnsafeRawBufferPointer(rebasing: bytes[offset...])) }
    }

    /// Sends queued bytes to the client over TLS; false if some remain.
    /// OpenSSL wants a retried write to carry the same bytes again — the
    /// queue's front is exactly that (ACCEPT_MOVING_WRITE_BUFFER allows
    /// the address to change).
    private func flushClient(_ tls: TLSSession) -> Bool {
        while !toClient.isEmpty {
            let step = toClient.withUnsafeBytes { tls.write($0.baseAddress!, count: $0.count) }
            switch step {
            case .done(let written):
                toClient.removeFirst(written)
            case .wantWrite:
                downstream = .clientWritable
                return false
            case .wantRead:
                downstream = .clientReadable
                return false
            case .closed, .failed:
                end(pendingOutcome.0, error: "client went away")
                return false
            }
        }
        return true
    }

    /// Flushes tlsfloord's own replies (plaintext before TLS, over TLS
    /// after), then closes if the phase is `.finishing`.
    func flushClient() {
        if let tls, phase != .plaintext {
            guard flushClient(tls) else { return }
        } else {
            while !toClient.isEmpty {
                let written = toClient.withUnsafeBytes { write(client.fd, $0.baseAddress, $0.count) }
                if written > 0 {
                    toClient.removeFirst(written)
                } else if written < 0, errno == EAGAIN || errno == EINTR {
                    downstream = .clientWritable
                    return
                } else {
                    end(pendingOutcome.0, error: "client went away")
                    return
                }
            }
        }
        if phase == .finishing {
            tls?.sendCloseNotify()
            end(pendingOutcome.0, error: pendingOutcome.1)
        }
    }

    /// Lets other connections on this queue run before continuing.
    private func yield(_ resume: @escaping @Sendable (Connection) -> Void) {
        worker.queue.async { [self] in
            guard phase == .relaying else { return }
            resume(self)
            updateInterest()
        }
    }
}
