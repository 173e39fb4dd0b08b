/// One certificate as loaded into a context: how the log names it and the
/// OCSP response stapled with it.
struct ServedCertificate: @unchecked Sendable {
    /// The `X509*` OpenSSL serves; owned by the group's `SSL_CTX`, and the
    /// same pointer `SSL_get_certificate` returns after the handshake.
    let x509: OpaquePointer
    /// `cert=` in the connection log: first name and key type, e.g. `mail.example.org/ecdsa`.
    let label: String
    let staple: [UInt8]?
}
