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
    /// True for a client below the floor, whatever the action.
    public var legacy = false
    public var resumed = false
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
        "offered_version", "offered_ciphers", "ja4", "legacy", "resumed", "backend", "user", "login", "mechanism",
        "client_name", "client_version", "bytes_in", "bytes_out", "duration_ms", "error",
    ]

    /// Keys every connection line carries, `-` when there is no value, so
    /// columns line up for `awk` and a missing key never means "unknown".
    public static let alwaysPresentKeys: Set<String> = [
        "tls_version", "cipher", "sni", "offered_version", "backend", "error",
    ]

    /// Fields in `keyOrder`: always-present ones with `-` for no value,
    /// optional ones only when they have a value.
    public var fields: [(key: String, value: String)] {
        let values: [String: String?] = [
            "event": "connection", "listener": listener, "protocol": `protocol`, "tls": tlsMode, "client": client, "front": front,
            "outcome": outcome.rawValue, "tls_version": tlsVersion, "cipher": cipher, "sni": serverName, "alpn": alpn,
            "offered_version": offeredVersion, "offered_ciphers": offeredCiphers.map(String.init), "ja4": ja4,
            "legacy": legacy ? "yes" : nil, "resumed": resumed ? "yes" : nil, "backend": backend, "user": user,
            "login": login, "mechanism": mechanism, "client_name": clientName, "client_version": clientVersion,
            "bytes_in": String(bytesIn), "bytes_out": String(bytesOut), "duration_ms": String(durationMilliseconds),
            "error": error,
        ]
        return Self.keyOrder.compactMap { key in
            switch values[key] {
            case .some(.some(let value)) where !value.isEmpty: return (key, value)
            default: return Self.alwaysPresentKeys.contains(key) ? (key, "-") : nil
            }
        }
    }

    /// One human sentence for the journal's MESSAGE and the stderr `msg=`.
    public var summary: String {
        let version = tlsVersion ?? offeredVersion.map { "offered \($0)" } ?? "no TLS"
        let who = user.map { " user \($0)" } ?? ""
        return "\(listener): \(client)\(who) \(version): \(outcome.rawValue)"
    }

    public var level: Logger.Level {
        switch outcome {
        case .relayed, .plaintextClosed: return .info
        case .tlsVersionRefused, .legacyExplained, .handshakeFailed, .handshakeTimeout, .idleTimeout, .proxyHeaderRefused,
             .backendRefused:
            return .notice
        case .backendUnavailable, .tooManyConnections, .shutdown: return .warning
        }
    }

    public var metadata: Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        for (key, value) in fields { metadata[key] = .string(value) }
        return metadata
    }

    /// Emits the record through swift-log.
    public func log(to logger: Logger) {
        logger.log(level: level, "\(summary)", metadata: metadata)
    }
}
