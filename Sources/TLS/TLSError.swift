import COpenSSL
import Foundation

/// Drains OpenSSL's per-thread error queue into one readable line.
/// Dispatch hops threads, so callers clear the queue before the call whose
/// errors they want to read.
enum OpenSSLErrors {
    static func drain() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            if let reason = ERR_reason_error_string(code) {
                messages.append(String(cString: reason))
            } else {
                messages.append("error 0x\(String(code, radix: 16))")
            }
        }
        return messages.isEmpty ? "unknown OpenSSL error" : messages.joined(separator: "; ")
    }
}

/// Why a TLS context could not be built; `key` names the config key at fault.
public struct TLSSetupError: Error, CustomStringConvertible, Sendable {
    public var key: String
    public var reason: String

    public var description: String { "\(key): \(reason)" }

    /// A file the configuration names that cannot be read, and why.
    static func unreadable(_ path: String, key: String) -> TLSSetupError {
        let why = FileManager.default.fileExists(atPath: path) ? "is not readable" : "does not exist"
        return TLSSetupError(key: key, reason: "file \(path) \(why)")
    }
}

/// Something in the certificate files that does not stop tlsfloord but
/// that an operator must hear about (a stale OCSP response, left out).
public struct TLSSetupWarning: CustomStringConvertible, Sendable {
    public var key: String
    public var reason: String

    public var description: String { "\(key): \(reason)" }
}
