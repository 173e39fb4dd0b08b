import Foundation

/// One session-ticket key: a 16-byte name that marks the tickets it
/// encrypted, an HMAC-SHA256 secret and an AES-256-CBC key.
public struct TicketKey: Equatable, Sendable {
    public static let byteCount = 80

    public var name: [UInt8]
    public var hmacSecret: [UInt8]
    public var aesKey: [UInt8]
}

/// Why a ticket key file is unusable.
public struct TicketKeyFileError: Error, Equatable, CustomStringConvertible, Sendable {
    public var description: String
}

/// The two file formats operators already have:
///
/// - **raw**, nginx's `ssl_session_ticket_key`: one or more 80-byte keys
///   back to back (`openssl rand 80 > ticket.key`), each laid out
///   name | HMAC secret | AES key;
/// - **base64 lines**, HAProxy's `tls-ticket-keys`: one key per line
///   (`openssl rand -base64 80`), each laid out name | AES key | HMAC secret.
///
/// A file of printable ASCII is read as base64 lines (blank lines and `#`
/// comments skipped); anything else as raw keys. Random raw bytes are
/// never all printable, so the guess cannot go wrong for a real key file.
/// The first key encrypts new tickets; every key decrypts.
public enum TicketKeyFile {
    public static func parse(_ bytes: [UInt8]) throws(TicketKeyFileError) -> [TicketKey] {
        let isText = bytes.allSatisfy { (0x20...0x7E).contains($0) || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        let keys = isText ? try parseBase64Lines(bytes) : try parseRaw(bytes)
        guard !keys.isEmpty else { throw TicketKeyFileError(description: "contains no key") }
        return keys
    }

    private static func parseRaw(_ bytes: [UInt8]) throws(TicketKeyFileError) -> [TicketKey] {
        guard bytes.count % TicketKey.byteCount == 0 else {
            throw TicketKeyFileError(description: "is \(bytes.count) bytes, not a multiple of 80 (raw keys are 80 bytes each: openssl rand 80)")
        }
        return stride(from: 0, to: bytes.count, by: TicketKey.byteCount).map { start in
            TicketKey(name: Array(bytes[start..<start + 16]), hmacSecret: Array(bytes[start + 16..<start + 48]),
                      aesKey: Array(bytes[start + 48..<start + 80]))
        }
    }

    private static func parseBase64Lines(_ bytes: [UInt8]) throws(TicketKeyFileError) -> [TicketKey] {
        var keys: [TicketKey] = []
        // Split as bytes: as Characters, "\r\n" is one and would not split at "\n".
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        for (number, rawLine) in zip(1..., lines) {
            let line = String(decoding: rawLine, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let data = Data(base64Encoded: line) else {
                throw TicketKeyFileError(description: "line \(number) is not base64")
            }
            guard data.count == TicketKey.byteCount else {
                throw TicketKeyFileError(
                    description: "line \(number) holds \(data.count) bytes, not 80 (48-byte AES-128 keys are not supported: openssl rand -base64 80)")
            }
            let key = [UInt8](data)
            keys.append(TicketKey(name: Array(key[0..<16]), hmacSecret: Array(key[48..<80]), aesKey: Array(key[16..<48])))
        }
        return keys
    }
}
