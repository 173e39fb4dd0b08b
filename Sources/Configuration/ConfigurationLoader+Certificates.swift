/// `[[tls.certificates]]` entries and the host names that choose them.
extension Configuration {
    static func parseCertificate(_ reader: inout TOMLReader) throws -> CertificateSettings {
        var certificate = CertificateSettings(certificate: try reader.requiredString("certificate"),
                                              privateKey: try reader.requiredString("private_key"),
                                              keyPath: reader.path)
        certificate.ocspResponse = try nonEmpty(reader.string("ocsp_response"), "ocsp_response", reader)
        if let names = try reader.strings("names") {
            guard !names.isEmpty else {
                throw reader.error("names", "must name at least one host (or leave it out to use the certificate's own names)")
            }
            certificate.names = try names.map { try certificateName($0, key: "names", reader) }
        }
        return certificate
    }

    /// A host name as SNI would carry it, or a wildcard for one label
    /// (`*.example.org`), lower-cased: clients may send any case.
    static func certificateName(_ text: String, key: String, _ reader: TOMLReader) throws -> String {
        let name = text.lowercased()
        let host = name.hasPrefix("*.") ? String(name.dropFirst(2)) : name
        guard isValidHostname(host), host.contains(where: { $0.isLetter }) else {
            throw reader.error(key, "\"\(text)\" is not a host name or a wildcard such as \"*.example.org\"")
        }
        return name
    }
}
