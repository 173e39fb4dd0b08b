import EventLog
import Glibc
import Mail

/// Connecting to a backend, with failover across the configured ones.
extension Connection {
    func connectBackend() {
        enter(.connecting)
        backends = BackendAttempts(order: Backend.attemptOrder(runtime.backends, now: worker.now))
        tryNextBackend()
    }

    private func tryNextBackend() {
        while let candidate = backends.current {
            record.backend = candidate.name
            do {
                // Several addresses (a name with A and AAAA): the first one; failover is per backend.
                guard let address = candidate.addresses.first else { throw NetError("no address") }
                let (fd, connected) = try Socket.connect(to: address)
                do {
                    backend = try worker.watch(fd, as: .backend(self), readable: false, writable: connected)
                } catch {
                    Glibc.close(fd)
                    throw error
                }
                setDeadline(worker.now + UInt64(runtime.limits.backendConnectTimeout.milliseconds))
                // A connect in progress finishes when the socket turns writable.
                inboundWait = .backendWritable
                return
            } catch let error as NetError where error.isLocalResourceShortage {
                // Our own shortage: no backend is to blame, and the next would fail alike.
                record.error = "\(error)"
                break
            } catch {
                candidate.markDown(now: worker.now)
                record.error = "\(error)"
                backends.moveOn()
            }
        }
        backendUnavailable()
    }

    func finishConnect() {
        guard let backend else { return }
        let code = Socket.pendingError(backend.rawValue)
        if code == 0 {
            backendConnected()
        } else {
            backendAttemptFailed(String(cString: strerror(code)))
        }
    }

    /// The current backend refused, timed out or failed its greeting: mark
    /// it down and move on to the next.
    func backendAttemptFailed(_ reason: String) {
        if let failed = backends.current {
            failed.markDown(now: worker.now)
            record.error = "\(failed.endpoint): \(reason)"
        }
        closeBackend()
        toBackend = ByteQueue()
        backends.moveOn()
        enter(.connecting)
        tryNextBackend()
    }

    private func backendConnected() {
        backends.current?.markUp()
        record.error = nil
        if let header = proxyHeaderForBackend() {
            // A fresh socket's send buffer always takes a few hundred bytes;
            // anything else means the backend is already gone.
            guard case .bytes(header.count) = header.withUnsafeBytes({ backend!.write($0) }) else {
                backendAttemptFailed("cannot send the PROXY header")
                return
            }
        }
        if runtime.configuration.tls == .starttls {
            enter(.awaitingGreeting(MailSessions.greetingConsumer(for: runtime.mailProtocol)))
            outboundWait = .backendReadable
        } else {
            startRelay()
        }
    }

    private func backendUnavailable() {
        closeAfterReply(MailReplies.unavailable(runtime.mailProtocol, hostname: runtime.configuration.hostname),
                        outcome: .backendUnavailable, error: record.error)
    }

    /// STARTTLS: the backend's greeting is swallowed (the client got ours).
    func readGreeting(_ consumer: any BackendGreetingConsumer) {
        let bytes: [UInt8]
        switch backend!.read(into: worker.scratch.baseAddress!, capacity: worker.scratch.count) {
        case .bytes(let count):
            bytes = Array(UnsafeRawBufferPointer(start: worker.scratch.baseAddress, count: count))
        case .wouldBlock:
            outboundWait = .backendReadable
            return
        case .eof:
            backendAttemptFailed("closed before its greeting")
            return
        case .failed(let error):
            backendAttemptFailed(error.message)
            return
        }
        var consumer = consumer
        switch consumer.receive(bytes) {
        case .needMore:
            update(.awaitingGreeting(consumer))
            outboundWait = .backendReadable
        case .accepted(let leftover):
            startRelay(afterGreeting: leftover)
        case .refused(let reason):
            closeAfterReply(MailReplies.unavailable(runtime.mailProtocol, hostname: runtime.configuration.hostname),
                            outcome: .backendRefused, error: reason)
        }
    }
}
