import COpenSSL
import Configuration
import Foundation

/// One `SSL_CTX` holding the certificates for one set of names, at most
/// one per key type: given an ECDSA and an RSA certificate, OpenSSL picks
/// per client by the signature algorithms and cipher suites it offers
/// (a client with no ECDSA signature algorithm or suite gets the RSA chain).
final class CertificateGroup: @unchecked Sendable {
    /// A certificate on its way into a group: its settings and what its
    /// file says about it.
    struct Member {
        var settings: CertificateSettings
        /// The names it serves (configured, else its subjectAltName DNS names).
        var names: [String]
        var keyType: String
        /// The `[tls]` certificate: its names choose it only where no entry claims them.
        var isDefault: Bool
    }

    let pointer: OpaquePointer
    let served: [ServedCertificate]
    /// Left-out OCSP responses and the like, for the log and `check`.
    let warnings: [TLSSetupWarning]

    init(members: [Member], settings: TLSSettings, sharedTicketKeys: Bool) throws {
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw TLSSetupError(key: "tls", reason: "cannot create an OpenSSL context: \(OpenSSLErrors.drain())")
        }
        pointer = ctx
        do {
            try ContextPolicy.apply(to: ctx, settings)
            var served: [ServedCertificate] = []
            var warnings: [TLSSetupWarning] = []
            for member in members {
                let (certificate, warning) = try Self.load(member, into: ctx)
                served.append(certificate)
                warnings += warning.map { [$0] } ?? []
            }
            self.served = served
            self.warnings = warnings
        } catch {
            SSL_CTX_free(ctx)
            throw error
        }
        SSL_CTX_set_client_hello_cb(ctx, clientHelloCallback, nil)
        _ = tlsfloor_SSL_CTX_set_tlsext_status_cb(ctx, ocspStatusCallback)
        if sharedTicketKeys { _ = SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticketKeyCallback) }
    }

    deinit {
        SSL_CTX_free(pointer)
    }

    private static func load(_ member: Member, into ctx: OpaquePointer) throws -> (ServedCertificate, TLSSetupWarning?) {
        let settings = member.settings
        let certificateKey = "\(settings.keyPath).certificate", privateKeyKey = "\(settings.keyPath).private_key"
        for (key, path) in [(certificateKey, settings.certificate), (privateKeyKey, settings.privateKey)]
        where !FileManager.default.isReadableFile(atPath: path) {
            throw TLSSetupError.unreadable(path, key: key)
        }
        ERR_clear_error()
        guard SSL_CTX_use_certificate_chain_file(ctx, settings.certificate) == 1 else {
            throw TLSSetupError(key: certificateKey,
                                reason: "cannot load a PEM certificate chain from \(settings.certificate): \(OpenSSLErrors.drain())")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, settings.privateKey, SSL_FILETYPE_PEM) == 1 else {
            throw TLSSetupError(key: privateKeyKey,
                                reason: "cannot load a PEM private key from \(settings.privateKey): \(OpenSSLErrors.drain())")
        }
        // Checks the certificate loaded last, the one of this pair.
        guard SSL_CTX_check_private_key(ctx) == 1, let x509 = SSL_CTX_get0_certificate(ctx) else {
            ERR_clear_error()
            throw TLSSetupError(key: privateKeyKey,
                                reason: "the private key \(settings.privateKey) does not match the certificate \(settings.certificate)")
        }
        let label = "\(member.names.first ?? settings.keyPath)/\(member.keyType)"
        guard let path = settings.ocspResponse else {
            return (ServedCertificate(x509: x509, label: label, staple: nil), nil)
        }
        var chain: OpaquePointer?
        _ = tlsfloor_SSL_CTX_get0_chain_certs(ctx, &chain)
        let issuer = chain.flatMap { OPENSSL_sk_num($0) > 0 ? OpaquePointer(OPENSSL_sk_value($0, 0)) : nil }
        switch try OCSPStaple.load(path: path, key: "\(settings.keyPath).ocsp_response", certificate: x509, issuer: issuer) {
        case .staple(let bytes):
            return (ServedCertificate(x509: x509, label: label, staple: bytes), nil)
        case .skipped(let reason):
            let warning = TLSSetupWarning(key: "\(settings.keyPath).ocsp_response", reason: "not stapled: \(reason)")
            return (ServedCertificate(x509: x509, label: label, staple: nil), warning)
        }
    }
}
