/// GREASE (RFC 8701): reserved code points clients scatter through a ClientHello so that servers
/// learn to ignore what they do not know. Fingerprints and version checks must skip them.
enum GREASE {
    /// True for 0x0A0A, 0x1A1A, … 0xFAFA, in any 16-bit registry (versions, cipher suites,
    /// extensions, groups, signature algorithms).
    static func isReserved(_ value: UInt16) -> Bool {
        value & 0x0F0F == 0x0A0A && value >> 8 == value & 0x00FF
    }
}
