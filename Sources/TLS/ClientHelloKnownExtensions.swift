/// Decodes the contents of the extensions ``ClientHello`` exposes by name. Each decoder checks every
/// inner length against the extension's own length, so a lying inner length is an error, not a read
/// into the next extension.
struct ClientHelloKnownExtensions {
    private let extensions: [ClientHello.Extension]

    init(_ extensions: [ClientHello.Extension]) {
        self.extensions = extensions
    }

    /// supported_versions in a ClientHello: a 1-byte length, then 16-bit versions (RFC 8446 §4.2.1).
    func supportedVersions() throws(ClientHelloError) -> [TLSProtocolVersion]? {
        guard var content = try vector(ofType: ExtensionType.supportedVersions, lengthByteCount: 1) else { return nil }
        return try content.readRemainingUInt16s().map(TLSProtocolVersion.init(rawValue:))
    }

    /// The first host_name (name type 0) of server_name (RFC 6066 §3). An extension with no data
    /// names no host.
    func serverName() throws(ClientHelloError) -> String? {
        guard extensionData(ofType: ExtensionType.serverName)?.isEmpty == false,
              var list = try vector(ofType: ExtensionType.serverName, lengthByteCount: 2) else { return nil }
        var hostName: String?
        while !list.isAtEnd {
            let nameType = try list.readUInt8()
            var name = try list.readVector(lengthByteCount: 2, as: list.field)
            if nameType == 0, hostName == nil {
                hostName = String(decoding: name.readRemainingBytes(), as: UTF8.self)
            }
        }
        return hostName
    }

    /// The protocol names of application_layer_protocol_negotiation (RFC 7301 §3.1), empty names kept.
    func alpnProtocols() throws(ClientHelloError) -> [[UInt8]] {
        guard var list = try vector(ofType: ExtensionType.applicationLayerProtocolNegotiation, lengthByteCount: 2) else { return [] }
        var protocols: [[UInt8]] = []
        while !list.isAtEnd {
            var name = try list.readVector(lengthByteCount: 1, as: list.field)
            protocols.append(name.readRemainingBytes())
        }
        return protocols
    }

    /// ec_point_formats (RFC 8422 §5.1.2): a 1-byte length, then 1-byte formats.
    func ecPointFormats() throws(ClientHelloError) -> [UInt8] {
        guard var formats = try vector(ofType: ExtensionType.ecPointFormats, lengthByteCount: 1) else { return [] }
        return formats.readRemainingBytes()
    }

    /// An extension holding one 2-byte-length list of 16-bit code points (groups, signature algorithms).
    func uint16List(ofType type: UInt16) throws(ClientHelloError) -> [UInt16] {
        guard var list = try vector(ofType: type, lengthByteCount: 2) else { return [] }
        return try list.readRemainingUInt16s()
    }

    /// The extension's data read as exactly one vector filling it; nil when the extension is absent.
    private func vector(ofType type: UInt16, lengthByteCount: Int) throws(ClientHelloError) -> ClientHelloByteReader? {
        guard let data = extensionData(ofType: type) else { return nil }
        var whole = ClientHelloByteReader(data[...], field: .extensionData(type: type))
        let content = try whole.readVector(lengthByteCount: lengthByteCount, as: whole.field)
        try whole.expectEnd()
        return content
    }

    private func extensionData(ofType type: UInt16) -> [UInt8]? {
        extensions.first { $0.type == type }?.data
    }
}
