/// The `key=value` line format of tlsfloord's stderr log: greppable,
/// `awk`-able, and parsed back by `tlsfloord report`.
public enum KeyValueFormatter {
    /// Keys in the order lines show them; other keys follow, sorted.
    static let leadingKeys = ConnectionRecord.keyOrder
    static let leadingKeySet = Set(leadingKeys)

    public static func format(_ fields: [(key: String, value: String)]) -> String {
        fields.map { "\($0.key)=\(quote($0.value))" }.joined(separator: " ")
    }

    /// Quotes a value when it is empty or holds spaces, quotes, `=` or
    /// control characters, escaping the latter so one record stays one line.
    public static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains {
            $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || $0.value < 0x20 || $0.value == 0x7F
        }
        guard needsQuotes else { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                quoted += "\\x" + String(scalar.value, radix: 16, uppercase: false).leftPadded(to: 2)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    /// Parses one line back into fields; nil if it is not key=value.
    /// Works on Unicode scalars, not characters: a value starting with a
    /// combining mark must not merge with its opening quote and let a
    /// client-chosen login name forge fields.
    public static func parse(_ line: Substring) -> [(key: String, value: String)]? {
        let scalars = Array(line.unicodeScalars)
        var fields: [(String, String)] = []
        var index = 0
        while index < scalars.count {
            while index < scalars.count, scalars[index] == " " { index += 1 }
            guard index < scalars.count else { break }
            guard let equals = scalars[index...].firstIndex(of: "=") else { return nil }
            var key = String.UnicodeScalarView()
            key.append(contentsOf: scalars[index..<equals])
            guard !key.isEmpty, !key.contains(" ") else { return nil }
            index = equals + 1
            var value = String.UnicodeScalarView()
            if index < scalars.count, scalars[index] == "\"" {
                index += 1
                var closed = false
                while index < scalars.count {
                    let scalar = scalars[index]
                    index += 1
                    if scalar == "\"" {
                        closed = true
                        break
                    }
                    guard scalar == "\\", index < scalars.count else {
                        value.append(scalar)
                        continue
                    }
                    let escaped = scalars[index]
                    index += 1
                    switch escaped {
                    case "n": value.append("\n")
                    case "r": value.append("\r")
                    case "t": value.append("\t")
                    case "x":
                        guard index + 2 <= scalars.count,
                              let code = UInt32(String(String.UnicodeScalarView(scalars[index..<index + 2])), radix: 16),
                              let decoded = Unicode.Scalar(code) else { return nil }
                        value.append(decoded)
                        index += 2
                    default: value.append(escaped)
                    }
                }
                guard closed else { return nil }
            } else {
                let end = scalars[index...].firstIndex(of: " ") ?? scalars.count
                value.append(contentsOf: scalars[index..<end])
                index = end
            }
            fields.append((String(key), String(value)))
        }
        return fields
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
