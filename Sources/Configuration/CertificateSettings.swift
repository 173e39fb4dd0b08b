/// One certificate with its private key: the default one in `[tls]`, or a
/// `[[tls.certificates]]` entry chosen by the name a client asks for (SNI).
public struct CertificateSettings: Equatable, Sendable {
    /// PEM file: the certificate, then its intermediates (a `fullchain.pem`).
    public var certificate: String
    public var privateKey: String
    /// Host names this certificate serves, lower-cased (`*.example.org`
    /// allowed); nil: the certificate's own subjectAltName DNS names.
    public var names: [String]?
    /// A DER OCSP response to staple, refreshed by an outside job.
    public var ocspResponse: String?
    /// Where it was configured (`tls`, `tls.certificates[2]`), so that an
    /// error found while loading the files names the right key.
    public var keyPath: String

    public init(certificate: String, privateKey: String, names: [String]? = nil, ocspResponse: String? = nil,
                keyPath: String) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.names = names
        self.ocspResponse = ocspResponse
        self.keyPath = keyPath
    }
}
