#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A block of IP addresses in CIDR notation, such as one `trusted_proxies`
/// entry: "10.0.0.0/8", "192.0.2.7" (one host), "2001:db8::/32", "::1".
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The network address, 4 (IPv4) or 16 (IPv6) bytes in network order.
    public let address: [UInt8]
    /// How many leading bits an address must share with `address`.
    public let prefixLength: Int

    /// Parses CIDR text; a bare address is a single host (/32 or /128).
    /// Host bits after the prefix must be zero, so that "10.0.0.1/8" (a typo
    /// for a host, or for a network?) is reported instead of guessed.
    public init(_ text: String) throws(IPNetworkError) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let addressText = String(parts[0])
        let isIPv6 = addressText.contains(":")
        guard !addressText.utf8.contains(0), let bytes = Self.parseAddress(addressText, isIPv6: isIPv6) else {
            throw IPNetworkError(text: text, reason: "\"\(addressText)\" is not an IPv4 or IPv6 address")
        }
        let maximum = bytes.count * 8
        var prefixLength = maximum
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...3).contains(digits.count), digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  let value = Int(digits), value <= maximum else {
                throw IPNetworkError(text: text, reason: "prefix length must be a number from 0 to \(maximum)")
            }
            prefixLength = value
        }
        guard Self.masked(bytes, to: prefixLength) == bytes else {
            let network = IPNetwork(address: Self.masked(bytes, to: prefixLength), prefixLength: prefixLength)
            throw IPNetworkError(text: text, reason: "host bits are set after the /\(prefixLength) prefix (network would be \(network))")
        }
        self.init(address: bytes, prefixLength: prefixLength)
    }

    /// Whether `addressBytes` (4 or 16 bytes, network order) lies in this
    /// network. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, how a
    /// dual-stack socket reports IPv4 peers) counts as its IPv4 address, and
    /// an IPv4 address matches IPv6 networks in its mapped form.
    public func contains(_ addressBytes: [UInt8]) -> Bool {
        guard addressBytes.count == 4 || addressBytes.count == 16 else { return false }
        var candidate = addressBytes
        if address.count == 4, candidate.count == 16, candidate.prefix(12).elementsEqual(Self.mappedPrefix) {
            candidate = Array(candidate.suffix(4))
        } else if address.count == 16, candidate.count == 4 {
            candidate = Self.mappedPrefix + candidate
        }
        return candidate.count == address.count && Self.masked(candidate, to: prefixLength) == address
    }

    /// "10.0.0.0/8", "2001:db8::/32".
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = address.withUnsafeBytes { raw in
            inet_ntop(address.count == 4 ? AF_INET : AF_INET6, raw.baseAddress, &text, socklen_t(text.count))
        }
        // inet_ntop only fails for a short buffer, which INET6_ADDRSTRLEN rules out.
        guard written != nil else { return "?/\(prefixLength)" }
        let addressText = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(addressText)/\(prefixLength)"
    }

    private static let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]

    private init(address: [UInt8], prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }

    private static func parseAddress(_ text: String, isIPv6: Bool) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: isIPv6 ? 16 : 4)
        let status = buffer.withUnsafeMutableBytes { inet_pton(isIPv6 ? AF_INET6 : AF_INET, text, $0.baseAddress) }
        return status == 1 ? buffer : nil
    }

    /// `bytes` with every bit after the first `prefixLength` cleared.
    private static func masked(_ bytes: [UInt8], to prefixLength: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let keptBits = min(max(prefixLength - index * 8, 0), 8)
            return keptBits == 0 ? 0 : byte & ~UInt8(0xFF >> keptBits)
        }
    }
}

/// Why a text is not a valid `IPNetwork`.
public struct IPNetworkError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The text as given.
    public let text: String
    /// What is wrong with it, e.g. "prefix length must be a number from 0 to 32".
    public let reason: String
    public var description: String { "invalid network \"\(text)\": \(reason)" }
}
