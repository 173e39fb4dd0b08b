/// ASCII helpers for protocol words, which are case-insensitive ASCII.
enum ASCII {
    static func uppercased(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
    }

    static func hasPrefix(_ bytes: some Collection<UInt8>, caseInsensitive prefix: String) -> Bool {
        let prefixBytes = Array(prefix.utf8)
        guard bytes.count >= prefixBytes.count else { return false }
        return uppercased(bytes.prefix(prefixBytes.count)) == prefix.uppercased()
    }

    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
}
