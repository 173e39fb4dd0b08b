import COpenSSL
import Foundation

/// Cipher list for the handshake of a client below the floor that is let in
/// (`explain` or `allow`): the TLS 1.0/1.1-capable ECDHE CBC suites, and
/// the plain-RSA ones that the oldest devices (Windows 7, Android 4.0) need.
let legacyCipherList = "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:AES128-SHA:AES256-SHA"

/// Keeps the ClientHello handshake message as it arrived (GREASE and
/// unknown extensions included), which OpenSSL's accessors hide. OpenSSL
/// calls this with the whole message, reassembled across records, before
/// it runs the client-hello callback.
let clientHelloCaptureCallback: @convention(c) (
    Int32, Int32, Int32, UnsafeRawPointer?, Int, OpaquePointer?, UnsafeMutableRawPointer?
) -> Void = { writeP, _, contentType, buffer, length, ssl, _ in
    guard writeP == 0, contentType == SSL3_RT_HANDSHAKE, let buffer, length >= 4,
          buffer.load(as: UInt8.self) == SSL3_MT_CLIENT_HELLO,
          let session = TLSSession.from(ssl), session.capturedHello == nil else { return }
    session.capturedHello = Array(UnsafeRawBufferPointer(start: buffer, count: min(length, ClientHello.maximumLength + 4)))
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
        let offer: ClientOffer
        if let raw = capturedHello, let hello = try? ClientHello(handshakeMessage: raw) {
            offer = ClientOffer(hello)
        } else {
            // Our parser is stricter than OpenSSL's; keep at least the version.
            let version = TLSProtocolVersion(rawValue: UInt16(truncatingIfNeeded: SSL_client_hello_get0_legacy_version(ssl)))
            offer = ClientOffer(highestVersion: version, serverName: nil, cipherCount: 0, alpn: [], ja4: nil)
        }
        capturedHello = nil
        self.offer = offer
        // Before the legacy settings below: switching context replaces the
        // connection's certificate settings, its security level included.
        if let name = offer.serverName, let group = context.certificates.group(for: name), group.pointer != context.pointer {
            _ = SSL_set_SSL_CTX(ssl, group.pointer)
        }
        let client = VersionPolicy.Client(address: clientAddress, fingerprint: offer.ja4)
        let decision = policy.decide(offered: offer.highestVersion.rawValue, client: client, now: now())
        self.decision = decision
        switch decision {
        case .accept, .reject:
            break
        case .explain, .allowLegacy, .exempt, .ramped, .loginGate:
            _ = tlsfloor_SSL_set_min_proto_version(ssl, Int32(offer.highestVersion.rawValue))
            if offer.highestVersion < .tlsv1_2 {
                // OpenSSL 3's default security level forbids the SHA-1 signatures TLS 1.0/1.1 need.
                SSL_set_security_level(ssl, 0)
                _ = SSL_set_cipher_list(ssl, legacyCipherList)
            }
        }
    }
}
