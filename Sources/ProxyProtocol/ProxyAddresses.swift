/// An IP address and a TCP port: one end of a proxied TCP connection.
public struct ProxyIPEndpoint: Hashable, Sendable, CustomStringConvertible {
    /// The IPv4 or IPv6 address.
    public var address: ProxyIPAddress
    /// The TCP port, host order.
    public var port: UInt16

    public init(address: ProxyIPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// "192.0.2.1:443" or "[2001:db8::1]:993", as logs show endpoints.
    public var description: String {
        address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}

/// A UNIX socket path as PROXY v2 carries it (`sun_path`, at most 108 bytes).
public struct ProxyUnixPath: Hashable, Sendable, CustomStringConvertible {
    /// The size of the address field in a v2 header (`sizeof(sun_path)` on Linux).
    public static let capacity = 108

    /// The path bytes without the NUL padding. An abstract socket starts with NUL.
    public let bytes: [UInt8]

    /// Wraps path bytes, dropping trailing NUL padding; `nil` if longer than
    /// `capacity`.
    public init?(bytes: some Collection<UInt8>) {
        var trimmed = Array(bytes)
        while trimmed.last == 0 { trimmed.removeLast() }
        guard trimmed.count <= Self.capacity else { return nil }
        self.bytes = trimmed
    }

    /// A file system path such as "/run/tlsfloor/front.sock".
    public init?(_ path: String) {
        self.init(bytes: Array(path.utf8))
    }

    /// The path, with an abstract socket's leading NUL shown as "@".
    public var description: String {
        guard bytes.first == 0 else { return String(decoding: bytes, as: UTF8.self) }
        return "@" + String(decoding: bytes.dropFirst(), as: UTF8.self)
    }
}

/// Where a proxied connection came from and where it was going. Both ends
/// always share a kind, as on a real socket.
public enum ProxyAddresses: Hashable, Sendable {
    /// A TCP connection. The ends may differ in family (an IPv6 client of an
    /// IPv4 listener); the encoders then send both as IPv6, mapping the IPv4
    /// one, as the spec's section 4.2 intends.
    case ip(source: ProxyIPEndpoint, destination: ProxyIPEndpoint)
    /// A UNIX stream socket connection (PROXY v2 only; v1 sends UNKNOWN).
    case unix(source: ProxyUnixPath, destination: ProxyUnixPath)

    /// The client end as text for logs: "192.0.2.1:443", "[2001:db8::1]:993", a path.
    public var sourceDescription: String {
        switch self {
        case .ip(let source, _): source.description
        case .unix(let source, _): source.description
        }
    }

    /// The server end as text for logs.
    public var destinationDescription: String {
        switch self {
        case .ip(_, let destination): destination.description
        case .unix(_, let destination): destination.description
        }
    }
}

/// The two IP ends in one family, ready for the wire: IPv4 when both are
/// IPv4 (or IPv4-mapped), otherwise IPv6 with any IPv4 end mapped.
struct WireIPPair {
    let source: ProxyIPEndpoint
    let destination: ProxyIPEndpoint
    var isIPv4: Bool { source.address.isIPv4 }

    init(source: ProxyIPEndpoint, destination: ProxyIPEndpoint) {
        var source = source, destination = destination
        source.address = source.address.unmapped
        destination.address = destination.address.unmapped
        if source.address.isIPv4 != destination.address.isIPv4 {
            source.address = source.address.mappedToIPv6
            destination.address = destination.address.mappedToIPv6
        }
        self.source = source
        self.destination = destination
    }
}
