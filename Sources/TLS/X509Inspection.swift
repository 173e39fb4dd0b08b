import COpenSSL

/// What tlsfloord reads out of a certificate to choose and name it.
enum X509Inspection {
    /// The subjectAltName DNS names, lower-cased, in certificate order.
    static func dnsNames(_ certificate: OpaquePointer) -> [String] {
        guard let raw = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { GENERAL_NAMES_free(names) }
        return (0..<OPENSSL_sk_num(names)).compactMap { index in
            let name = OPENSSL_sk_value(names, index).assumingMemoryBound(to: GENERAL_NAME.self)
            guard name.pointee.type == GEN_DNS, let text = name.pointee.d.dNSName,
                  let bytes = ASN1_STRING_get0_data(text) else { return nil }
            return String(decoding: UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(text))), as: UTF8.self)
                .lowercased()
        }
    }

    /// `ecdsa`, `rsa`, `ed25519` …: the word the `cert=` log key and the
    /// errors use. OpenSSL keeps one certificate per such type in a context.
    static func keyType(_ certificate: OpaquePointer) -> String {
        guard let key = X509_get0_pubkey(certificate) else { return "unknown" }
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_EC: return "ecdsa"
        case EVP_PKEY_RSA: return "rsa"
        case EVP_PKEY_RSA_PSS: return "rsa-pss"
        case EVP_PKEY_ED25519: return "ed25519"
        case EVP_PKEY_ED448: return "ed448"
        default: return "unknown"
        }
    }

    /// The first certificate of a PEM file (the leaf of a fullchain.pem).
    static func readLeaf(path: String) -> OpaquePointer? {
        guard let bio = BIO_new_file(path, "r") else { return nil }
        defer { BIO_free(bio) }
        return PEM_read_bio_X509(bio, nil, nil, nil)
    }

    /// "subject=/CN=… serial=…", for start-up and reload logs.
    static func describe(_ certificate: OpaquePointer?) -> String {
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
