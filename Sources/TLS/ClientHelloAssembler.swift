/// Recognises and reassembles a ClientHello from the first bytes a client sends on a TLS port,
/// before any TLS library sees them.
///
/// Feed it bytes as they arrive (from `recv`, or the new part of a `MSG_PEEK`); it takes the
/// handshake message out of however many TLS records and reads it spans. It works byte by byte in
/// constant state, so a client trickling one byte at a time costs no more than one sending it all,
/// and it never holds more than ``maximumLength`` bytes.
public struct ClientHelloAssembler: Sendable {
    /// What the bytes fed so far amount to. Every status but ``needMore`` is final: later feeds return it unchanged.
    public enum Status: Hashable, Sendable {
        /// The bytes so far are a valid beginning; feed more.
        case needMore
        /// A whole ClientHello handshake message (type, 3-byte length, body), ready for
        /// ``ClientHello/init(handshakeMessage:)``. `recordVersion` is the first record's version
        /// field (for diagnosis only: clients set it low on purpose); `recordByteCount` counts the fed
        /// bytes up to the message's last byte, record headers included.
        case complete(handshakeMessage: [UInt8], recordVersion: TLSProtocolVersion, recordByteCount: Int)
        /// An SSL 2.0-format ClientHello (Internet Explorer 6, Java 6 and older): no TLS record,
        /// a 2-byte length with the high bit set, then message type 1 and the highest version offered.
        case sslv2Hello(version: TLSProtocolVersion)
        /// Not a TLS handshake at all, e.g. a plaintext "EHLO" or "a001 CAPABILITY" on a TLS port.
        case notTLS
        /// TLS records that cannot carry a valid ClientHello.
        case invalid(ClientHelloError)
    }

    /// The most handshake-body bytes accepted; the default is ``ClientHello/maximumLength``.
    public let maximumLength: Int

    private var header: [UInt8] = []
    private var recordRemaining = 0
    private var message: [UInt8] = []
    private var recordVersion: TLSProtocolVersion?
    private var consumed = 0
    private var outcome: Status?

    private static let handshakeContentType: UInt8 = 22
    private static let maximumRecordLength = 1 << 14

    public init(maximumLength: Int = ClientHello.maximumLength) {
        self.maximumLength = maximumLength
    }

    /// Adds the next bytes from the client and reports what all bytes fed so far amount to.
    /// Bytes after a final status are ignored.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> Status {
        for byte in bytes {
            if let outcome { return outcome }
            consumed += 1
            if recordRemaining > 0 {
                recordRemaining -= 1
                outcome = appendToMessage(byte)
            } else {
                header.append(byte)
                outcome = recordVersion == nil ? examineFirstHeader() : examineNextHeader()
            }
        }
        return outcome ?? .needMore
    }

    /// Decides from the first bytes whether this is TLS, SSLv2 or something else.
    private mutating func examineFirstHeader() -> Status? {
        if header[0] & 0x80 != 0 {
            return examineSSLv2Header()
        }
        guard header[0] == Self.handshakeContentType else { return .notTLS }
        guard header.count < 2 || header[1] == 0x03 else { return .notTLS }
        guard header.count == 5 else { return nil }
        recordVersion = TLSProtocolVersion(rawValue: UInt16(header[1]) << 8 | UInt16(header[2]))
        return startRecord()
    }

    /// SSLv2 record: 2-byte length with the high bit set, msg_type 1 (CLIENT-HELLO), version 0x0002 or 0x03xx.
    private func examineSSLv2Header() -> Status? {
        guard header.count >= 3 else { return nil }
        guard header[2] == 1 else { return .notTLS }
        guard header.count == 5 else { return nil }
        let version = TLSProtocolVersion(rawValue: UInt16(header[3]) << 8 | UInt16(header[4]))
        guard version == .sslv2 || header[3] == 0x03 else { return .notTLS }
        return .sslv2Hello(version: version)
    }

    /// A later record must continue the handshake.
    private mutating func examineNextHeader() -> Status? {
        guard header[0] == Self.handshakeContentType else { return .invalid(.unexpectedRecordType(header[0])) }
        guard header.count == 5 else { return nil }
        return startRecord()
    }

    private mutating func startRecord() -> Status? {
        let length = Int(header[3]) << 8 | Int(header[4])
        guard length > 0, length <= Self.maximumRecordLength else { return .invalid(.invalidRecordLength(length)) }
        recordRemaining = length
        header.removeAll(keepingCapacity: true)
        return nil
    }

    private mutating func appendToMessage(_ byte: UInt8) -> Status? {
        message.append(byte)
        if message.count == 1, byte != 1 {
            return .invalid(.notClientHello(messageType: byte))
        }
        guard message.count >= 4 else { return nil }
        let length = Int(message[1]) << 16 | Int(message[2]) << 8 | Int(message[3])
        guard length <= maximumLength else { return .invalid(.messageTooLarge(length: length, limit: maximumLength)) }
        guard message.count == 4 + length, let recordVersion else { return nil }
        return .complete(handshakeMessage: message, recordVersion: recordVersion, recordByteCount: consumed)
    }
}
