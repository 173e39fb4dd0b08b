import EventLog
import TLS

/// The TLS handshake, and what follows from the version policy's decision.
extension Connection {
    func startHandshake() {
        do {
            tls = try TLSSession(context: runtime.tls, fd: client.rawValue, policy: runtime.policy)
        } catch {
            close(.handshakeFailed, error: "\(error)")
            return
        }
        enter(.handshaking)
        continueHandshake()
    }

    func continueHandshake() {
        guard let tls else { return }
        let step = tls.handshake()
        client.note(step)
        switch step {
        case .done:
            handshakeCompleted(tls)
        case .wantRead:
            inboundWait = .clientReadable
        case .wantWrite:
            inboundWait = .clientWritable
        case .closed:
            fillOfferFields()
            close(.handshakeFailed, error: "client closed during the handshake")
        case .failed(let failure):
            fillOfferFields()
            close(failure.kind == .versionRefused ? .tlsVersionRefused : .handshakeFailed, error: failure.detail)
        }
    }

    /// Copies what the ClientHello offered into the record (refused
    /// clients are logged with what they offered).
    func fillOfferFields() {
        guard let offer = tls?.offer else { return }
        record.offeredVersion = offer.highestVersion.description
        record.offeredCiphers = offer.cipherCount
        record.serverName = offer.serverName
        record.alpn = offer.alpn.isEmpty ? nil : offer.alpn.joined(separator: ",")
        record.ja4 = offer.ja4
        record.legacy = offer.highestVersion.rawValue < runtime.policy.floor
    }

    private func handshakeCompleted(_ tls: TLSSession) {
        fillOfferFields()
        record.tlsVersion = tls.protocolVersion.description
        record.cipher = tls.cipher
        record.serverName = tls.serverName
        record.resumed = tls.wasResumed
        record.certificate = tls.servedCertificate
        lastActivity = worker.now
        switch tls.decision {
        case .explain(let message):
            startRefusal(message: message)
        case .accept, .allowLegacy, .reject, nil:
            connectBackend()
        }
    }
}
