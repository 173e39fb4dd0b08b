import Testing
@testable import Configuration

/// Table headers whose key cannot start and array values that cannot start abort toml++ 3.4.0
/// inside TOMLKit (assertions in its `parse_key` and `parse_value`); they must come back as syntax
/// errors instead. Found by `scripts/fuzz configuration`.
@Suite struct TOMLAbortTests {
    @Test(arguments: [
        ("[\n", 1, 2),
        ("[.a]\n", 1, 2),
        ("[ # listeners follow\n", 1, 3),
        ("\t[=", 1, 3),
        ("[[ .", 1, 4),
        ("[[[listener]]]\n", 1, 3),
        ("[\u{E9}t\u{E9}]\n", 1, 2),
        ("[\r\n", 1, 2),
    ])
    func headerWithoutAKeyIsASyntaxError(header: String, line: Int, column: Int) {
        let error = rejection(minimalConfiguration + header)
        let headerLine = line + minimalConfiguration.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        #expect(error == ConfigurationError(file: "test.toml", key: "",
                                            reason: "TOML syntax error at line \(headerLine), column \(column): a table header must start with a key"))
    }

    @Test(arguments: [
        ("backend = [}", 1, 12),
        ("backend = [\"127.0.0.1:10143\", }", 1, 31),
        ("backend = [ # first\r\n  }", 2, 3),
        ("backend = [\u{2028}", 1, 12),
        ("backend = [[}]]", 1, 13),
        ("backend = { a = [ } ] }", 1, 19),
    ])
    func arrayValueThatCannotStartIsASyntaxError(backend: String, line: Int, column: Int) {
        let text = minimalConfiguration.replacingOccurrences(of: "backend = \"127.0.0.1:10143\"", with: backend)
        let backendLine = minimalConfiguration.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.hasPrefix("backend") }! + line
        #expect(rejection(text) == ConfigurationError(file: "test.toml", key: "",
                                                      reason: "TOML syntax error at line \(backendLine), column \(column): expected a value or ']'"))
    }

    @Test(arguments: [
        ("enforce_after = 2026-09-30 0\n", 1, 28),
        ("enforce_after = 2_026-09-30 1 # a typo\n", 1, 29),
        ("enforce_after = [0908-08-\u{FFFD}i 9]\n", 1, 29),
    ])
    func dateWithOneDigitAfterASpaceIsASyntaxError(legacy: String, line: Int, column: Int) {
        #expect(rejection(minimalConfiguration + "[legacy]\n" + legacy) == ConfigurationError(
            file: "test.toml", key: "",
            reason: "TOML syntax error at line \(minimalConfiguration.count { $0 == "\n" } + 1 + line), column \(column): expected a time after the date"))
    }

    @Test func dateTimeWithASpaceStillParses() throws {
        let configuration = try parse(minimalConfiguration + "[legacy]\nenforce_after = 2026-09-30 00:00:00Z # 1 9\n")
        #expect(configuration.legacy.enforceAfter != nil)
    }

    @Test func headerAfterAByteOrderMarkIsASyntaxError() {
        #expect(rejection("\u{FEFF}[\u{FFFD}l]\n" + minimalConfiguration)?.reason
                == "TOML syntax error at line 1, column 2: a table header must start with a key")
    }

    @Test func bracketLinesInsideStringsAndCommentsAreNotHeaders() throws {
        let backend = "backend = \"127.0.0.1:10143\""
        let text = minimalConfiguration.replacingOccurrences(of: backend, with: "backend = [ # a [ comment\n\"127.0.0.1:10143\",\n]")
            + "[legacy]\nmessage = \"\"\"\n[. Please update: \"example.org/tls\" \"\"\"\"\"\naction = 'explain'\n"
        #expect(try parse(text).legacy.message == #"[. Please update: "example.org/tls" """#)
    }

    @Test func bracketLineInsideAnArrayIsNoHeader() {
        let text = minimalConfiguration.replacingOccurrences(of: "backend = \"127.0.0.1:10143\"", with: "backend = [\n[\n\"x\"]]")
        #expect(rejection(text)?.reason == "expected an array of strings")
    }

    @Test func headersTOMLKitReportsItselfKeepItsMessage() {
        #expect(rejection(minimalConfiguration + "[ [a]]\n")?.reason.contains("brackets must be contiguous") == true)
        #expect(rejection(minimalConfiguration + "[]\n")?.reason.contains("blank bare keys") == true)
    }
}
