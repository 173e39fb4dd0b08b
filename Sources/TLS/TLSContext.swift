import COpenSSL
import Configuration
import Foundation

/// An OpenSSL server context with tlsfloor's defaults: the configured floor,
/// TR-02102-2 ciphers, no compression, no renegotiation, server cipher
/// preference, session tickets, and buffers released while idle.
///
/// Immutable after `init`; OpenSSL allows concurrent `SSL_new` on one
/// context, so one instance is shared by all event-loop queues.
public final class TLSContext: @unchecked Sendable {
    let pointer: OpaquePointer
    /// The certificate's subject and serial, for start-up and reload logs.
    public let certificateSummary: String

    public init(settings: TLSSettings) throws {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw TLSSetupError(key: "tls", reason: "cannot create an OpenSSL context: \(OpenSSLErrors.drain())")
        }
        pointer = ctx
        do {
            try Self.applyPolicy(ctx, settings)
            certificateSummary = try Self.loadIdentity(ctx, settings)
        } catch {
            SSL_CTX_free(ctx)
            throw error
        }
        SSL_CTX_set_client_hello_cb(ctx, clientHelloCallback, nil)
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    private static func applyPolicy(_ ctx: OpaquePointer, _ settings: TLSSettings) throws {
        ERR_clear_error()
        let floor = settings.minVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        guard tlsfloor_SSL_CTX_set_min_proto_version(ctx, floor) == 1 else {
            throw TLSSetupError(key: "tls.min_version", reason: OpenSSLErrors.drain())
        }
        var options = tlsfloor_SSL_OP_NO_COMPRESSION | tlsfloor_SSL_OP_NO_RENEGOTIATION
            | tlsfloor_SSL_OP_CIPHER_SERVER_PREFERENCE
            // Many mail clients just close the socket; that is an end, not an attack.
            | tlsfloor_SSL_OP_IGNORE_UNEXPECTED_EOF
        if !settings.sessionTickets { options |= tlsfloor_SSL_OP_NO_TICKET }
        _ = tlsfloor_SSL_CTX_set_options(ctx, options)
        // TLS 1.3 sends tickets after the handshake, two by default (for a
        // browser's parallel connections). A mail client resumes one
        // connection at a time and gets a fresh ticket with each; every
        // ticket costs an encryption and a record on every handshake.
        _ = SSL_CTX_set_num_tickets(ctx, 1)
        _ = tlsfloor_SSL_CTX_set_mode(ctx, Int(SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE
                                                | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))
        // With tickets, resumption is stateless (TLS 1.2 and 1.3) and a server-side
        // cache would only add a locked table and its periodic sweeps; without
        // them the cache is the only way to resume.
        _ = tlsfloor_SSL_CTX_set_session_cache_mode(ctx, Int(settings.sessionTickets ? SSL_SESS_CACHE_OFF : SSL_SESS_CACHE_SERVER))
        guard SSL_CTX_set_cipher_list(ctx, settings.ciphers) == 1 else {
            throw TLSSetupError(key: "tls.ciphers", reason: "no usable cipher in \"\(settings.ciphers)\"")
        }
        guard SSL_CTX_set_ciphersuites(ctx, settings.ciphersuites) == 1 else {
            throw TLSSetupError(key: "tls.ciphersuites", reason: "no usable TLS 1.3 suite in \"\(settings.ciphersuites)\"")
        }
        guard tlsfloor_SSL_CTX_set1_groups_list(ctx, settings.groups) == 1 else {
            throw TLSSetupError(key: "tls.groups", reason: "unknown group in \"\(settings.groups)\"")
        }
        let sessionContext = Array("tlsfloord".utf8)
        _ = SSL_CTX_set_session_id_context(ctx, sessionContext, UInt32(sessionContext.count))
    }

    private static func loadIdentity(_ ctx: OpaquePointer, _ settings: TLSSettings) throws -> String {
        for (key, path) in [("tls.certificate", settings.certificate), ("tls.private_key", settings.privateKey)] {
            guard FileManager.default.isReadableFile(atPath: path) else {
                let why = FileManager.default.fileExists(atPath: path) ? "is not readable" : "does not exist"
                throw TLSSetupError(key: key, reason: "file \(path) \(why)")
            }
        }
        ERR_clear_error()
        guard SSL_CTX_use_certificate_chain_file(ctx, settings.certificate) == 1 else {
            throw TLSSetupError(key: "tls.certificate",
                                reason: "cannot load a PEM certificate chain from \(settings.certificate): \(OpenSSLErrors.drain())")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, settings.privateKey, SSL_FILETYPE_PEM) == 1 else {
            throw TLSSetupError(key: "tls.private_key",
                                reason: "cannot load a PEM private key from \(settings.privateKey): \(OpenSSLErrors.drain())")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            ERR_clear_error()
            throw TLSSetupError(key: "tls.private_key",
                                reason: "the private key \(settings.privateKey) does not match the certificate \(settings.certificate)")
        }
        return describeCertificate(SSL_CTX_get0_certificate(ctx))
    }

    private static func describeCertificate(_ certificate: OpaquePointer?) -> String {
        guard let certificate else { return "-" }
        var subject = "-"
        if let name = X509_get_subject_name(certificate), let line = X509_NAME_oneline(name, nil, 0) {
            subject = String(cString: line)
            CRYPTO_free(line, #fileID, #line)
        }
        var serial = "-"
        if let asn1 = X509_get_serialNumber(certificate), let bn = ASN1_INTEGER_to_BN(asn1, nil) {
            if let hex = BN_bn2hex(bn) {
                serial = String(cString: hex)
                CRYPTO_free(hex, #fileID, #line)
            }
            BN_free(bn)
        }
        return "subject=\(subject) serial=\(serial)"
    }
}
