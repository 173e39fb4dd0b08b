/// Collects the backend's greeting line by line, with a bound, for the
/// per-protocol greeting consumers.
struct GreetingLineReader: Sendable {
    /// What a consumer decides about one greeting line.
    enum Verdict {
        case accepted
        /// More lines belong to this greeting (SMTP `220-`).
        case continued
        case refused(String)
    }

    private var reader: LineReader
    private var total = 0
    private var refusal: GreetingResult?
    private var accepted = false

    init(maxLineLength: Int) {
        reader = LineReader(maxLineLength: maxLineLength)
    }

    /// Feeds backend bytes; `judge` sees each complete line. After the
    /// decision, a refusal is repeated and, once accepted, later bytes are
    /// passed through as leftover so none can be lost.
    mutating func receive(_ bytes: [UInt8], judge: ([UInt8]) -> Verdict) -> GreetingResult {
        if let refusal { return refusal }
        if accepted { return .accepted(leftover: bytes) }
        reader.append(bytes)
        total += bytes.count
        while let event = reader.next() {
            switch event {
            case .overlong:
                return finish(.refused(reason: "backend greeting line too long"))
            case .line(let line):
                switch judge(line.content) {
                case .continued: continue
                case .accepted:
                    accepted = true
                    return .accepted(leftover: reader.drain())
                case .refused(let reason): return finish(.refused(reason: reason))
                }
            }
        }
        // A greeting of many short lines is bounded too.
        if total > 4 * reader.maxLineLength { return finish(.refused(reason: "backend greeting too long")) }
        return .needMore
    }

    private mutating func finish(_ result: GreetingResult) -> GreetingResult {
        refusal = result
        return result
    }

    /// A backend line made fit for a log reason: printable ASCII, bounded.
    static func describe(_ line: [UInt8]) -> String {
        let printable = line.prefix(200).map { (0x20...0x7E).contains($0) ? $0 : UInt8(ascii: "?") }
        return String(decoding: printable, as: UTF8.self)
    }
}
