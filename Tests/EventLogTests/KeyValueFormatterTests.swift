import EventLog
import Testing

/// One record = one line that `grep`, `awk` and `tlsfloord report` read back
/// exactly, whatever a client put into the values.
@Suite struct KeyValueFormatterTests {
    @Test(arguments: [
        ("TLSv1.2", "TLSv1.2"),
        ("192.0.2.7:50000", "192.0.2.7:50000"),
        ("[2001:db8::1]:993", "[2001:db8::1]:993"),
        ("t13d1516h2_8daaf6152771_02713d6af862", "t13d1516h2_8daaf6152771_02713d6af862"),
        ("jürgen@example.org", "jürgen@example.org"),
        ("-", "-"),
    ])
    func plainValuesStayUnquoted(value: String, expected: String) {
        #expect(KeyValueFormatter.quote(value) == expected)
    }

    @Test(arguments: [
        ("", #""""#),
        ("Outlook Express 6", #""Outlook Express 6""#),
        ("a=b", #""a=b""#),
        (#"say "hi""#, #""say \"hi\"""#),
        (#"C:\mail"#, #""C:\\mail""#),
        ("line1\nline2", #""line1\nline2""#),
        ("a\rb\tc", #""a\rb\tc""#),
        ("bell\u{07}", #""bell\x07""#),
        ("nul\u{00}", #""nul\x00""#),
        ("del\u{7F}", #""del\x7f""#),
        ("esc\u{1B}[31m", #""esc\x1b[31m""#),
    ])
    func valuesThatWouldBreakTheLineAreQuotedAndEscaped(value: String, expected: String) {
        #expect(KeyValueFormatter.quote(value) == expected)
    }

    @Test(arguments: ["\u{301}x outcome=relayed", "x\u{600}", "\u{301}\"", "a\u{20DD} b=c"])
    func combiningMarksCannotForgeFields(login: String) throws {
        let line = KeyValueFormatter.format([("user", login), ("outcome", "tls_version_refused")])
        let fields = try #require(KeyValueFormatter.parse(line[...]))
        #expect(fields.map(\.key) == ["user", "outcome"])
        #expect(fields.first?.value == login)
        #expect(fields.last?.value == "tls_version_refused")
    }

    @Test func quotedValueNeverContainsALineBreak() {
        let value = "a\nb\rc\u{0B}d\u{0C}e"
        let quoted = KeyValueFormatter.quote(value)
        #expect(!quoted.unicodeScalars.contains { $0.value < 0x20 })
    }

    @Test(arguments: [
        "", " ", "plain", "two words", "  leading and trailing  ", "a=b=c", "=", "\"", "\"\"", "\\", "\\\"", "\\n literally",
        "quote\" inside", "trailing backslash\\", "tab\there", "crlf\r\nnext", "\u{00}\u{01}\u{1F}\u{7F}",
        "ü ß 日本語", "emoji 📬 mail", "user=\"admin\" outcome=relayed", "x\\x41",
    ])
    func quoteThenParseGivesTheValueBack(value: String) throws {
        let line = KeyValueFormatter.format([("key", value), ("next", "1")])
        let fields = try #require(KeyValueFormatter.parse(line[...]))
        #expect(fields.map(\.key) == ["key", "next"])
        #expect(fields.first?.value == value)
        #expect(fields.last?.value == "1")
    }

    @Test func formatJoinsFieldsInTheGivenOrder() {
        let line = KeyValueFormatter.format([("outcome", "relayed"), ("client_name", "Thunderbird 115"), ("error", "")])
        #expect(line == #"outcome=relayed client_name="Thunderbird 115" error="""#)
    }

    @Test func parseToleratesRunsOfSpaces() throws {
        let fields = try #require(KeyValueFormatter.parse("  a=1   b=\"x y\"  "[...]))
        #expect(fields.map(\.key) == ["a", "b"])
        #expect(fields.map(\.value) == ["1", "x y"])
    }

    @Test func emptyLineHasNoFields() throws {
        #expect(try #require(KeyValueFormatter.parse(""[...])).isEmpty)
    }

    @Test(arguments: [
        "just some text", "key=value then words", "=value", "key=\"unterminated", "key=\"bad \\xZZ escape\"",
    ])
    func notKeyValueLinesAreRefused(line: String) {
        #expect(KeyValueFormatter.parse(line[...]) == nil)
    }
}
