/// One journal field as sent over the native protocol: `NAME=value`.
public struct JournalField: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// Upper-case field name, `[A-Z0-9_]`, starting with a letter.
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    /// The `NAME=value` form handed to `sd_journal_sendv`.
    public var description: String { "\(name)=\(value)" }
}
