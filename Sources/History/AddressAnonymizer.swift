import Glibc

/// `anonymize_addresses = true`: a client address cut to its network — /24 for IPv4, /48 for
/// IPv6 — so that a row still says "the usual provider's range" without naming the device.
public enum AddressAnonymizer {
    /// `192.0.2.77` → `192.0.2.0/24`, `2001:db8:1:2::5` → `2001:db8:1::/48`; an IPv4-mapped
    /// IPv6 address counts as IPv4. Anything that is not an IP address comes back unchanged.
    public static func network(of address: String) -> String {
        if var v4 = parse(address, family: AF_INET, length: 4) {
            v4[3] = 0
            return text(v4, family: AF_INET) + "/24"
        }
        guard var v6 = parse(address, family: AF_INET6, length: 16) else { return address }
        if v6[0..<10].allSatisfy({ $0 == 0 }) && v6[10] == 0xff && v6[11] == 0xff {
            var v4 = Array(v6[12...])
            v4[3] = 0
            return text(v4, family: AF_INET) + "/24"
        }
        for index in 6..<16 { v6[index] = 0 }
        return text(v6, family: AF_INET6) + "/48"
    }

    private static func parse(_ text: String, family: Int32, length: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: length)
        let parsed = bytes.withUnsafeMutableBytes { inet_pton(family, text, $0.baseAddress) == 1 }
        return parsed ? bytes : nil
    }

    private static func text(_ bytes: [UInt8], family: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        guard written else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
