/// Finds the table headers that TOMLKit's parser cannot report as errors because it aborts the
/// process on them: `[` or `[[`, blanks, then a character no key starts with — `[`, `[ # note`,
/// `[.a]`, `[é]`, `[[[a]]]`. toml++ 3.4.0, which TOMLKit 0.6.0 bundles, asserts in `parse_key`
/// there (fixed upstream by marzer/tomlplusplus#301); one stray `[` would take down
/// `tlsfloord check` and, on a reload, the running daemon.
///
/// It reads the text the way toml++ reads a document: strings, comments and the lines of a
/// multi-line array are skipped, a leading byte order mark too, and nothing after a NUL (where
/// TOMLKit's C string ends). It follows toml++ only as far as the text is valid TOML, so in a file
/// with an earlier syntax error it may report this one instead of toml++'s.
struct TOMLTableHeaderCheck {
    /// Where the unreadable header's key should have started, 1-based as in toml++'s errors.
    struct Position: Equatable {
        let line: Int
        let column: Int
    }

    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    /// Open `[` and `{` of values and headers on the lines read so far.
    private var depth = 0

    init(_ text: String) {
        let scalars = text.unicodeScalars.prefix { $0 != "\0" }
        // toml++ drops a byte order mark before it reads the first line.
        self.scalars = Array(scalars.first == "\u{FEFF}" ? scalars.dropFirst() : scalars[...])
    }

    /// The first table header whose key cannot start, or nil when there is none.
    mutating func firstUnreadableHeader() -> Position? {
        if let position = unreadableHeaderAtLineStart() { return position }
        while index < scalars.count {
            switch scalars[index] {
            case "\n":
                index += 1
                line += 1
                lineStart = index
                if depth == 0, let position = unreadableHeaderAtLineStart() { return position }
            case "#":
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
            case "\"", "'":
                skipString()
            case "[", "{":
                depth += 1
                index += 1
            case "]", "}":
                depth = max(0, depth - 1)
                index += 1
            default:
                index += 1
            }
        }
        return nil
    }

    /// Looks ahead, as toml++'s `parse_table_header` reads, without moving.
    private func unreadableHeaderAtLineStart() -> Position? {
        var next = skippingBlanks(from: index)
        guard next < scalars.count, scalars[next] == "[" else { return nil }
        let afterBracket = next + 1
        next = skippingBlanks(from: afterBracket)
        if next < scalars.count, scalars[next] == "[" {
            guard next == afterBracket else { return nil }  // toml++: "brackets must be contiguous"
            next = skippingBlanks(from: next + 1)
        }
        guard next < scalars.count, !Self.canFollowHeaderBracket(scalars[next]) else { return nil }
        return Position(line: line, column: next - lineStart + 1)
    }

    /// What toml++ handles itself after `[`: a key's first character, a quote, `]` (its "blank
    /// key" error) and the non-ASCII blanks it rejects before reading a key.
    private static func canFollowHeaderBracket(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-", "\"", "'", "]",
             "\u{A0}", "\u{1680}", "\u{180E}", "\u{2000}"..."\u{200B}", "\u{202F}", "\u{205F}", "\u{2060}", "\u{3000}", "\u{FEFF}":
            true
        default:
            false
        }
    }

    private func skippingBlanks(from start: Int) -> Int {
        var position = start
        while position < scalars.count, scalars[position] == " " || scalars[position] == "\t" { position += 1 }
        return position
    }

    /// Skips a basic or literal string, one-line or multi-line, from its opening quote.
    private mutating func skipString() {
        let quote = scalars[index]
        let multiLine = index + 2 < scalars.count && scalars[index + 1] == quote && scalars[index + 2] == quote
        index += multiLine ? 3 : 1
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\n" {
                guard multiLine else { return }  // unterminated: toml++ reports it
                line += 1
                lineStart = index + 1
            }
            if scalar == "\\", quote == "\"", index + 1 < scalars.count, scalars[index + 1] != "\n" {
                index += 2
                continue
            }
            if scalar == quote, !multiLine || closesMultiLine(quote) {
                // A multi-line string may end in up to two quotes of its own: `"""a"""""`.
                index += multiLine ? 3 : 1
                var extraQuotes = 0
                while multiLine, extraQuotes < 2, index < scalars.count, scalars[index] == quote {
                    index += 1
                    extraQuotes += 1
                }
                return
            }
            index += 1
        }
    }

    private func closesMultiLine(_ quote: Unicode.Scalar) -> Bool {
        index + 2 < scalars.count && scalars[index + 1] == quote && scalars[index + 2] == quote
    }
}
