import Testing
@testable import TLS

/// SNI → certificate group: exact names before wildcards, one label per wildcard.
struct ServerNameTableTests {
    func table() throws -> ServerNameTable {
        var table = ServerNameTable()
        try table.add(["mail.example.org", "*.example.org"], group: 1)
        try table.add(["imap.example.org"], group: 2)
        return table
    }

    @Test func exactNameBeatsWildcard() throws {
        let table = try table()
        #expect(table.group(for: "imap.example.org") == 2)
        #expect(table.group(for: "mail.example.org") == 1)
        #expect(table.group(for: "smtp.example.org") == 1)
    }

    @Test func wildcardCoversExactlyOneLabel() throws {
        let table = try table()
        #expect(table.group(for: "example.org") == nil)
        #expect(table.group(for: "a.b.example.org") == nil)
        #expect(table.group(for: "other.net") == nil)
        #expect(table.group(for: ".example.org") == nil)
    }

    @Test func caseAndTrailingDotDoNotMatter() throws {
        #expect(try table().group(for: "IMAP.Example.ORG.") == 2)
    }

    @Test func aNameServedByTwoGroupsIsAConflict() throws {
        var table = try table()
        #expect(throws: ServerNameTable.Conflict(name: "mail.example.org", group: 1)) {
            try table.add(["Mail.example.org"], group: 3)
        }
        try table.add(["mail.example.org"], group: 1)
    }

    @Test func unclaimedNamesFillOnlyTheGaps() throws {
        var table = try table()
        table.addUnclaimed(["mail.example.org", "mail.example.net"], group: 0)
        #expect(table.group(for: "mail.example.org") == 1)
        #expect(table.group(for: "mail.example.net") == 0)
    }
}
