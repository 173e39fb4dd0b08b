#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Systemd

struct JournalStreamTests {
    /// The `<device>:<inode>` systemd would put in `JOURNAL_STREAM` for this descriptor.
    private static func announcement(for descriptor: Int32, inodeOffset: UInt64 = 0) -> String {
        var status = stat()
        fstat(descriptor, &status)
        return "\(status.st_dev):\(UInt64(status.st_ino) + inodeOffset)"
    }

    @Test func recognisesTheStreamSystemdAnnounced() {
        var ends: [Int32] = [0, 0]
        pipe(&ends)
        defer { ends.forEach { close($0) } }
        #expect(JournalStream.isJournal(descriptor: ends[1], announcedAs: Self.announcement(for: ends[1])))
    }

    @Test func aRedirectedStderrIsNotTheJournal() {
        var ends: [Int32] = [0, 0]
        pipe(&ends)
        defer { ends.forEach { close($0) } }
        let otherStream = Self.announcement(for: ends[1], inodeOffset: 1)
        #expect(!JournalStream.isJournal(descriptor: ends[1], announcedAs: otherStream))
    }

    @Test(arguments: [nil, "", "8", "8:", ":12", "a:b", "8:12:1", "-1:5"])
    func malformedOrMissingAnnouncementMeansNotJournal(value: String?) {
        #expect(!JournalStream.isJournal(descriptor: STDERR_FILENO, announcedAs: value))
    }

    @Test func parsesDeviceAndInode() throws {
        let parsed = try #require(JournalStream.parse("64769:1234567"))
        #expect(parsed.device == 64769 && parsed.inode == 1234567)
    }
}
