import Testing
@testable import Configuration

/// The operator-facing duration and size spellings.
@Suite struct UnitParserTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)),
        ("0ms", .zero),
        ("10s", .seconds(10)),
        ("1.5s", .milliseconds(1500)),
        ("0.25s", .milliseconds(250)),
        ("30m", .seconds(1800)),
        ("2h", .seconds(7200)),
        ("0s", .zero),
    ])
    func durations(text: String, duration: Duration) {
        #expect(DurationParser.parse(text) == duration)
    }

    @Test(arguments: ["", "10", "s", "ms", "10 s", " 10s", "-1s", "10S", "1d", "nans", "infs", "10sec", "1m30s", "1e300s", "9999999h"])
    func notDurations(text: String) {
        #expect(DurationParser.parse(text) == nil)
    }

    @Test func durationInMilliseconds() {
        #expect(Duration.seconds(30).milliseconds == 30_000)
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.microseconds(2500).milliseconds == 2)
    }

    @Test(arguments: [
        ("0", 0), ("16384", 16384), ("512B", 512), ("256KiB", 262_144), ("4MiB", 4_194_304), ("1GiB", 1_073_741_824),
    ])
    func sizes(text: String, bytes: Int) {
        #expect(ByteSizeParser.parse(text) == bytes)
    }

    @Test(arguments: [
        "", "KiB", "256kib", "256KB", "256 KiB", "-1", "-1KiB", "1.5MiB", "4TiB", "9223372036854775807KiB", "lots",
    ])
    func notSizes(text: String) {
        #expect(ByteSizeParser.parse(text) == nil)
    }
}
