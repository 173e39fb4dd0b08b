/// The tag in front of an IMAP command (RFC 3501 §9: `tag = 1*<any
/// ASTRING-CHAR except "+">`).
enum IMAPTag {
    /// Splits `tag SP rest` and returns the tag when it is valid; tlsfloord
    /// echoes tags in replies, so only well-formed ones are accepted.
    static func split(_ line: [UInt8]) -> (tag: String, rest: ArraySlice<UInt8>)? {
        let end = line.firstIndex(of: UInt8(ascii: " ")) ?? line.endIndex
        let tag = line[..<end]
        guard !tag.isEmpty, tag.allSatisfy(isTagByte) else { return nil }
        let rest = end < line.endIndex ? line[(end + 1)...] : []
        return (String(decoding: tag, as: UTF8.self), rest)
    }

    private static func isTagByte(_ byte: UInt8) -> Bool {
        guard (0x21...0x7E).contains(byte) else { return false }
        return !"(){%*\"\\+".utf8.contains(byte)
    }
}
