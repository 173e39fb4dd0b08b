/// Why bytes from a client could not be read as a TLS ClientHello.
///
/// Every case describes the input, never the program: malformed or hostile input always ends in one
/// of these, with nothing allocated beyond the size of the input.
public enum ClientHelloError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The part of a ClientHello an error refers to.
    public enum Field: Hashable, Sendable, CustomStringConvertible {
        case handshakeHeader
        case legacyVersion
        case random
        case sessionID
        case cipherSuites
        case compressionMethods
        case extensions
        /// The contents of one extension, by its type number.
        case extensionData(type: UInt16)

        public var description: String {
            switch self {
            case .handshakeHeader: "handshake header"
            case .legacyVersion: "legacy_version"
            case .random: "random"
            case .sessionID: "legacy_session_id"
            case .cipherSuites: "cipher_suites"
            case .compressionMethods: "legacy_compression_methods"
            case .extensions: "extensions"
            case .extensionData(let type): "extension 0x\(hex4(type))"
            }
        }
    }

    /// The handshake message is of another type (the value given), not client_hello (1).
    case notClientHello(messageType: UInt8)
    /// The handshake message announces more bytes than a ClientHello is allowed to have.
    case messageTooLarge(length: Int, limit: Int)
    /// A field, or a length prefix, runs past the end of the bytes that should contain it.
    case truncated(Field)
    /// Bytes are left over after a field's announced content: two lengths disagree.
    case trailingBytes(Field)
    /// A list of 16-bit values has an odd number of bytes.
    case oddLength(Field)
    /// More extensions than any real client sends.
    case tooManyExtensions(limit: Int)
    /// The same extension type appears twice, which RFC 8446 §4.2 forbids.
    case duplicateExtension(type: UInt16)
    /// A TLS record carrying the ClientHello has a length of zero or above 2^14 bytes.
    case invalidRecordLength(Int)
    /// A record of another content type (the value given) interrupts the ClientHello's records.
    case unexpectedRecordType(UInt8)

    public var description: String {
        switch self {
        case .notClientHello(let type): "handshake message type \(type) is not a ClientHello"
        case .messageTooLarge(let length, let limit): "ClientHello of \(length) bytes exceeds the limit of \(limit)"
        case .truncated(let field): "ClientHello truncated in \(field)"
        case .trailingBytes(let field): "ClientHello has trailing bytes after \(field)"
        case .oddLength(let field): "ClientHello \(field) has an odd length"
        case .tooManyExtensions(let limit): "ClientHello has more than \(limit) extensions"
        case .duplicateExtension(let type): "ClientHello repeats extension 0x\(hex4(type))"
        case .invalidRecordLength(let length): "TLS record length \(length) is invalid"
        case .unexpectedRecordType(let type): "TLS record type \(type) interrupts the ClientHello"
        }
    }
}
