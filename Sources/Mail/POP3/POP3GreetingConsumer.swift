/// Reads the backend's POP3 greeting on a STLS session, where the client
/// already had tlsfloord's: `+OK` is accepted, anything else refused.
public struct POP3GreetingConsumer: BackendGreetingConsumer, Sendable {
    private var reader: GreetingLineReader

    /// - Parameter maxLength: the longest greeting line accepted (RFC 2449
    ///   caps responses at 512 bytes; some servers are wordier).
    public init(maxLength: Int = 4096) {
        reader = GreetingLineReader(maxLineLength: maxLength)
    }

    public mutating func receive(_ bytes: [UInt8]) -> GreetingResult {
        reader.receive(bytes) { line in
            if ASCII.hasPrefix(line, caseInsensitive: "+OK") { return .accepted }
            let text = GreetingLineReader.describe(line)
            if ASCII.hasPrefix(line, caseInsensitive: "-ERR") { return .refused("backend said: \(text)") }
            return .refused("backend greeting is not POP3: \(text)")
        }
    }
}
