/// A configuration mistake, located precisely enough for an operator to fix
/// it without reading code: which file, which key, and why.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Path of the configuration file.
    public var file: String
    /// Dotted key path, e.g. `listener[2].backend` or `tls.certificate`;
    /// empty for errors about the file as a whole.
    public var key: String
    public var reason: String

    public init(file: String, key: String, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    public var description: String {
        key.isEmpty ? "\(file): \(reason)" : "\(file): \(key): \(reason)"
    }
}
