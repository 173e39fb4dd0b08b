/// One element of an IMAP command as the login inspector reads it.
enum IMAPToken: Equatable, Sendable {
    /// An atom (or anything else not quoted), as sent.
    case atom([UInt8])
    /// A quoted string, unescaped, or a literal that was kept.
    case string([UInt8])
    /// A literal whose bytes were skipped, not kept.
    case skippedLiteral
    case open
    case close
}

/// Reassembles client IMAP commands from a byte stream, literals included
/// (RFC 3501 §4.3, LITERAL+ RFC 7888): `a LOGIN {5}\r\nalice {6}\r\n…`.
///
/// Literal bytes are counted off, not buffered, except the one a name can
/// hide in: the first argument of LOGIN, when it is small. So a password
/// literal or an APPEND message is never kept.
struct IMAPCommandReader: Sendable {
    enum Event: Equatable, Sendable {
        case command([IMAPToken])
        /// A line over the limit: the inspector cannot follow any more.
        case unreadable
    }

    /// Longest literal kept as a login name.
    static let maxKeptLiteral = 1024
    private static let maxTokens = 512

    private var lines: LineReader
    private var tokens: [IMAPToken] = []
    private var literal: (remaining: Int, kept: [UInt8]?)?

    init(maxLineLength: Int) {
        lines = LineReader(maxLineLength: maxLineLength)
    }

    mutating func append(_ bytes: [UInt8]) { lines.append(bytes) }

    mutating func next() -> Event? {
        while true {
            if var current = literal {
                let chunk = lines.take(upTo: current.remaining)
                current.remaining -= chunk.count
                current.kept?.append(contentsOf: chunk)
                literal = current
                guard current.remaining == 0 else { return nil }
                tokens.append(current.kept.map(IMAPToken.string) ?? .skippedLiteral)
                literal = nil
                continue
            }
            switch lines.next() {
            case nil:
                return nil
            case .overlong:
                tokens = []
                return .unreadable
            case .line(let line):
                let (text, literalSize) = Self.splitLiteralMarker(line.content)
                tokens += IMAPTokenizer.tokens(in: text)
                guard tokens.count <= Self.maxTokens else {
                    tokens = []
                    return .unreadable
                }
                if let literalSize {
                    let keep = literalSize <= Self.maxKeptLiteral && isLoginNameNext
                    literal = (literalSize, keep ? [] : nil)
                    continue
                }
                defer { tokens = [] }
                return .command(tokens)
            }
        }
    }

    /// True when the literal about to arrive is the user name of LOGIN.
    private var isLoginNameNext: Bool {
        guard tokens.count == 2, case .atom(let name) = tokens[1] else { return false }
        return ASCII.uppercased(name) == "LOGIN"
    }

    /// Splits `… {12}` / `… {12+}` / `… ~{12}` into the text before the
    /// marker and the literal's size.
    static func splitLiteralMarker(_ line: [UInt8]) -> (text: ArraySlice<UInt8>, literalSize: Int?) {
        guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) else {
            return (line[...], nil)
        }
        var digits = line[(open + 1)..<(line.count - 1)]
        if digits.last == UInt8(ascii: "+") || digits.last == UInt8(ascii: "-") { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy(ASCII.isDigit) else { return (line[...], nil) }
        let size = digits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        let textEnd = open > 0 && line[open - 1] == UInt8(ascii: "~") ? open - 1 : open
        return (line[..<textEnd], size)
    }
}

/// Splits the text of an IMAP command line into tokens; lenient, since it
/// only has to find names, not to validate.
enum IMAPTokenizer {
    static func tokens(in text: ArraySlice<UInt8>) -> [IMAPToken] {
        var tokens: [IMAPToken] = []
        var index = text.startIndex
        while index < text.endIndex {
            switch text[index] {
            case UInt8(ascii: " "):
                index += 1
            case UInt8(ascii: "("):
                tokens.append(.open)
                index += 1
            case UInt8(ascii: ")"):
                tokens.append(.close)
                index += 1
            case UInt8(ascii: "\""):
                var value: [UInt8] = []
                index += 1
                while index < text.endIndex, text[index] != UInt8(ascii: "\"") {
                    if text[index] == UInt8(ascii: "\\"), index + 1 < text.endIndex { index += 1 }
                    value.append(text[index])
                    index += 1
                }
                index += 1
                tokens.append(.string(value))
            default:
                let start = index
                while index < text.endIndex, !" ()\"".utf8.contains(text[index]) { index += 1 }
                tokens.append(.atom(Array(text[start..<index])))
            }
        }
        return tokens
    }
}
