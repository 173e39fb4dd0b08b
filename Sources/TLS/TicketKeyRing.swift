import COpenSSL
import Foundation

/// The shared ticket keys of one configuration generation, handed to
/// OpenSSL through `SSL_CTX_set_tlsext_ticket_key_evp_cb`: every instance
/// of a fleet that reads the same file can resume the others' sessions.
final class TicketKeyRing: Sendable {
    let keys: [TicketKey]

    /// Reads and parses `path`; errors name `tls.ticket_keys`.
    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TLSSetupError.unreadable(path, key: "tls.ticket_keys")
        }
        do {
            keys = try TicketKeyFile.parse([UInt8](data))
        } catch {
            throw TLSSetupError(key: "tls.ticket_keys", reason: "\(path) \(error)")
        }
    }

    /// A new ticket: the first key's name, a random IV, AES-256-CBC and HMAC-SHA256.
    func encrypt(name: UnsafeMutablePointer<UInt8>, iv: UnsafeMutablePointer<UInt8>,
                 cipher: OpaquePointer, mac: OpaquePointer) -> Int32 {
        let key = keys[0]
        guard RAND_bytes(iv, 16) == 1 else { return -1 }
        name.update(from: key.name, count: 16)
        guard EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nil, key.aesKey, iv) == 1, Self.setHMAC(mac, key) else {
            return -1
        }
        return 1
    }

    /// A presented ticket: 0 for an unknown key name (full handshake), 1
    /// for the current key, 2 for an older one (OpenSSL then issues a
    /// fresh ticket under the current key).
    func decrypt(name: UnsafeMutablePointer<UInt8>, iv: UnsafeMutablePointer<UInt8>,
                 cipher: OpaquePointer, mac: OpaquePointer) -> Int32 {
        let presented = UnsafeBufferPointer(start: name, count: 16)
        guard let index = keys.firstIndex(where: { $0.name.elementsEqual(presented) }) else { return 0 }
        let key = keys[index]
        guard EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nil, key.aesKey, iv) == 1, Self.setHMAC(mac, key) else {
            return -1
        }
        return index == 0 ? 1 : 2
    }

    // OSSL_PARAM keeps the pointers it is given: the names must outlive the call.
    private nonisolated(unsafe) static let keyParameter = strdup(OSSL_MAC_PARAM_KEY)!
    private nonisolated(unsafe) static let digestParameter = strdup("digest")!
    private nonisolated(unsafe) static let sha256 = strdup("SHA256")!

    private static func setHMAC(_ mac: OpaquePointer, _ key: TicketKey) -> Bool {
        key.hmacSecret.withUnsafeBytes { secret in
            var parameters = [
                OSSL_PARAM_construct_octet_string(keyParameter, UnsafeMutableRawPointer(mutating: secret.baseAddress),
                                                  secret.count),
                OSSL_PARAM_construct_utf8_string(digestParameter, sha256, 0),
                OSSL_PARAM_construct_end(),
            ]
            return EVP_MAC_CTX_set_params(mac, &parameters) == 1
        }
    }
}

/// OpenSSL's ticket callback; the keys are reached through the session,
/// since a C callback cannot capture Swift state.
let ticketKeyCallback: @convention(c) (
    OpaquePointer?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, OpaquePointer?, OpaquePointer?, Int32
) -> Int32 = { ssl, name, iv, cipher, mac, encrypting in
    guard let session = TLSSession.from(ssl), let ring = session.context.certificates.ticketKeys,
          let name, let iv, let cipher, let mac else { return -1 }
    return encrypting == 1
        ? ring.encrypt(name: name, iv: iv, cipher: cipher, mac: mac)
        : ring.decrypt(name: name, iv: iv, cipher: cipher, mac: mac)
}
