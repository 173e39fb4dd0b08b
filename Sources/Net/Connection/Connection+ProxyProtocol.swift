import Configuration
import EventLog
import Glibc
import ProxyProtocol
import TLS

/// The PROXY protocol on both sides: accepting a header from a trusted
/// front load balancer (so logs and backends see the real client), and
/// sending one to the backend.
extension Connection {
    // MARK: From a front load balancer

    /// Only fronts in `trusted_proxies` may claim another client address;
    /// anyone else is closed before a byte is read.
    func startProxyHeader() {
        guard let (address, _) = peer.ipAndPort,
              runtime.configuration.trustedProxies.contains(where: { $0.contains(address) }) else {
            close(.proxyHeaderRefused, error: "PROXY header expected from a trusted front, \(peer.host) is not in trusted_proxies")
            return
        }
        enter(.proxyHeader(ProxyHeaderDecoder()))
        inboundWait = .clientReadable
    }

    /// Peeks rather than reads: the bytes after the header (a ClientHello,
    /// or a plaintext command) must stay in the socket for whoever is next.
    /// What the decoder asks more for is all header, so it is consumed.
    func readProxyHeader(_ decoder: ProxyHeaderDecoder) {
        let peeked: Int
        switch client.peek(into: worker.scratch.baseAddress!, capacity: 1024) {
        case .bytes(let count):
            peeked = count
        case .wouldBlock:
            inboundWait = .clientReadable
            return
        case .eof, .failed:
            close(.proxyHeaderRefused, error: "front closed before sending a PROXY header")
            return
        }
        var decoder = decoder
        switch decoder.feed(UnsafeRawBufferPointer(start: worker.scratch.baseAddress, count: peeked)) {
        case .needMore:
            _ = client.read(into: worker.scratch.baseAddress!, capacity: peeked)
            update(.proxyHeader(decoder))
            inboundWait = .clientReadable
        case let .header(header, consumed):
            _ = client.read(into: worker.scratch.baseAddress!, capacity: consumed)
            adoptFrontHeader(header)
            startSession()
        case .invalid(let reason):
            close(.proxyHeaderRefused, error: "malformed PROXY header: \(reason)")
        }
    }

    private func adoptFrontHeader(_ header: ProxyHeader) {
        // LOCAL (a health check) and UNKNOWN carry no client: keep the real peer.
        frontIsCheckingHealth = header.command == .local
        guard header.command == .proxy, case let .ip(source, destination)? = header.addresses else { return }
        record.front = peer.description
        record.client = source.description
        frontAddresses = (source, destination)
    }

    // MARK: To the backend

    /// The header for the backend: client and local address, and for v2 the
    /// TLS version and cipher (Dovecot then counts the session as secured)
    /// and the SNI as authority.
    func proxyHeaderForBackend() -> [UInt8]? {
        guard let version = ProxyProtocolVersion(rawValue: runtime.configuration.proxyProtocol.rawValue) else { return nil }
        var header = ProxyHeader(addresses: clientAddresses())
        if let tls {
            header.ssl = ProxySSL(version: record.tlsVersion, cipher: tls.cipher)
            header.authority = tls.serverName
        }
        return try? header.encoded(as: version)
    }

    private func clientAddresses() -> ProxyAddresses? {
        if let frontAddresses { return .ip(source: frontAddresses.source, destination: frontAddresses.destination) }
        guard let source = Self.endpoint(peer), let local = Socket.localAddress(client.rawValue).flatMap(Self.endpoint) else {
            return nil
        }
        return .ip(source: source, destination: local)
    }

    private static func endpoint(_ address: SocketAddress) -> ProxyIPEndpoint? {
        guard let (bytes, port) = address.ipAndPort, let ip = ProxyIPAddress(bytes: bytes) else { return nil }
        return ProxyIPEndpoint(address: ip, port: port)
    }
}
