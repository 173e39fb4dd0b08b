/// One type-length-value record of a v2 header (or of a PP2_TYPE_SSL value).
public struct ProxyTLV: Hashable, Sendable {
    /// The type code (the spec's `PP2_TYPE_*` or `PP2_SUBTYPE_*` values, or 0xE0–0xEF for custom data).
    public var type: UInt8
    /// The value bytes, at most 65535.
    public var value: [UInt8]

    public init(type: UInt8, value: [UInt8]) {
        self.type = type
        self.value = value
    }
}

/// Type codes from the spec (section 2.2), under the spec's own names so a
/// reader can look them up.
enum PP2 {
    static let typeALPN: UInt8 = 0x01
    static let typeAuthority: UInt8 = 0x02
    static let typeCRC32C: UInt8 = 0x03
    static let typeNoop: UInt8 = 0x04
    static let typeSSL: UInt8 = 0x20
    static let subtypeSSLVersion: UInt8 = 0x21
    static let subtypeSSLCipher: UInt8 = 0x23
}

/// The PP2_TYPE_SSL record: how the client reached the proxy over TLS.
public struct ProxySSL: Hashable, Sendable {
    /// The `client` bit field: which of the TLS facts below are present.
    public struct ClientFlags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// PP2_CLIENT_SSL: the client connected over TLS. Dovecot needs
        /// this bit to treat the proxied session as secured.
        public static let ssl = ClientFlags(rawValue: 0x01)
        /// PP2_CLIENT_CERT_CONN: a client certificate on this connection.
        public static let certificateOnConnection = ClientFlags(rawValue: 0x02)
        /// PP2_CLIENT_CERT_SESS: a client certificate at least once in this TLS session.
        public static let certificateInSession = ClientFlags(rawValue: 0x04)
    }

    /// Which TLS facts the record reports.
    public var client: ClientFlags
    /// Zero if the client's certificate verified (or none was asked for).
    public var verify: UInt32
    /// PP2_SUBTYPE_SSL_VERSION, e.g. "TLSv1.3".
    public var version: String?
    /// PP2_SUBTYPE_SSL_CIPHER, e.g. "TLS_AES_256_GCM_SHA384".
    public var cipher: String?
    /// Other sub-TLVs (client certificate CN, signature algorithm, …), in order.
    public var otherSubTLVs: [ProxyTLV]

    /// A TLS client without a certificate: `client = PP2_CLIENT_SSL`, `verify = 0`.
    public init(client: ClientFlags = .ssl, verify: UInt32 = 0, version: String?, cipher: String?,
                otherSubTLVs: [ProxyTLV] = []) {
        self.client = client
        self.verify = verify
        self.version = version
        self.cipher = cipher
        self.otherSubTLVs = otherSubTLVs
    }
}

/// Appends one TLV; fails when the value does not fit the 16-bit length.
func appendTLV(type: UInt8, value: [UInt8], to output: inout [UInt8]) throws(ProxyEncodingError) {
    guard value.count <= Int(UInt16.max) else {
        throw ProxyEncodingError(reason: "TLV 0x\(String(type, radix: 16)) value of \(value.count) bytes exceeds 65535")
    }
    output.append(type)
    output.appendBigEndian(UInt16(value.count))
    output.append(contentsOf: value)
}

/// A TLV located inside a buffer: `valueRange` indexes that buffer.
struct LocatedTLV {
    let type: UInt8
    let valueRange: Range<Int>
}

/// Splits `bytes` into TLVs, requiring that they tile it exactly.
func locateTLVs(in bytes: ArraySlice<UInt8>) throws(ProxyDecodingFailure) -> [LocatedTLV] {
    var found: [LocatedTLV] = []
    var offset = bytes.startIndex
    while offset < bytes.endIndex {
        guard bytes.endIndex - offset >= 3 else {
            throw ProxyDecodingFailure("v2 TLV header truncated at byte \(offset)")
        }
        let type = bytes[offset]
        let length = Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
        let valueStart = offset + 3
        guard length <= bytes.endIndex - valueStart else {
            throw ProxyDecodingFailure(
                "v2 TLV 0x\(String(type, radix: 16)) of \(length) bytes at byte \(offset) overruns its container")
        }
        found.append(LocatedTLV(type: type, valueRange: valueStart..<valueStart + length))
        offset = valueStart + length
    }
    return found
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt16) {
        append(UInt8(value >> 8))
        append(UInt8(value & 0xFF))
    }

    mutating func appendBigEndian(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            append(UInt8((value >> UInt32(shift)) & 0xFF))
        }
    }
}
