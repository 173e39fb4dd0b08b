/// Cuts a byte stream into lines as it arrives, so a report over a large log
/// never holds more than one chunk and one partial line.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// The complete lines in `pending` + `chunk`, without `\n` or a trailing `\r`;
    /// the unfinished tail waits for the next chunk.
    public mutating func lines(in chunk: some Collection<UInt8>) -> [String] {
        pending.append(contentsOf: chunk)
        guard let lastNewline = pending.lastIndex(of: 0x0A) else { return [] }
        let complete = pending[..<lastNewline]
        let lines = complete.split(separator: 0x0A, omittingEmptySubsequences: false).map(Self.decode)
        pending.removeSubrange(...lastNewline)
        return lines
    }

    /// The last line when the stream did not end with a newline.
    public mutating func finish() -> String? {
        defer { pending = [] }
        return pending.isEmpty ? nil : Self.decode(pending[...])
    }

    private static func decode(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.last == 0x0D ? bytes.dropLast() : bytes, as: UTF8.self)
    }
}
