import Logging

/// Everything the log says about one client connection, emitted once when
/// it ends. Never holds a password or message content.
public struct ConnectionRecord: Sendable {
    public var listener: String
    public var `protocol`: String
    /// "implicit" or "starttls".
    public var tlsMode: String
    public var client: String
    /// The load balancer in front, when the client address came from its PROXY header.
    public var front: String?
    public var outcome: Outcome = .relayed
    public var tlsVersion: String?
    public var cipher: String?
    public var serverName: String?
    public var alpn: String?
    public var offeredVersion: String?
    public var offeredCiphers: Int?
    public var ja4: String?
    /// Set for a client below the floor, whatever the action.
    public var legacy: LegacyMark?
    public var resumed = false
    /// The certificate sent (`mail.example.org/ecdsa`); none for a resumed session.
    public var certificate: String?
    public var backend: String?
    public var user: String?
    /// "accepted" or "rejected" when a login was seen.
    public var login: String?
    public var mechanism: String?
    public var clientName: String?
    public var clientVersion: String?
    /// Plaintext bytes client → backend, and backend → client.
    public var bytesIn = 0
    public var bytesOut = 0
    public var durationMilliseconds: Int64 = 0
    public var error: String?

    public init(listener: String, protocol: String, tlsMode: String, client: String) {
        self.listener = listener
        self.protocol = `protocol`
        self.tlsMode = tlsMode
        self.client = client
    }

    /// The order of fields in a line, so lines read alike and diff well.
    public static let keyOrder = [
        "event", "listener", "protocol", "tls", "client", "front", "outcome", "tls_version", "cipher", "sni", "alpn",
        "offered_version", "offered_ciphers", "ja4", "legacy", "resumed", "cert", "backend", "user", "login", "mechanism",
        "client_name", "client_version", "bytes_in", "bytes_out", "duration_ms", "error",
    ]

    /// Keys every connection line carries, `-` when there is no value, so
    /// columns line up for `awk` and a missing key never means "unknown".
    public static let alwaysPresentKeys: Set<String> = [
        "tls_version", "cipher", "sni", "offered_version", "backend", "error",
    ]

    /// Fields in `keyOrder`: always-present ones with `-` for no value,
    /// optional ones only when they have a value. Built in one pass, in
    /// order: this runs once per connection, on the worker.
    public var fields: [(key: String, value: String)] {
        var fields: [(key: String, value: String)] = []
        fields.reserveCapacity(Self.keyOrder.count)
        func add(_ key: String, _ value: String?) {
            if let value, !value.isEmpty {
                fields.append((key, value))
            } else if Self.alwaysPresentKeys.contains(key) {
                fields.append((key, "-"))
            }
        }
        add("event", "connection")
        add("listener", listener)
        add("protocol", `protocol`)
        add("tls", tlsMode)
        add("client", client)
        add("front", front)
        add("outcome", outcome.rawValue)
        add("tls_version", tlsVersion)
        add("cipher", cipher)
        add("sni", serverName)
        add("alpn", alpn)
        add("offered_version", offeredVersion)
        add("offered_ciphers", offeredCiphers.map(String.init))
        add("ja4", ja4)
        add("legacy", legacy?.rawValue)
        add("resumed", resumed ? "yes" : nil)
        add("cert", certificate)
        add("backend", backend)
        add("user", user)
        add("login", login)
        add("mechanism", mechanism)
        add("client_name", clientName)
        add("client_version", clientVersion)
        add("bytes_in", String(bytesIn))
        add("bytes_out", String(bytesOut))
        add("duration_ms", String(durationMilliseconds))
        add("error", error)
        return fields
    }

    /// One human sentence for the journal's MESSAGE and the stderr `msg=`.
    public var summary: String {
        let version = tlsVersion ?? offeredVersion.map { "offered \($0)" } ?? "no TLS"
        let who = user.map { " user \($0)" } ?? ""
        return "\(listener): \(client)\(who) \(version): \(outcome.rawValue)"
    }

    public var level: Logger.Level {
        switch outcome {
        case .healthCheck: return .debug
        case .relayed, .plaintextClosed: return .info
        case .tlsVersionRefused, .legacyExplained, .legacyRamped, .handshakeFailed, .handshakeTimeout, .idleTimeout, .proxyHeaderRefused,
             .backendRefused, .banned:
            return .notice
        case .backendUnavailable, .tooManyConnections, .shutdown: return .warning
        }
    }

    public var metadata: Logger.Metadata {
        let fields = self.fields
        var metadata: Logger.Metadata = Dictionary(minimumCapacity: fields.count)
        for (key, value) in fields { metadata[key] = .string(value) }
        return metadata
    }

    /// Emits the record through swift-log.
    public func log(to logger: Logger) {
        logger.log(level: level, "\(summary)", metadata: metadata)
    }
}
