/// Removes `STARTTLS` from the backend's EHLO reply on a session that is
/// already encrypted: RFC 3207 §4.2 says a server must not offer it after
/// TLS, and a client that believes the offer would break the session.
enum SMTPCapabilityFilter {
    /// Takes the complete reply, line by line, and returns it without the
    /// STARTTLS line. When that was the last line, the line before it becomes
    /// the last (`250-` → `250 `). Everything else stays byte for byte.
    static func removingStartTLS(from reply: [Line]) -> [UInt8] {
        var kept = reply.enumerated().filter { index, line in index == 0 || !isStartTLS(line.content) }.map(\.element)
        if kept.count < reply.count, var last = kept.popLast() {
            if last.content.count > 3, last.content[3] == UInt8(ascii: "-") { last.content[3] = UInt8(ascii: " ") }
            kept.append(last)
        }
        return kept.flatMap(\.raw)
    }

    private static func isStartTLS(_ line: [UInt8]) -> Bool {
        guard let reply = SMTPReplyLine(line) else { return false }
        return ASCII.uppercased(reply.text.filter { $0 != UInt8(ascii: " ") }) == "STARTTLS"
    }
}
