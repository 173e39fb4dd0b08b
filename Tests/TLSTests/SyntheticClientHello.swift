@testable import TLS

/// Builds ClientHello bytes field by field, for shapes no client on this machine produces
/// (SSLv3, no extensions block, hostile lengths). Real clients' bytes are in ``RealClientHellos``.
struct SyntheticClientHello {
    var version: UInt16 = 0x0303
    var cipherSuites: [UInt16] = [0x002F]
    var compressionMethods: [UInt8] = [0]
    /// nil leaves out the extensions block entirely, as SSLv3 clients do.
    var extensions: [(type: UInt16, data: [UInt8])]? = []

    /// The handshake body: everything after msg_type and the 3-byte length.
    var body: [UInt8] {
        var bytes = bigEndian(version, byteCount: 2)
        bytes += [UInt8](repeating: 0x42, count: 32)  // random
        bytes += [0]  // empty legacy_session_id
        bytes += vector(cipherSuites.flatMap { bigEndian($0, byteCount: 2) }, lengthByteCount: 2)
        bytes += vector(compressionMethods, lengthByteCount: 1)
        if let extensions {
            bytes += vector(extensions.flatMap { bigEndian($0.type, byteCount: 2) + vector($0.data, lengthByteCount: 2) }, lengthByteCount: 2)
        }
        return bytes
    }

    var handshakeMessage: [UInt8] {
        clientHelloMessage(body: body)
    }

    /// The message wrapped in TLS handshake records of at most `fragmentLength` bytes each.
    func records(version recordVersion: UInt16 = 0x0301, fragmentLength: Int = 1 << 14) -> [UInt8] {
        let message = handshakeMessage
        var records: [UInt8] = []
        for start in stride(from: 0, to: message.count, by: fragmentLength) {
            let fragment = Array(message[start ..< min(start + fragmentLength, message.count)])
            records += [22] + bigEndian(recordVersion, byteCount: 2)
            records += vector(fragment, lengthByteCount: 2)
        }
        return records
    }

    // MARK: Extension contents

    static func serverName(_ host: String) -> [UInt8] {
        vector([0] + vector(Array(host.utf8), lengthByteCount: 2), lengthByteCount: 2)
    }

    static func alpn(_ protocols: [[UInt8]]) -> [UInt8] {
        vector(protocols.flatMap { vector($0, lengthByteCount: 1) }, lengthByteCount: 2)
    }

    static func supportedVersions(_ versions: [UInt16]) -> [UInt8] {
        vector(versions.flatMap { bigEndian($0, byteCount: 2) }, lengthByteCount: 1)
    }

    /// Any extension holding one 2-byte-length list of 16-bit values (signature algorithms, groups).
    static func uint16List(_ values: [UInt16]) -> [UInt8] {
        vector(values.flatMap { bigEndian($0, byteCount: 2) }, lengthByteCount: 2)
    }
}

/// msg_type client_hello, a 3-byte length, then `body` (whose length the caller may have falsified).
func clientHelloMessage(body: [UInt8], announcedLength: Int? = nil) -> [UInt8] {
    [1] + bigEndian(announcedLength ?? body.count, byteCount: 3) + body
}

func vector(_ content: [UInt8], lengthByteCount: Int) -> [UInt8] {
    bigEndian(content.count, byteCount: lengthByteCount) + content
}

func bigEndian(_ value: some BinaryInteger, byteCount: Int) -> [UInt8] {
    (0 ..< byteCount).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
}

/// The ClientHello in TLS record bytes, reassembled and parsed the way the daemon does it.
func clientHello(fromRecords records: [UInt8]) throws -> ClientHello {
    var assembler = ClientHelloAssembler()
    let status = assembler.feed(records)
    guard case .complete(let message, _, _) = status else { throw AssemblyDidNotComplete(status: status) }
    return try ClientHello(handshakeMessage: message)
}

struct AssemblyDidNotComplete: Error {
    let status: ClientHelloAssembler.Status
}
