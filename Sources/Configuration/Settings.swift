import Foundation

/// The TLS protocol versions an operator may choose as the floor.
public enum TLSFloor: String, Sendable, Comparable {
    case tls12 = "1.2"
    case tls13 = "1.3"

    public static func < (lhs: TLSFloor, rhs: TLSFloor) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// `[tls]`: certificate and protocol policy shared by all listeners.
public struct TLSSettings: Equatable, Sendable {
    /// BSI TR-02102-2: ECDHE key exchange with AEAD ciphers only.
    public static let defaultCiphers =
        "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-CCM:ECDHE-ECDSA-AES128-CCM"
    public static let defaultCiphersuites = "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256"
    /// X25519 is listed first although TR-02102-2 names only the NIST and
    /// Brainpool curves: nearly every client offers an X25519 key share, and
    /// refusing it costs each TLS 1.3 client a HelloRetryRequest round trip.
    /// Operators who need the strict list set `groups`.
    public static let defaultGroups = "X25519:P-256:P-384:P-521"

    public var minVersion: TLSFloor = .tls12
    public var certificate: String
    public var privateKey: String
    public var ciphers: String = defaultCiphers
    public var ciphersuites: String = defaultCiphersuites
    public var groups: String = defaultGroups
    public var sessionTickets: Bool = true
    /// OCSP response for the default certificate.
    public var ocspResponse: String?
    /// `[[tls.certificates]]`: more certificates, chosen by SNI.
    public var certificates: [CertificateSettings] = []
    /// File of shared session-ticket keys; nil: random keys per start and reload.
    public var ticketKeys: String?

    public init(certificate: String, privateKey: String) {
        self.certificate = certificate
        self.privateKey = privateKey
    }

    /// The `[tls]` certificate: served to clients that send no name, or one
    /// that no `[[tls.certificates]]` entry serves.
    public var defaultCertificate: CertificateSettings {
        CertificateSettings(certificate: certificate, privateKey: privateKey, ocspResponse: ocspResponse, keyPath: "tls")
    }
}

/// `[limits]`: resources one client, and all of them, may use.
public struct Limits: Equatable, Sendable {
    public var maxConnections = 10_000
    public var handshakeTimeout: Duration = .seconds(10)
    public var idleTimeout: Duration = .seconds(30 * 60)
    public var backendConnectTimeout: Duration = .seconds(5)
    public var shutdownGrace: Duration = .seconds(30)
    /// Bytes held per direction before tlsfloord stops reading from the sender.
    public var bufferLimit = 256 * 1024
    /// `max_connections_per_ip`, `max_handshakes_per_ip_per_minute`.
    public var perClient = ClientLimitSettings()

    public init() {}
}

/// `[log]`.
public struct LogSettings: Equatable, Sendable {
    public enum Target: String, Sendable {
        case auto, stderr, journal
    }
    public enum Level: String, Sendable {
        case debug, info, notice, warning, error
    }
    public var target: Target = .auto
    public var level: Level = .info

    public init() {}
}

/// `[legacy]`: what happens to clients below the TLS floor.
public struct LegacyPolicySettings: Equatable, Sendable {
    public enum Action: String, Sendable {
        /// TLS `protocol_version` alert; scanners see the old versions as not offered.
        case reject
        /// Complete the old handshake only to send one readable refusal.
        case explain
        /// Relay as usual, logged as legacy (audit period).
        case allow
    }
    public static let defaultMessage =
        "Your mail program uses TLS 1.0 or 1.1, which this server no longer accepts. Please update it or its operating system."

    public var action: Action = .reject
    /// Before this instant legacy clients are allowed (and logged); from it on `action` applies.
    public var enforceAfter: Date?
    public var message: String = defaultMessage
    /// Clients from these networks are allowed whatever `action` says (the
    /// printer that will never be updated); logged `legacy=exempt`.
    public var exemptNetworks: [IPNetwork] = []
    /// Logins that keep TLS 1.0/1.1 access when `action` refuses: the
    /// handshake completes and the login decides (`exempt_users` and the
    /// lines of `exempt_users_file`, merged).
    public var exemptUsers: [String] = []
    /// The gradual cut-off: between its ends a share of legacy clients that
    /// grows from 0 to 100 % is refused for the day, the rest is allowed;
    /// from its end on `action` applies.
    public var ramp: Ramp?

    /// `ramp_start` … `ramp_end`, checked to be in that order.
    public struct Ramp: Equatable, Sendable {
        public let start: Date
        public let end: Date

        public init?(start: Date, end: Date) {
            guard start < end else { return nil }
            self.start = start
            self.end = end
        }

        /// The share of legacy clients refused at `now`: 0 before the start, 1 from the end.
        public func share(at now: Date) -> Double {
            min(1, max(0, now.timeIntervalSince(start) / end.timeIntervalSince(start)))
        }
    }

    public init() {}
}

/// `[server]`.
public struct ServerSettings: Equatable, Sendable {
    /// Used in tlsfloord's own replies (SMTP greeting before STARTTLS).
    public var hostname: String
    /// Event-loop threads; 0 means one per CPU core.
    public var threads = 0
    /// How long a worker keeps waiting for events itself before it hands
    /// its thread back to Dispatch; 0 turns lingering off.
    public var linger: Duration = .milliseconds(1)
    /// Account to switch to after binding the listeners and loading the
    /// certificate, when started as root outside systemd. nil: stay as started.
    public var user: String?

    public init(hostname: String) {
        self.hostname = hostname
    }
}
