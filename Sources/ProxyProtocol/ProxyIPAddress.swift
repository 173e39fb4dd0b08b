#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as a PROXY header carries it: raw bytes in
/// network order, 4 for IPv4 and 16 for IPv6.
///
/// `Net` builds these from `sockaddr` bytes; nothing here touches a socket.
public struct ProxyIPAddress: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 bytes (IPv6), network order.
    public let bytes: [UInt8]

    /// Wraps raw address bytes; `nil` unless there are exactly 4 or 16.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = Array(bytes)
    }

    /// Parses the text form, "192.0.2.1" or "2001:db8::1" (no brackets,
    /// no zone, no leading zeroes in IPv4 parts).
    public init?(_ text: String) {
        let isIPv6 = text.contains(":")
        guard let bytes = presentationToBytes(text, family: isIPv6 ? AF_INET6 : AF_INET) else {
            return nil
        }
        self.bytes = bytes
    }

    /// True for a 4-byte address.
    public var isIPv4: Bool { bytes.count == 4 }

    /// The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`),
    /// otherwise the address itself. A dual-stack listener sees IPv4 clients
    /// in mapped form; backends should see and log them as plain IPv4.
    public var unmapped: ProxyIPAddress {
        guard bytes.count == 16, bytes.prefix(12).elementsEqual(Self.mappedPrefix) else { return self }
        return ProxyIPAddress(uncheckedBytes: Array(bytes.suffix(4)))
    }

    /// An IPv4 address as IPv4-mapped IPv6, an IPv6 address unchanged.
    public var mappedToIPv6: ProxyIPAddress {
        guard isIPv4 else { return self }
        return ProxyIPAddress(uncheckedBytes: Self.mappedPrefix + bytes)
    }

    /// "192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1" (RFC 5952 form).
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { raw in
            inet_ntop(isIPv4 ? AF_INET : AF_INET6, raw.baseAddress, &text, socklen_t(text.count))
        }
        // inet_ntop only fails for a short buffer, which INET6_ADDRSTRLEN rules out.
        guard written != nil else { return "?" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]

    private init(uncheckedBytes: [UInt8]) {
        self.bytes = uncheckedBytes
    }
}

/// `inet_pton` for one family; `nil` for anything it rejects. A NUL inside
/// the text would end the C string early and let trailing garbage through,
/// so such text is rejected first.
func presentationToBytes(_ text: String, family: Int32) -> [UInt8]? {
    guard !text.utf8.contains(0) else { return nil }
    var buffer = [UInt8](repeating: 0, count: family == AF_INET6 ? 16 : 4)
    let status = buffer.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) }
    return status == 1 ? buffer : nil
}
