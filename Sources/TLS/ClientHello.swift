/// A TLS ClientHello, parsed from the raw handshake message the client sent.
///
/// OpenSSL's client-hello accessors hide GREASE and unknown extensions; this parser keeps every
/// cipher suite and extension in wire order, which version decisions and JA4 fingerprints need.
/// All byte values are as the client sent them and untrusted: escape them before logging.
public struct ClientHello: Hashable, Sendable {
    /// One extension as sent: its type number and its undecoded contents.
    public struct Extension: Hashable, Sendable {
        public let type: UInt16
        public let data: [UInt8]
    }

    /// The largest handshake body accepted (the 3-byte length field), far above any real ClientHello.
    public static let maximumLength = 65_536
    /// The most extensions accepted; real clients send about twenty.
    public static let maximumExtensionCount = 128

    /// The version field of the ClientHello body (0x0303 for every TLS 1.3 client).
    public let legacyVersion: TLSProtocolVersion
    /// Cipher suite code points in the client's order, GREASE and signalling values included.
    public let cipherSuites: [UInt16]
    /// Compression method code points in the client's order (normally just 0, null).
    public let compressionMethods: [UInt8]
    /// Extensions in wire order, GREASE and unknown types included; empty when the ClientHello
    /// ends after the compression methods, as SSLv3 and some TLS 1.0 clients' do.
    public let extensions: [Extension]

    /// The versions listed in supported_versions (0x002b) in the client's order, GREASE included;
    /// nil when the extension is absent.
    public let supportedVersions: [TLSProtocolVersion]?
    /// The host_name from server_name (0x0000), decoded as UTF-8; nil when absent.
    public let serverName: String?
    /// The protocol names of application_layer_protocol_negotiation (0x0010) in preference order, as bytes.
    public let alpnProtocols: [[UInt8]]
    /// signature_algorithms (0x000d) in the client's order.
    public let signatureAlgorithms: [UInt16]
    /// supported_groups (0x000a) in the client's order.
    public let supportedGroups: [UInt16]
    /// ec_point_formats (0x000b) in the client's order.
    public let ecPointFormats: [UInt8]

    /// The newest version the client offers: the highest non-GREASE entry of supported_versions,
    /// else ``legacyVersion``. Never the record-layer version, which clients set lower on purpose.
    public var highestOfferedVersion: TLSProtocolVersion {
        supportedVersions?.filter { !$0.isGREASE }.max() ?? legacyVersion
    }

    /// The contents of the first extension of `type`, or nil when the client did not send it.
    public func extensionData(ofType type: UInt16) -> [UInt8]? {
        extensions.first { $0.type == type }?.data
    }

    /// Parses one complete handshake message: msg_type 1, a 3-byte length, and exactly that many bytes.
    public init(handshakeMessage: some Collection<UInt8>) throws(ClientHelloError) {
        guard handshakeMessage.count <= 4 + Self.maximumLength else {
            throw .messageTooLarge(length: handshakeMessage.count - 4, limit: Self.maximumLength)
        }
        var message = ClientHelloByteReader(ArraySlice(handshakeMessage), field: .handshakeHeader)
        let messageType = try message.readUInt8()
        guard messageType == 1 else { throw .notClientHello(messageType: messageType) }
        let length = try message.readUInt24()
        guard length <= Self.maximumLength else { throw .messageTooLarge(length: length, limit: Self.maximumLength) }
        guard length <= message.remainingCount else { throw .truncated(.handshakeHeader) }
        guard length == message.remainingCount else { throw .trailingBytes(.handshakeHeader) }

        var body = message
        legacyVersion = TLSProtocolVersion(rawValue: try body.readUInt16(as: .legacyVersion))
        _ = try body.readBytes(32, as: .random)
        _ = try body.readVector(lengthByteCount: 1, as: .sessionID)
        var suites = try body.readVector(lengthByteCount: 2, as: .cipherSuites)
        cipherSuites = try suites.readRemainingUInt16s()
        var compression = try body.readVector(lengthByteCount: 1, as: .compressionMethods)
        compressionMethods = compression.readRemainingBytes()
        extensions = body.isAtEnd ? [] : try Self.readExtensions(from: &body)

        let known = ClientHelloKnownExtensions(extensions)
        supportedVersions = try known.supportedVersions()
        serverName = try known.serverName()
        alpnProtocols = try known.alpnProtocols()
        signatureAlgorithms = try known.uint16List(ofType: ExtensionType.signatureAlgorithms)
        supportedGroups = try known.uint16List(ofType: ExtensionType.supportedGroups)
        ecPointFormats = try known.ecPointFormats()
    }

    private static func readExtensions(from body: inout ClientHelloByteReader) throws(ClientHelloError) -> [Extension] {
        var block = try body.readVector(lengthByteCount: 2, as: .extensions)
        var extensions: [Extension] = []
        var seen = Set<UInt16>()
        while !block.isAtEnd {
            guard extensions.count < maximumExtensionCount else { throw .tooManyExtensions(limit: maximumExtensionCount) }
            let type = try block.readUInt16()
            var data = try block.readVector(lengthByteCount: 2, as: .extensionData(type: type))
            guard seen.insert(type).inserted else { throw .duplicateExtension(type: type) }
            extensions.append(Extension(type: type, data: data.readRemainingBytes()))
        }
        guard body.isAtEnd else { throw .trailingBytes(.extensions) }
        return extensions
    }
}

/// Extension type numbers this parser decodes (IANA "TLS ExtensionType Values").
enum ExtensionType {
    static let serverName: UInt16 = 0x0000
    static let supportedGroups: UInt16 = 0x000A
    static let ecPointFormats: UInt16 = 0x000B
    static let signatureAlgorithms: UInt16 = 0x000D
    static let applicationLayerProtocolNegotiation: UInt16 = 0x0010
    static let supportedVersions: UInt16 = 0x002B
}
