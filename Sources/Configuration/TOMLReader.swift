import TOMLKit

/// Reads typed values out of one TOML table, remembering the key path so
/// every error can name the exact key, and rejecting keys nobody asked for
/// (a typo must not silently fall back to a default).
struct TOMLReader {
    let file: String
    let path: String
    let table: TOMLTable
    private var consumed: Set<String> = []

    init(file: String, path: String, table: TOMLTable) {
        self.file = file
        self.path = path
        self.table = table
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(file: file, key: keyPath(key), reason: reason)
    }

    private mutating func value(_ key: String) -> TOMLValue? {
        consumed.insert(key)
        return table[key]?.tomlValue
    }

    mutating func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.string else { throw error(key, "expected a string, found \(value.type)") }
        return string
    }

    mutating func requiredString(_ key: String) throws -> String {
        guard let string = try string(key) else { throw error(key, "required key is missing") }
        return string
    }

    mutating func int(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let int = value.int else { throw error(key, "expected an integer, found \(value.type)") }
        return int
    }

    mutating func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard let bool = value.bool else { throw error(key, "expected true or false, found \(value.type)") }
        return bool
    }

    /// A string or an array of strings (`backend = "a"` or `backend = ["a", "b"]`).
    mutating func strings(_ key: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        if let string = value.string { return [string] }
        guard let array = value.array else { throw error(key, "expected a string or an array of strings") }
        return try array.map { element in
            guard let string = element.tomlValue.string else { throw error(key, "expected an array of strings") }
            return string
        }
    }

    mutating func enumeration<T: RawRepresentable>(_ key: String, _: T.Type, allowed: [T]) throws -> T?
    where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = T(rawValue: text) else {
            let names = allowed.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw error(key, "\"\(text)\" is not one of \(names)")
        }
        return value
    }

    mutating func duration(_ key: String) throws -> Duration? {
        guard let text = try string(key) else { return nil }
        guard let duration = DurationParser.parse(text) else {
            throw error(key, "\"\(text)\" is not a duration (use e.g. \"500ms\", \"10s\", \"30m\", \"1h\")")
        }
        return duration
    }

    mutating func byteSize(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        if let int = value.int, int >= 0 { return int }
        guard let text = value.string, let size = ByteSizeParser.parse(text) else {
            throw error(key, "expected a size such as \"256KiB\" or \"4MiB\"")
        }
        return size
    }

    mutating func table(_ key: String) throws -> TOMLReader? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else { throw error(key, "expected a table") }
        return TOMLReader(file: file, path: keyPath(key), table: table)
    }

    mutating func tables(_ key: String) throws -> [TOMLReader] {
        guard let value = value(key) else { return [] }
        guard let array = value.array else { throw error(key, "expected an array of tables ([[\(key)]])") }
        return try array.enumerated().map { index, element in
            guard let table = element.tomlValue.table else { throw error(key, "expected an array of tables ([[\(key)]])") }
            return TOMLReader(file: file, path: "\(keyPath(key))[\(index + 1)]", table: table)
        }
    }

    /// Raw value for keys with more than one accepted type.
    mutating func raw(_ key: String) -> TOMLValue? { value(key) }

    /// Throws for the first key that no reader call asked for.
    func rejectUnknownKeys() throws {
        for key in table.keys.sorted() where !consumed.contains(key) {
            throw error(key, "unknown key")
        }
    }
}
