/// A cursor over one length-delimited part of a ClientHello. Every read checks the bytes remain,
/// so a lying length prefix ends in ``ClientHelloError`` rather than an out-of-bounds access.
struct ClientHelloByteReader {
    private let bytes: ArraySlice<UInt8>
    private var position: Int
    /// The part being read, named in errors unless a read names a narrower one.
    let field: ClientHelloError.Field

    init(_ bytes: ArraySlice<UInt8>, field: ClientHelloError.Field) {
        self.bytes = bytes
        self.position = bytes.startIndex
        self.field = field
    }

    var remainingCount: Int {
        bytes.endIndex - position
    }

    var isAtEnd: Bool {
        position == bytes.endIndex
    }

    mutating func readBytes(_ count: Int, as field: ClientHelloError.Field? = nil) throws(ClientHelloError) -> ArraySlice<UInt8> {
        guard count <= remainingCount else { throw .truncated(field ?? self.field) }
        defer { position += count }
        return bytes[position ..< position + count]
    }

    mutating func readRemainingBytes() -> [UInt8] {
        defer { position = bytes.endIndex }
        return Array(bytes[position...])
    }

    mutating func readUInt8(as field: ClientHelloError.Field? = nil) throws(ClientHelloError) -> UInt8 {
        UInt8(try readBigEndian(byteCount: 1, as: field))
    }

    mutating func readUInt16(as field: ClientHelloError.Field? = nil) throws(ClientHelloError) -> UInt16 {
        UInt16(try readBigEndian(byteCount: 2, as: field))
    }

    mutating func readUInt24(as field: ClientHelloError.Field? = nil) throws(ClientHelloError) -> Int {
        try readBigEndian(byteCount: 3, as: field)
    }

    /// Reads a TLS vector (a length prefix of `lengthByteCount` bytes, then that many bytes) and
    /// returns a reader confined to its content; errors in either are reported against `field`.
    mutating func readVector(lengthByteCount: Int, as field: ClientHelloError.Field) throws(ClientHelloError) -> ClientHelloByteReader {
        let length = try readBigEndian(byteCount: lengthByteCount, as: field)
        return ClientHelloByteReader(try readBytes(length, as: field), field: field)
    }

    /// Reads everything left as big-endian 16-bit values (cipher suites, groups, signature algorithms…).
    mutating func readRemainingUInt16s() throws(ClientHelloError) -> [UInt16] {
        guard remainingCount.isMultiple(of: 2) else { throw .oddLength(field) }
        var values: [UInt16] = []
        values.reserveCapacity(remainingCount / 2)
        while !isAtEnd {
            values.append(try readUInt16())
        }
        return values
    }

    /// Throws unless every byte has been read: the enclosing length announced more than the content used.
    func expectEnd() throws(ClientHelloError) {
        guard isAtEnd else { throw .trailingBytes(field) }
    }

    private mutating func readBigEndian(byteCount: Int, as field: ClientHelloError.Field?) throws(ClientHelloError) -> Int {
        try readBytes(byteCount, as: field).reduce(0) { $0 << 8 | Int($1) }
    }
}
