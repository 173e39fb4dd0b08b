import Mail

/// One `[[listener]]` block: a port clients connect to and where its
/// sessions go.
public struct ListenerConfiguration: Equatable, Sendable {
    public enum TLSMode: String, Sendable {
        /// TLS from the first byte (993, 995, 465).
        case implicit
        /// Plaintext greeting, then STARTTLS/STLS (587, 143, 110).
        case starttls
    }
    public enum ProxyProtocolVersion: String, Sendable {
        case off, v1, v2
    }

    /// Also the systemd socket-activation name (`FileDescriptorName=`).
    public var name: String
    public var `protocol`: MailProtocol
    public var tls: TLSMode
    public var listen: Endpoint
    /// Tried in order; the next one on refusal or timeout.
    public var backends: [Endpoint]
    /// Overrides `[tls] min_version` for this listener.
    public var minVersion: TLSFloor
    public var hostname: String
    public var legacy: LegacyPolicySettings
    /// PROXY protocol header sent to the backend.
    public var proxyProtocol: ProxyProtocolVersion = .off
    /// Expect a PROXY header from a front load balancer in `trustedProxies`.
    public var acceptProxyProtocol = false
    public var trustedProxies: [IPNetwork] = []
    /// A name whose certificate this listener serves to clients that send
    /// no name (or an unknown one), instead of the `[tls]` certificate.
    public var defaultCertificate: String?

    public init(name: String, protocol: MailProtocol, tls: TLSMode, listen: Endpoint, backends: [Endpoint],
                minVersion: TLSFloor, hostname: String, legacy: LegacyPolicySettings) {
        self.name = name
        self.protocol = `protocol`
        self.tls = tls
        self.listen = listen
        self.backends = backends
        self.minVersion = minVersion
        self.hostname = hostname
        self.legacy = legacy
    }
}

/// A complete, validated configuration.
public struct Configuration: Equatable, Sendable {
    public static let defaultPath = "/etc/tlsfloor/tlsfloor.toml"

    /// The file it came from, for messages and reload.
    public var path: String
    public var server: ServerSettings
    public var tls: TLSSettings
    public var limits: Limits
    public var log: LogSettings
    public var legacy: LegacyPolicySettings
    public var listeners: [ListenerConfiguration]
    public var abuse = AbuseSettings()
    public var metrics = MetricsSettings()
    /// `[history]`; nil: no login history is kept.
    public var history: HistorySettings? = nil
}
