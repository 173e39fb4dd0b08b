import EventLog
import Glibc
import Mail

/// Connecting to a backend, with failover across the configured ones.
extension Connection {
    func connectBackend() {
        phase = .connecting
        upstream = nil
        downstream = nil
        backendAttempts = Backend.attemptOrder(runtime.backends, now: worker.now)
        backendAttempt = 0
        tryNextBackend()
    }

    private func tryNextBackend() {
        while backendAttempt < backendAttempts.count {
            let candidate = backendAttempts[backendAttempt]
            record.backend = candidate.endpoint.description
            do {
                // Several addresses (a name with A and AAAA): the first one; failover is per backend.
                guard let address = candidate.addresses.first else { throw NetError("no address") }
                let (fd, connected) = try Socket.connect(to: address)
                let socket = SocketHandle(fd: fd, queue: worker.queue)
                socket.onReadable { [self] in handle(.backendReadable) }
                backend = socket
                deadline = worker.now + UInt64(runtime.limits.backendConnectTimeout.milliseconds)
                if connected {
                    backendConnected()
                } else if Socket.isWritableNow(fd) {
                    finishConnect()
                } else {
                    upstream = .backendWritable
                }
                return
            } catch let error as NetError where error.isLocalResourceShortage {
                // Our own shortage: no backend is to blame, and the next would fail alike.
                record.error = "\(error)"
                break
            } catch {
                candidate.markDown(now: worker.now)
                record.error = "\(error)"
                backendAttempt += 1
            }
        }
        backendUnavailable()
    }

    func finishConnect() {
        guard let backend else { return }
        let code = Socket.pendingError(backend.fd)
        if code == 0 {
            backendConnected()
        } else {
            backendAttemptFailed(String(cString: strerror(code)))
        }
    }

    /// The current backend refused, timed out or failed its greeting: mark
    /// it down and move on to the next.
    func backendAttemptFailed(_ reason: String) {
        let failed = backendAttempts[backendAttempt]
        failed.markDown(now: worker.now)
        record.error = "\(failed.endpoint): \(reason)"
        backend?.close()
        backend = nil
        toBackend = ByteQueue()
        upstream = nil
        downstream = nil
        backendAttempt += 1
        phase = .connecting
        tryNextBackend()
    }

    private func backendConnected() {
        let chosen = backendAttempts[backendAttempt]
        chosen.markUp()
        record.error = nil
        upstream = nil
        if let header = proxyHeaderForBackend(), let fd = backend?.fd {
            // A fresh socket's send buffer always takes a few hundred bytes;
            // anything else means the backend is already gone.
            guard header.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == header.count else {
                backendAttemptFailed("cannot send the PROXY header")
                return
            }
        }
        if runtime.configuration.tls == .starttls {
            phase = .awaitingGreeting
            greeting = MailSessions.greetingConsumer(for: runtime.mailProtocol)
            downstream = .backendReadable
        } else {
            deadline = nil
            startRelay()
        }
    }

    private func backendUnavailable() {
        let reason = record.error
        finish(with: MailReplies.unavailable(runtime.mailProtocol, hostname: runtime.configuration.hostname),
               outcome: .backendUnavailable, error: reason)
    }

    /// STARTTLS: the backend's greeting is swallowed (the client got ours).
    func readGreeting() {
        guard let backend, var consumer = greeting else { return }
        let count = read(backend.fd, worker.scratch.baseAddress, worker.scratch.count)
        if count < 0, errno == EAGAIN || errno == EINTR {
            downstream = .backendReadable
            return
        }
        guard count > 0 else {
            backendAttemptFailed(count == 0 ? "closed before its greeting" : String(cString: strerror(errno)))
            return
        }
        let result = consumer.receive(Array(UnsafeRawBufferPointer(start: worker.scratch.baseAddress, count: count)))
        greeting = consumer
        switch result {
        case .needMore:
            downstream = .backendReadable
        case .accepted(let leftover):
            greeting = nil
            deadline = nil
            toClient.append(leftover)
            startRelay()
        case .refused(let reason):
            greeting = nil
            backend.close()
            self.backend = nil
            finish(with: MailReplies.unavailable(runtime.mailProtocol, hostname: runtime.configuration.hostname),
                   outcome: .backendRefused, error: reason)
        }
    }
}
