/// A TLS (or SSL) protocol version as it appears on the wire: a 16-bit value such as 0x0303.
///
/// Ordering follows the wire value, which ranks SSLv2 < SSLv3 < TLS 1.0 < … < TLS 1.3.
/// GREASE values (RFC 8701) sort among the real ones by their number, so filter them out
/// (see ``isGREASE``) before asking for a maximum.
public struct TLSProtocolVersion: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 16-bit wire value, major version in the high byte.
    public let rawValue: UInt16

    /// Wraps a wire value; every value is accepted, unknown ones included.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// The version field of an SSLv2-format ClientHello from a client that speaks only SSL 2.0.
    public static let sslv2 = TLSProtocolVersion(rawValue: 0x0002)
    public static let sslv3 = TLSProtocolVersion(rawValue: 0x0300)
    public static let tlsv1_0 = TLSProtocolVersion(rawValue: 0x0301)
    public static let tlsv1_1 = TLSProtocolVersion(rawValue: 0x0302)
    public static let tlsv1_2 = TLSProtocolVersion(rawValue: 0x0303)
    public static let tlsv1_3 = TLSProtocolVersion(rawValue: 0x0304)

    /// True for the reserved values clients offer to keep servers tolerant (0x0A0A, 0x1A1A, … 0xFAFA).
    public var isGREASE: Bool {
        GREASE.isReserved(rawValue)
    }

    /// The name used in logs ("SSLv3", "TLSv1.0" … "TLSv1.3"); any other value as "0x" and four hex digits.
    public var description: String {
        switch self {
        case .sslv2: "SSLv2"
        case .sslv3: "SSLv3"
        case .tlsv1_0: "TLSv1.0"
        case .tlsv1_1: "TLSv1.1"
        case .tlsv1_2: "TLSv1.2"
        case .tlsv1_3: "TLSv1.3"
        default: "0x" + hex4(rawValue)
        }
    }

    public static func < (lhs: TLSProtocolVersion, rhs: TLSProtocolVersion) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

/// Four lower-case hex digits, zero-padded: the spelling JA4 and the logs use for 16-bit TLS code points.
func hex4(_ value: UInt16) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 4 - digits.count) + digits
}
