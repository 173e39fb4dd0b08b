import COpenSSL

/// JA4, FoxIO's TLS client fingerprint (technical_details/JA4.md in FoxIO-LLC/ja4, BSD 3-Clause).
///
/// Shape: `t13d1516h2_8daaf6152771_e5627efa2ab1` — transport, version, SNI, cipher and extension
/// counts, ALPN; then a hash of the sorted cipher suites; then a hash of the sorted extensions and
/// the signature algorithms. GREASE values are left out everywhere.
public enum JA4 {
    /// How the ClientHello travelled: the fingerprint's first character.
    public enum Transport: String, Sendable {
        case tcp = "t"
        case quic = "q"
    }

    /// The JA4 fingerprint of `hello`.
    public static func fingerprint(of hello: ClientHello, transport: Transport = .tcp) -> String {
        let parts = Parts(hello, transport: transport)
        return parts.prefix + "_" + truncatedHash(parts.ciphers) + "_" + truncatedHash(parts.extensionsAndSignatures)
    }

    /// JA4_r: the fingerprint with the hashed lists written out, for diagnosing a mismatch.
    public static func rawFingerprint(of hello: ClientHello, transport: Transport = .tcp) -> String {
        let parts = Parts(hello, transport: transport)
        return [parts.prefix, String(decoding: parts.ciphers, as: UTF8.self),
                String(decoding: parts.extensionsAndSignatures, as: UTF8.self)].joined(separator: "_")
    }

    /// The three sections before hashing; the lists as ASCII bytes, the
    /// way they are hashed (once per handshake: no string per value).
    private struct Parts {
        let prefix: String
        let ciphers: [UInt8]
        let extensionsAndSignatures: [UInt8]

        init(_ hello: ClientHello, transport: Transport) {
            let ciphers = hello.cipherSuites.filter { !GREASE.isReserved($0) }
            let extensions = hello.extensions.map(\.type).filter { !GREASE.isReserved($0) }
            let hasServerName = extensions.contains(ExtensionType.serverName)
            prefix = transport.rawValue
                + versionCode(hello.highestOfferedVersion)
                + (hasServerName ? "d" : "i")
                + twoDigitCount(ciphers.count)
                + twoDigitCount(extensions.count)
                + alpnCode(hello.alpnProtocols.first)

            self.ciphers = hexList(ciphers.sorted())
            // SNI and ALPN are already in the prefix; leaving them out keeps this section stable
            // across destinations and protocols of the same client.
            let hashedExtensions = hexList(extensions.filter {
                $0 != ExtensionType.serverName && $0 != ExtensionType.applicationLayerProtocolNegotiation
            }.sorted())
            let signatures = hexList(hello.signatureAlgorithms.filter { !GREASE.isReserved($0) })
            extensionsAndSignatures = signatures.isEmpty
                ? hashedExtensions
                : hashedExtensions + [UInt8(ascii: "_")] + signatures
        }
    }

    /// The two-character version: highest supported_versions entry, else the ClientHello version.
    static func versionCode(_ version: TLSProtocolVersion) -> String {
        switch version.rawValue {
        case 0x0304: "13"
        case 0x0303: "12"
        case 0x0302: "11"
        case 0x0301: "10"
        case 0x0300: "s3"
        case 0x0002: "s2"
        case 0xFEFF: "d1"
        case 0xFEFD: "d2"
        case 0xFEFC: "d3"
        default: "00"
        }
    }

    /// First and last character of the first ALPN protocol; "00" when there is none or it is empty.
    /// When either end is not an ASCII letter or digit, the ends of its hex spelling stand instead.
    static func alpnCode(_ firstProtocol: [UInt8]?) -> String {
        guard let name = firstProtocol, let first = name.first, let last = name.last else { return "00" }
        if isASCIIAlphanumeric(first), isASCIIAlphanumeric(last) {
            return String(decoding: [first, last], as: UTF8.self)
        }
        let hex = hexDigits(first) + hexDigits(last)
        return String([hex.first, hex.last].compactMap { $0 })
    }

    /// Fetched once: `EVP_sha256()` makes OpenSSL 3 look the algorithm up in
    /// its provider store (a lock and a hash lookup) on every digest, twice
    /// per handshake here. A fetched EVP_MD is immutable and thread-safe.
    nonisolated(unsafe) private static let sha256 = EVP_MD_fetch(nil, "SHA256", nil)

    /// The first 12 hex digits of the SHA-256 of `text`; "000000000000" for an empty list, so that
    /// "nothing offered" reads as such rather than as the hash of an empty string.
    static func truncatedHash(_ text: [UInt8]) -> String {
        guard !text.isEmpty else { return String(repeating: "0", count: 12) }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var digestLength: UInt32 = 0
        let succeeded = EVP_Digest(text, text.count, &digest, &digestLength, sha256, nil) == 1
        precondition(succeeded, "OpenSSL SHA-256 failed")
        var hex: [UInt8] = []
        hex.reserveCapacity(12)
        for byte in digest.prefix(6) {
            hex.append(hexDigit(byte >> 4))
            hex.append(hexDigit(byte & 0x0F))
        }
        return String(decoding: hex, as: UTF8.self)
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    private static func hexDigits(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }

    private static func twoDigitCount(_ count: Int) -> String {
        let capped = min(count, 99)
        return capped < 10 ? "0\(capped)" : "\(capped)"
    }

    /// `0a0b,1301,…`: four lowercase hex digits per value, comma-separated.
    private static func hexList(_ values: [UInt16]) -> [UInt8] {
        var list: [UInt8] = []
        list.reserveCapacity(values.count * 5)
        for value in values {
            if !list.isEmpty { list.append(UInt8(ascii: ",")) }
            for shift in stride(from: 12, through: 0, by: -4) {
                list.append(hexDigit(UInt8(truncatingIfNeeded: value >> UInt16(shift)) & 0x0F))
            }
        }
        return list
    }
}
