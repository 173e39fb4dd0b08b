import COpenSSL

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
}
