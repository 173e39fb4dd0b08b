/// Bounds on the plaintext conversation before TLS, so a client that never
/// asks for TLS cannot hold a connection or memory for long.
public struct PreambleLimits: Equatable, Sendable {
    /// The longest command line accepted, without its line end. Longer lines
    /// are answered with an error and their bytes dropped.
    public var maxLineLength: Int
    /// Commands answered before tlsfloord gives up on the client ever
    /// starting TLS and closes the connection.
    public var maxCommands: Int
    /// Erroneous commands (unknown, refused, too long) after which the
    /// connection is closed; the last one is answered, then the close notice.
    public var maxErrors: Int

    /// - Parameters:
    ///   - maxLineLength: 1000 by default: the SMTP text-line limit (RFC 5321
    ///     §4.5.3.1.6), generous for IMAP and POP3 commands before TLS.
    ///   - maxCommands: 20 by default; a real client needs two or three.
    ///   - maxErrors: 5 by default.
    public init(maxLineLength: Int = 1000, maxCommands: Int = 20, maxErrors: Int = 5) {
        self.maxLineLength = max(1, maxLineLength)
        self.maxCommands = max(1, maxCommands)
        self.maxErrors = max(1, maxErrors)
    }
}
