import COpenSSL

enum TLSFloorVersion {
    static let number = "0.1.0"
    static var string: String {
        "tlsfloord \(number) (\(String(cString: OpenSSL_version(OPENSSL_VERSION))))"
    }
}
