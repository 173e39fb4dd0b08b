#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A libsystemd call failed; `errno` is the positive error number it reported.
public struct SystemdError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The libsystemd function that failed, e.g. `sd_notify`.
    public let call: String
    /// The positive errno value (libsystemd returns `-errno`).
    public let errno: Int32

    public init(call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// Checks a libsystemd return value: negative values are `-errno`.
    @discardableResult
    static func check(_ result: Int32, _ call: String) throws(SystemdError) -> Int32 {
        guard result >= 0 else { throw SystemdError(call: call, errno: -result) }
        return result
    }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno)))"
    }
}
