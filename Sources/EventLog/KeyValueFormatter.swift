/// The `key=value` line format of tlsfloord's stderr log: greppable,
/// `awk`-able, and parsed back by `tlsfloord report`.
public enum KeyValueFormatter {
    /// Keys in the order lines show them; other keys follow, sorted.
    static let leadingKeys = ConnectionRecord.keyOrder

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
    public static func parse(_ line: Substring) -> [(key: String, value: String)]? {
        var fields: [(String, String)] = []
        var index = line.startIndex
        while index < line.endIndex {
            while index < line.endIndex, line[index] == " " { index = line.index(after: index) }
            guard index < line.endIndex else { break }
            guard let equals = line[index...].firstIndex(of: "=") else { return nil }
            let key = String(line[index..<equals])
            guard !key.isEmpty, !key.contains(" ") else { return nil }
            index = line.index(after: equals)
            var value = ""
            if index < line.endIndex, line[index] == "\"" {
                index = line.index(after: index)
                var closed = false
                while index < line.endIndex {
                    let character = line[index]
                    index = line.index(after: index)
                    if character == "\"" { closed = true; break }
                    if character == "\\", index < line.endIndex {
                        let escaped = line[index]
                        index = line.index(after: index)
                        switch escaped {
                        case "n": value.append("\n")
                        case "r": value.append("\r")
                        case "t": value.append("\t")
                        case "x":
                            let end = line.index(index, offsetBy: 2, limitedBy: line.endIndex) ?? line.endIndex
                            guard let code = UInt32(line[index..<end], radix: 16), let scalar = Unicode.Scalar(code) else { return nil }
                            value.unicodeScalars.append(scalar)
                            index = end
                        default: value.append(escaped)
                        }
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { return nil }
            } else {
                let end = line[index...].firstIndex(of: " ") ?? line.endIndex
                value = String(line[index..<end])
                index = end
            }
            fields.append((key, value))
        }
        return fields
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
