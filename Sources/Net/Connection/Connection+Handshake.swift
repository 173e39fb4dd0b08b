import EventLog
import TLS

/// The TLS handshake, and what follows from the version policy's decision.
extension Connection {
    func startHandshake() {
        do {
            tls = try TLSSession(context: runtime.tls, fd: client.rawValue, policy: runtime.policy,
                                 clientAddress: clientAddressBytes)
        } catch {
            close(.handshakeFailed, error: "\(error)")
            return
        }
        if runtime.telemetry != nil { handshakeStartedAt = MonotonicClock.nanoseconds() }
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

    /// The client's IP address as the policy sees it: behind a trusted
    /// front, the one from its PROXY header. Nil for a Unix-socket peer.
    var clientAddressBytes: [UInt8]? {
        if let frontAddresses { return frontAddresses.source.address.bytes }
        return peer.ipAndPort?.0
    }

    /// Copies what the ClientHello offered into the record (refused
    /// clients are logged with what they offered).
    func fillOfferFields() {
        guard let offer = tls?.offer else { return }
        record.offeredVersion = offer.highestVersion.description
        record.offeredCiphers = offer.cipherCount
        record.serverName = offer.serverName.flatMap { LogSafeText.clean($0.utf8) }
        record.alpn = LogSafeText.clean(offer.alpn.joined(separator: ",").utf8)
        record.ja4 = offer.ja4
        if offer.highestVersion.rawValue < runtime.policy.floor {
            record.legacy = tls?.decision == .exempt ? .exempt : .yes
        }
    }

    private func handshakeCompleted(_ tls: TLSSession) {
        fillOfferFields()
        record.tlsVersion = tls.protocolVersion.description
        record.cipher = tls.cipher
        record.serverName = tls.serverName.flatMap { LogSafeText.clean($0.utf8) }
        record.resumed = tls.wasResumed
        record.certificate = tls.servedCertificate
        runtime.telemetry?.handshakeCompleted(nanoseconds: MonotonicClock.nanoseconds() - handshakeStartedAt)
        lastActivity = worker.now
        switch tls.decision {
        case .explain(let message):
            startRefusal(message: message, kind: .permanent)
        case .ramped(let message):
            startRefusal(message: message, kind: .temporary)
        case .accept, .allowLegacy, .exempt, .loginGate, .reject, nil:
            connectBackend()
        }
    }
}
