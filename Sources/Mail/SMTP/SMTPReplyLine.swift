/// One line of a server reply: `code[-| ]text` (RFC 5321 §4.2).
struct SMTPReplyLine: Equatable, Sendable {
    var code: Int
    /// False for `250-…` lines that another line of the same reply follows.
    var isLast: Bool
    /// The text after the code and separator.
    var text: ArraySlice<UInt8>

    init?(_ line: [UInt8]) {
        guard line.count >= 3, line.prefix(3).allSatisfy(ASCII.isDigit) else { return nil }
        code = line.prefix(3).reduce(0) { $0 * 10 + Int($1 - 0x30) }
        if line.count == 3 {
            isLast = true
            text = []
            return
        }
        switch line[3] {
        case UInt8(ascii: "-"): isLast = false
        case UInt8(ascii: " "): isLast = true
        default: return nil
        }
        text = line[4...]
    }
}
