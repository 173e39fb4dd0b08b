/// Reads the backend's SMTP greeting on a STARTTLS session, where the client
/// already had tlsfloord's. A 220 greeting, single- or multi-line
/// (`220-…` then `220 …`), is accepted; 421, 554 or anything else refused.
public struct SMTPGreetingConsumer: BackendGreetingConsumer, Sendable {
    private var reader: GreetingLineReader

    /// - Parameter maxLength: the longest greeting line accepted (RFC 5321
    ///   §4.5.3.1.5 allows 512 bytes; some servers are wordier).
    public init(maxLength: Int = 4096) {
        reader = GreetingLineReader(maxLineLength: maxLength)
    }

    public mutating func receive(_ bytes: [UInt8]) -> GreetingResult {
        reader.receive(bytes) { line in
            guard let reply = SMTPReplyLine(line) else {
                return .refused("backend greeting is not SMTP: \(GreetingLineReader.describe(line))")
            }
            if !reply.isLast { return .continued }
            return reply.code == 220 ? .accepted : .refused("backend said: \(GreetingLineReader.describe(line))")
        }
    }
}
