/// What per-address limits and bans count by: an IPv4 address, or the /64
/// an IPv6 address belongs to. One IPv6 host usually holds a whole /64
/// (SLAAC, privacy addresses rotate inside it), so counting single IPv6
/// addresses would let one client have 2^64 of them.
enum ClientKey: Hashable, Sendable, CustomStringConvertible {
    case ipv4(UInt32)
    case ipv6Network(UInt64)

    /// From 4 or 16 address bytes in network order; an IPv4-mapped IPv6
    /// address (how a dual-stack socket shows IPv4 clients) counts as its
    /// IPv4 address. Nil for anything else.
    init?(addressBytes bytes: [UInt8]) {
        switch bytes.count {
        case 4:
            self = .ipv4(Self.integer(bytes[0..<4]))
        case 16 where bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF:
            self = .ipv4(Self.integer(bytes[12..<16]))
        case 16:
            self = .ipv6Network(Self.integer(bytes[0..<8]))
        default:
            return nil
        }
    }

    /// `192.0.2.7` or `2001:db8:1:2::/64`, for log lines.
    var description: String {
        switch self {
        case .ipv4(let value):
            return (0..<4).map { String((value >> (24 - 8 * $0)) & 0xFF) }.joined(separator: ".")
        case .ipv6Network(let value):
            let groups = (0..<4).map { String((value >> (48 - 16 * $0)) & 0xFFFF, radix: 16) }
            // Trailing zero groups fold into the "::" that already ends the network.
            let kept = groups.reversed().drop { $0 == "0" }.reversed()
            return kept.joined(separator: ":") + "::/64"
        }
    }

    private static func integer<T: FixedWidthInteger>(_ bytes: ArraySlice<UInt8>) -> T {
        bytes.reduce(T.zero) { $0 << 8 | T($1) }
    }
}
