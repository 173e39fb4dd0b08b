import COpenSSL
import Foundation

/// Cipher list for the handshake of a client below the floor that is let in
/// (`explain` or `allow`): the TLS 1.0/1.1-capable ECDHE CBC suites, and
/// the plain-RSA ones that the oldest devices (Windows 7, Android 4.0) need.
let legacyCipherList = "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:AES128-SHA:AES256-SHA"

/// Keeps the first ClientHello handshake message as it arrived (GREASE and
/// unknown extensions included), which OpenSSL's accessors hide.
let clientHelloCaptureCallback: @convention(c) (
    Int32, Int32, Int32, UnsafeRawPointer?, Int, OpaquePointer?, UnsafeMutableRawPointer?
) -> Void = { writeP, _, contentType, buffer, length, ssl, _ in
    guard writeP == 0, contentType == SSL3_RT_HANDSHAKE, let buffer, length >= 4,
          buffer.load(as: UInt8.self) == SSL3_MT_CLIENT_HELLO,
          let session = TLSSession.from(ssl), session.capturedHello == nil else { return }
    session.capturedHello = Array(UnsafeRawBufferPointer(start: buffer, count: min(length, 65_536)))
}

/// Runs before OpenSSL picks the version: records the offer, asks the
/// policy, and lowers this one connection's floor when the policy lets an
/// old client in (a per-connection `SSL_set_min_proto_version` here still
/// takes effect).
let clientHelloCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?) -> Int32 = {
    ssl, _, _ in
    guard let ssl, let session = TLSSession.from(ssl) else { return SSL_CLIENT_HELLO_SUCCESS }
    session.clientHelloArrived()
    return SSL_CLIENT_HELLO_SUCCESS
}

extension TLSSession {
    func clientHelloArrived() {
        let offer = ClientOffer(highestVersion: offeredVersion(), serverName: extensionServerName(),
                                cipherCount: offeredCipherCount(), alpn: extensionALPN(), rawHello: capturedHello ?? [])
        self.offer = offer
        let decision = policy.decide(offered: offer.highestVersion, now: now())
        self.decision = decision
        switch decision {
        case .accept, .reject:
            break
        case .explain, .allowLegacy:
            _ = tlsfloor_SSL_set_min_proto_version(ssl, Int32(offer.highestVersion))
            if offer.highestVersion < 0x0303 {
                // OpenSSL 3's default level forbids the SHA-1 signatures TLS 1.0/1.1 need.
                SSL_set_security_level(ssl, 0)
                _ = SSL_set_cipher_list(ssl, legacyCipherList)
            }
        }
    }

    private func extensionData(_ type: UInt32) -> [UInt8]? {
        var data: UnsafePointer<UInt8>?
        var length = 0
        guard SSL_client_hello_get0_ext(ssl, type, &data, &length) == 1, let data else { return nil }
        return Array(UnsafeBufferPointer(start: data, count: length))
    }

    private static func isGREASE(_ value: UInt16) -> Bool {
        value & 0x0F0F == 0x0A0A && value >> 8 == value & 0xFF
    }

    private func offeredVersion() -> UInt16 {
        // supported_versions: 1-byte length, then 2-byte versions.
        if let data = extensionData(43), let length = data.first, Int(length) + 1 <= data.count {
            let versions = stride(from: 1, to: Int(length), by: 2).map { UInt16(data[$0]) << 8 | UInt16(data[$0 + 1]) }
            if let highest = versions.filter({ !Self.isGREASE($0) }).max() { return highest }
        }
        return UInt16(truncatingIfNeeded: SSL_client_hello_get0_legacy_version(ssl))
    }

    private func offeredCipherCount() -> Int {
        var ciphers: UnsafePointer<UInt8>?
        let length = SSL_client_hello_get0_ciphers(ssl, &ciphers)
        guard let ciphers else { return 0 }
        return stride(from: 0, to: length & ~1, by: 2).filter {
            !Self.isGREASE(UInt16(ciphers[$0]) << 8 | UInt16(ciphers[$0 + 1]))
        }.count
    }

    /// server_name: list length (2), then entries of type (1), length (2), name.
    private func extensionServerName() -> String? {
        guard let data = extensionData(0), data.count >= 5, data[2] == 0 else { return nil }
        let length = Int(data[3]) << 8 | Int(data[4])
        guard length > 0, 5 + length <= data.count else { return nil }
        return String(decoding: data[5..<5 + length], as: UTF8.self)
    }

    /// ALPN: list length (2), then length-prefixed (1) protocol names.
    private func extensionALPN() -> [String] {
        guard let data = extensionData(16), data.count >= 2 else { return [] }
        var names: [String] = []
        var index = 2
        while index < data.count {
            let length = Int(data[index])
            guard length > 0, index + 1 + length <= data.count else { break }
            names.append(String(decoding: data[index + 1..<index + 1 + length], as: UTF8.self))
            index += 1 + length
        }
        return names
    }
}
