import Testing
@testable import Configuration

/// Table headers whose key cannot start abort toml++ 3.4.0 inside TOMLKit (an assertion in its
/// `parse_key`); they must come back as syntax errors instead. Found by `scripts/fuzz configuration`.
@Suite struct TableHeaderTests {
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
