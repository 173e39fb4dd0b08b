import EventLog
import Testing

/// Client-chosen text (login names, SNI, ALPN) must not be able to break
/// or visually reorder a log line.
@Suite struct LogSafeTextTests {
    @Test(arguments: [
        ("mail.example.org", "mail.example.org"),
        ("evil\u{202E}gro.elpmaxe", "evilgro.elpmaxe"),
        ("a\u{2028}b\u{2029}c", "abc"),
        ("line\r\nevent=forged", "lineevent=forged"),
        ("isol\u{2066}ate\u{2069}", "isolate"),
        ("zero\u{200B}width", "zerowidth"),
        ("h\u{00E9}llo", "h\u{00E9}llo"),
    ])
    func removesWhatCouldForgeOrReorderALine(text: String, expected: String) {
        #expect(LogSafeText.clean(Array(text.utf8)) == expected)
    }

    @Test func nothingVisibleLeftIsNil() {
        #expect(LogSafeText.clean(Array("\u{202E}\r\n".utf8)) == nil)
    }

    @Test func isCutAtMaxLength() {
        #expect(LogSafeText.clean(Array(String(repeating: "x", count: 300).utf8))?.count == LogSafeText.maxLength)
    }
}
