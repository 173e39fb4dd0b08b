/// Finds the mistakes on which TOMLKit's parser aborts the process instead of reporting them.
///
/// toml++ 3.4.0, which TOMLKit 0.6.0 bundles, asserts what the next character must be where a
/// configuration file can break that expectation:
/// - `parse_key` from a table header: `[` or `[[`, blanks, then a character no key starts with —
///   `[`, `[ # note`, `[.a]`, `[é]`, `[[[a]]]` (fixed upstream by marzer/tomlplusplus#301);
/// - `parse_value` from an array: `}` or a non-ASCII line break where a value should start —
///   `backend = ["a", }`;
/// - `parse_value` on a date, a space and one digit, then the end of the value —
///   `enforce_after = 2026-09-30 0`, read ahead as a date-time that never comes.
/// One such typo would take down `tlsfloord check` and, on a reload, the running daemon.
///
/// It reads the text the way toml++ reads a document: strings and comments are skipped, a
/// leading byte order mark too, and nothing after a NUL (where TOMLKit's C string ends). It follows
/// toml++ only as far as the text is valid TOML, so in a file with an earlier syntax error it may
/// report this one instead of toml++'s.
struct TOMLAbortCheck {
    /// Where toml++ would abort, 1-based as in its own errors, and what it expected there.
    struct Finding: Equatable {
        let line: Int
        let column: Int
        let reason: String
    }

    private let scalars: [Unicode.Scalar]
    private var index = 0
    /// The `[` and `{` of values not yet closed.
    private var openers: [Unicode.Scalar] = []
    /// On a table header's line its brackets open no array.
    private var inHeader = false

    init(_ text: String) {
        let scalars = text.unicodeScalars.prefix { $0 != "\0" }
        // toml++ drops a byte order mark before it reads the first line.
        self.scalars = Array(scalars.first == "\u{FEFF}" ? scalars.dropFirst() : scalars[...])
    }

    /// The first place toml++ would abort at, or nil when there is none.
    mutating func firstFinding() -> Finding? {
        if let finding = headerFinding() { return finding }
        while index < scalars.count {
            switch scalars[index] {
            case "\n":
                index += 1
                inHeader = false
                if openers.isEmpty, let finding = headerFinding() { return finding }
            case "#":
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
            case "\"", "'":
                skipString()
            case "[" where !inHeader:
                openers.append("[")
                index += 1
                if let finding = arrayValueFinding() { return finding }
            case "," where openers.last == "[":
                index += 1
                if let finding = arrayValueFinding() { return finding }
            case "{":
                openers.append("{")
                index += 1
            case "=" where !inHeader:
                index += 1
                if let finding = valueFinding(at: skippingBlanks(from: index)) { return finding }
            case "]" where !inHeader, "}":
                _ = openers.popLast()
                index += 1
            default:
                index += 1
            }
        }
        return nil
    }

    /// At the start of a document line: a table header's key must be able to start, as
    /// toml++'s `parse_table_header` reads it.
    private mutating func headerFinding() -> Finding? {
        var next = skippingBlanks(from: index)
        guard next < scalars.count, scalars[next] == "[" else { return nil }
        inHeader = true
        let afterBracket = next + 1
        next = skippingBlanks(from: afterBracket)
        if next < scalars.count, scalars[next] == "[" {
            guard next == afterBracket else { return nil }  // toml++: "brackets must be contiguous"
            next = skippingBlanks(from: next + 1)
        }
        guard next < scalars.count, !Self.canFollowHeaderBracket(scalars[next]) else { return nil }
        return finding(at: next, "a table header must start with a key")
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

    /// After an array's `[` or `,`: what toml++'s `parse_array` hands to `parse_value` once it has
    /// skipped blanks, line breaks and comments.
    private func arrayValueFinding() -> Finding? {
        var next = index
        while next < scalars.count {
            switch scalars[next] {
            case " ", "\t", "\n":
                next += 1
            case "\r" where next + 1 < scalars.count && scalars[next + 1] == "\n":
                next += 2
            case "#":
                while next < scalars.count, scalars[next] != "\n" { next += 1 }
            case "}", "\u{85}", "\u{2028}", "\u{2029}":
                return finding(at: next, "expected a value or ']'")
            default:
                return valueFinding(at: next)
            }
        }
        return nil
    }

    /// A value that starts like `2026-09-30` (ten characters, `_` not counted, as toml++ counts
    /// them) and goes on with a space, one digit and the end of the value. No such text is valid
    /// TOML: a date-time written with a space needs `HH:MM` after it.
    private func valueFinding(at start: Int) -> Finding? {
        guard start < scalars.count, Self.isDigit(scalars[start]) else { return nil }
        var end = start
        while end < scalars.count, !Self.endsValue(scalars[end]) { end += 1 }
        let counted = scalars[start..<end].filter { $0 != "_" }
        guard counted.count == 10, counted[counted.startIndex + 4] == "-", counted[counted.startIndex + 7] == "-",
              end + 2 < scalars.count, scalars[end] == " ", Self.isDigit(scalars[end + 1]), Self.endsValue(scalars[end + 2])
        else { return nil }
        return finding(at: end + 1, "expected a time after the date")
    }

    /// toml++'s `is_value_terminator`: white space of any kind, `]`, `}`, `,` and `#`.
    private static func endsValue(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\n"..."\r", "]", "}", ",", "#", "\u{85}", "\u{2028}", "\u{2029}",
             "\u{A0}", "\u{1680}", "\u{180E}", "\u{2000}"..."\u{200B}", "\u{202F}", "\u{205F}", "\u{2060}", "\u{3000}", "\u{FEFF}":
            true
        default:
            false
        }
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private func skippingBlanks(from start: Int) -> Int {
        var position = start
        while position < scalars.count, scalars[position] == " " || scalars[position] == "\t" { position += 1 }
        return position
    }

    /// Skips a basic or literal string, one-line or multi-line, from its opening quote.
    private mutating func skipString() {
        let quote = scalars[index]
        let multiLine = startsTripleQuote(quote, at: index)
        index += multiLine ? 3 : 1
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\n", !multiLine { return }  // unterminated: toml++ reports it
            if scalar == "\\", quote == "\"", index + 1 < scalars.count, scalars[index + 1] != "\n" {
                index += 2
            } else if scalar == quote, !multiLine || startsTripleQuote(quote, at: index) {
                index += multiLine ? 3 : 1
                // A multi-line string may end in up to two quotes of its own: `"""a"""""`.
                for _ in 0..<2 where multiLine && index < scalars.count && scalars[index] == quote { index += 1 }
                return
            } else {
                index += 1
            }
        }
    }

    private func startsTripleQuote(_ quote: Unicode.Scalar, at position: Int) -> Bool {
        position + 2 < scalars.count && scalars[position] == quote && scalars[position + 1] == quote && scalars[position + 2] == quote
    }

    private func finding(at position: Int, _ reason: String) -> Finding {
        let lineStart = scalars[..<position].lastIndex(of: "\n").map { $0 + 1 } ?? 0
        let line = 1 + scalars[..<position].count { $0 == "\n" }
        return Finding(line: line, column: position - lineStart + 1, reason: reason)
    }
}
