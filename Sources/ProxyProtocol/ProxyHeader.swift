/// The PROXY protocol versions: v1 is a text line, v2 a binary block with
/// TLVs. Dovecot only marks a session secured from a v2 header's SSL TLV.
public enum ProxyProtocolVersion: String, Hashable, Sendable, CaseIterable {
    case v1, v2
}

/// What the connection that carries a PROXY header stands for.
public enum ProxyCommand: Hashable, Sendable {
    /// Opened by the proxy itself (a health check): the receiver uses the
    /// real connection's endpoints. v2 only; v1 sends `UNKNOWN` instead.
    case local
    /// Relayed on behalf of a client whose endpoints the header carries.
    case proxy
}

/// One PROXY protocol header, as tlsfloord sends it to a backend or
/// receives it from a trusted front load balancer.
public struct ProxyHeader: Hashable, Sendable {
    /// `LOCAL` (the proxy's own connection) or `PROXY` (a relayed client).
    public var command: ProxyCommand
    /// The original endpoints; `nil` when unknown (v1 `UNKNOWN`, v2 `AF_UNSPEC`
    /// or a datagram family, or a `LOCAL` command): the receiver then uses
    /// the real connection's endpoints.
    public var addresses: ProxyAddresses?
    /// PP2_TYPE_AUTHORITY: the host name the client asked for (TLS SNI). v2 only.
    public var authority: String?
    /// PP2_TYPE_ALPN: the negotiated application protocol. v2 only.
    public var alpn: [UInt8]?
    /// PP2_TYPE_SSL: how the client connected over TLS. v2 only.
    public var ssl: ProxySSL?
    /// Any other TLVs, in header order. A decoder drops PP2_TYPE_NOOP and
    /// consumes a verified PP2_TYPE_CRC32C rather than listing them here.
    public var otherTLVs: [ProxyTLV]

    public init(command: ProxyCommand = .proxy, addresses: ProxyAddresses?,
                authority: String? = nil, alpn: [UInt8]? = nil, ssl: ProxySSL? = nil,
                otherTLVs: [ProxyTLV] = []) {
        self.command = command
        self.addresses = addresses
        self.authority = authority
        self.alpn = alpn
        self.ssl = ssl
        self.otherTLVs = otherTLVs
    }

    /// A header for a connection the proxy opens itself, e.g. a backend health check.
    public static let local = ProxyHeader(command: .local, addresses: nil)

    /// The header in the given wire format.
    public func encoded(as version: ProxyProtocolVersion) throws(ProxyEncodingError) -> [UInt8] {
        switch version {
        case .v1: encodedV1()
        case .v2: try encodedV2()
        }
    }
}

/// A v2 header that cannot be expressed: a TLV or the whole header would
/// exceed the 16-bit lengths of the format.
public struct ProxyEncodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What did not fit, for the log.
    public let reason: String
    public var description: String { reason }
}
