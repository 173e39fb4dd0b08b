import Foundation
import Testing
@testable import TLS

/// The two ticket key formats: nginx's raw 80-byte keys and HAProxy's
/// base64 lines, each with its own layout of name, HMAC secret and AES key.
struct TicketKeyFileTests {
    /// 80 bytes whose three parts are recognisable: 0x01… name, then 0x02…, then 0x03….
    static func key(_ first: UInt8, _ second: UInt8, _ third: UInt8) -> [UInt8] {
        [UInt8](repeating: first, count: 16) + [UInt8](repeating: second, count: 32) + [UInt8](repeating: third, count: 32)
    }

    @Test func rawKeysAreNameHMACAESLikeNginx() throws {
        let keys = try TicketKeyFile.parse(Self.key(1, 2, 3) + Self.key(4, 5, 6))
        #expect(keys.count == 2)
        #expect(keys[0] == TicketKey(name: [UInt8](repeating: 1, count: 16), hmacSecret: [UInt8](repeating: 2, count: 32),
                                     aesKey: [UInt8](repeating: 3, count: 32)))
        #expect(keys[1].name == [UInt8](repeating: 4, count: 16))
    }

    @Test func base64LinesAreNameAESHMACLikeHAProxy() throws {
        let lines = "# rotated daily\n\(Data(Self.key(1, 2, 3)).base64EncodedString())\r\n\n"
            + "  \(Data(Self.key(4, 5, 6)).base64EncodedString())\n"
        let keys = try TicketKeyFile.parse(Array(lines.utf8))
        #expect(keys.count == 2)
        #expect(keys[0] == TicketKey(name: [UInt8](repeating: 1, count: 16), hmacSecret: [UInt8](repeating: 3, count: 32),
                                     aesKey: [UInt8](repeating: 2, count: 32)))
        #expect(keys[1].aesKey == [UInt8](repeating: 5, count: 32))
    }

    @Test func randomRawKeysAreNotMistakenForText() throws {
        var bytes = [UInt8](repeating: 0, count: 160)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        bytes[0] = 0x80  // what the format guess relies on: some byte outside printable ASCII
        #expect(try TicketKeyFile.parse(bytes).count == 2)
    }

    @Test(arguments: [
        ([UInt8](repeating: 0x80, count: 79), "is 79 bytes, not a multiple of 80 (raw keys are 80 bytes each: openssl rand 80)"),
        ([], "contains no key"),
        (Array("# nothing yet\n".utf8), "contains no key"),
        (Array("not base64!\n".utf8), "line 1 is not base64"),
        (Array((Data(repeating: 7, count: 48).base64EncodedString() + "\n").utf8),
         "line 1 holds 48 bytes, not 80 (48-byte AES-128 keys are not supported: openssl rand -base64 80)"),
    ])
    func unusableFilesSayWhy(bytes: [UInt8], reason: String) {
        #expect(throws: TicketKeyFileError(description: reason)) { try TicketKeyFile.parse(bytes) }
    }
}
