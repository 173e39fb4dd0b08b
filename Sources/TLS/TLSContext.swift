import COpenSSL

/// What one listener's connections start their TLS with: the generation's
/// certificates, and the group a client gets when it sends no name (or
/// one no certificate serves) — the `[tls]` certificate, unless the
/// listener names another with `default_certificate`.
///
/// Immutable; OpenSSL allows concurrent `SSL_new` on one context, so one
/// instance is shared by all event-loop queues.
public final class TLSContext: Sendable {
    public let certificates: ServerCertificates
    let fallback: CertificateGroup

    var pointer: OpaquePointer { fallback.pointer }

    /// - Throws: `TLSSetupError` with key `default_certificate` when no certificate serves that name.
    public init(certificates: ServerCertificates, defaultCertificate: String? = nil) throws {
        self.certificates = certificates
        guard let name = defaultCertificate else {
            fallback = certificates.defaultGroup
            return
        }
        guard let index = certificates.names.group(for: name) else {
            throw TLSSetupError(key: "default_certificate", reason: "no certificate serves \"\(name)\"")
        }
        fallback = certificates.groups[index]
    }

    /// The certificate's subject and serial, for start-up and reload logs.
    public var certificateSummary: String { certificates.summary }
}
