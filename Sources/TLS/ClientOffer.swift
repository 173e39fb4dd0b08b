/// What a client offered in its ClientHello, kept for the connection log
/// (especially of clients that are refused).
public struct ClientOffer: Equatable, Sendable {
    /// Highest non-GREASE version offered (supported_versions, else the
    /// ClientHello's own version — never the record layer's).
    public var highestVersion: TLSProtocolVersion
    public var serverName: String?
    /// Cipher suites offered, GREASE not counted.
    public var cipherCount: Int
    public var alpn: [String]
    /// FoxIO JA4 fingerprint; nil when the raw ClientHello was unavailable.
    public var ja4: String?

    public init(highestVersion: TLSProtocolVersion, serverName: String?, cipherCount: Int, alpn: [String], ja4: String?) {
        self.highestVersion = highestVersion
        self.serverName = serverName
        self.cipherCount = cipherCount
        self.alpn = alpn
        self.ja4 = ja4
    }

    public init(_ hello: ClientHello) {
        self.init(highestVersion: hello.highestOfferedVersion, serverName: hello.serverName,
                  cipherCount: hello.cipherSuites.filter { !TLSProtocolVersion(rawValue: $0).isGREASE }.count,
                  alpn: hello.alpnProtocols.map { String(decoding: $0, as: UTF8.self) },
                  ja4: JA4.fingerprint(of: hello))
    }
}
