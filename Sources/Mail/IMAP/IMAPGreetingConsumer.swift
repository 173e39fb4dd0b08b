/// Reads the backend's IMAP greeting on a STARTTLS session, where the client
/// already had tlsfloord's. `* OK` is accepted; `* BYE` is a refusal; and
/// `* PREAUTH` is refused too, because tlsfloord must never hand a client a
/// session that is logged in without credentials (RFC 3501 §7.1.4).
public struct IMAPGreetingConsumer: BackendGreetingConsumer, Sendable {
    private var reader: GreetingLineReader

    /// - Parameter maxLength: the longest greeting line accepted.
    public init(maxLength: Int = 4096) {
        reader = GreetingLineReader(maxLineLength: maxLength)
    }

    public mutating func receive(_ bytes: [UInt8]) -> GreetingResult {
        reader.receive(bytes) { line in
            if ASCII.hasPrefix(line, caseInsensitive: "* OK") { return .accepted }
            let text = GreetingLineReader.describe(line)
            if ASCII.hasPrefix(line, caseInsensitive: "* BYE") { return .refused("backend said: \(text)") }
            if ASCII.hasPrefix(line, caseInsensitive: "* PREAUTH") {
                return .refused("backend greeted with PREAUTH, refusing an unauthenticated logged-in session")
            }
            return .refused("backend greeting is not IMAP: \(text)")
        }
    }
}
