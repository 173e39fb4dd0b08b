import COpenSSL
import Foundation

/// A DER OCSP response from a file, checked against its certificate before
/// it is stapled: a response that is stale or about another certificate
/// would make strict clients fail the handshake, so it is left out (with a
/// warning) rather than sent. A file that is missing or not an OCSP
/// response at all is a configuration error.
enum OCSPStaple {
    enum Verdict: Equatable {
        case staple([UInt8])
        /// Left out; the reason is logged as a warning.
        case skipped(String)
    }

    /// - Parameters:
    ///   - key: the config key of the file, for errors.
    ///   - issuer: the certificate's issuer (next in its chain file); nil when the file has no chain.
    static func load(path: String, key: String, certificate: OpaquePointer, issuer: OpaquePointer?,
                     now: Date = Date()) throws -> Verdict {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TLSSetupError.unreadable(path, key: key)
        }
        let bytes = [UInt8](data)
        let parsed: OpaquePointer? = bytes.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_OCSP_RESPONSE(nil, &cursor, buffer.count)
        }
        guard let response = parsed else {
            ERR_clear_error()
            throw TLSSetupError(key: key, reason: "\(path) is not a DER OCSP response (openssl ocsp -respout writes one)")
        }
        defer { OCSP_RESPONSE_free(response) }
        guard OCSP_response_status(response) == OCSP_RESPONSE_STATUS_SUCCESSFUL else {
            let status = String(cString: OCSP_response_status_str(Int(OCSP_response_status(response))))
            return .skipped("\(path): the responder answered \"\(status)\"")
        }
        guard let issuer else {
            return .skipped("\(path): cannot check it, the certificate file has no issuer certificate (use the full chain)")
        }
        guard let basic = OCSP_response_get1_basic(response) else {
            ERR_clear_error()
            return .skipped("\(path): not a basic OCSP response")
        }
        defer { OCSP_BASICRESP_free(basic) }
        guard let id = OCSP_cert_to_id(nil, certificate, issuer) else {
            ERR_clear_error()
            return .skipped("\(path): cannot compute the certificate's OCSP id")
        }
        defer { OCSP_CERTID_free(id) }
        var status: Int32 = -1, reason: Int32 = -1
        var revokedAt, thisUpdate, nextUpdate: UnsafeMutablePointer<ASN1_TIME>?
        guard OCSP_resp_find_status(basic, id, &status, &reason, &revokedAt, &thisUpdate, &nextUpdate) == 1 else {
            return .skipped("\(path): the response is for another certificate")
        }
        var seconds = time_t(now.timeIntervalSince1970)
        if let nextUpdate, X509_cmp_time(nextUpdate, &seconds) < 0 {
            return .skipped("\(path): stale, its next update (\(text(nextUpdate))) has passed")
        }
        var leeway = seconds + 300
        if let thisUpdate, X509_cmp_time(thisUpdate, &leeway) > 0 {
            return .skipped("\(path): not valid yet (this update \(text(thisUpdate)))")
        }
        guard status == V_OCSP_CERTSTATUS_GOOD else {
            return .skipped("\(path): the certificate's status is \"\(String(cString: OCSP_cert_status_str(Int(status))))\"")
        }
        return .staple(bytes)
    }

    private static func text(_ time: UnsafeMutablePointer<ASN1_TIME>) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "?" }
        defer { BIO_free(bio) }
        guard ASN1_TIME_print(bio, time) == 1 else { return "?" }
        var pointer: UnsafeMutablePointer<CChar>?
        let length = tlsfloor_BIO_get_mem_data(bio, &pointer)
        guard let pointer, length > 0 else { return "?" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}

/// Staples the served certificate's OCSP response when the client asks
/// for one; runs after OpenSSL has picked the certificate.
let ocspStatusCallback: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?) -> Int32 = { ssl, _ in
    guard let ssl, let session = TLSSession.from(ssl), let certificate = SSL_get_certificate(ssl),
          let staple = session.context.certificates.served(certificate)?.staple,
          let copy = CRYPTO_malloc(staple.count, #fileID, #line) else { return SSL_TLSEXT_ERR_NOACK }
    // OpenSSL takes ownership of the copy and frees it with the connection.
    copy.copyMemory(from: staple, byteCount: staple.count)
    _ = tlsfloor_SSL_set_tlsext_status_ocsp_resp(ssl, copy.assumingMemoryBound(to: UInt8.self), staple.count)
    return SSL_TLSEXT_ERR_OK
}
