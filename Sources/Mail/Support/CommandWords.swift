/// A line split into its command word and the rest, the shape of SMTP and
/// POP3 commands (`VERB[ SP argument]`).
struct CommandWords: Equatable, Sendable {
    /// The command word in upper case; empty for an empty line.
    var verb: String
    /// Everything after the first space, or empty.
    var argument: [UInt8]

    init(_ line: [UInt8]) {
        let space = line.firstIndex(of: UInt8(ascii: " "))
        let word = line[..<(space ?? line.endIndex)]
        verb = ASCII.uppercased(word)
        argument = space.map { Array(line[($0 + 1)...]) } ?? []
    }

    var hasArgument: Bool { argument.contains { $0 != UInt8(ascii: " ") } }
}
