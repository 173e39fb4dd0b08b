/// What a client offered in its ClientHello, kept for the connection log
/// (especially of clients that are refused).
public struct ClientOffer: Equatable, Sendable {
    /// Highest non-GREASE version offered (supported_versions, else the
    /// ClientHello's own version).
    public var highestVersion: UInt16
    public var serverName: String?
    public var cipherCount: Int
    public var alpn: [String]
    /// The raw ClientHello handshake message, for fingerprinting.
    public var rawHello: [UInt8]

    public init(highestVersion: UInt16, serverName: String?, cipherCount: Int, alpn: [String], rawHello: [UInt8]) {
        self.highestVersion = highestVersion
        self.serverName = serverName
        self.cipherCount = cipherCount
        self.alpn = alpn
        self.rawHello = rawHello
    }
}
