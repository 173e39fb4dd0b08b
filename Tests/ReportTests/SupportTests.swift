import Foundation
import Testing
@testable import Report

@Test func splitsLinesAcrossChunksAndDropsCarriageReturns() {
    var splitter = LineSplitter()
    #expect(splitter.lines(in: Array("first li".utf8)).isEmpty)
    #expect(splitter.lines(in: Array("ne\r\nsecond\n\nthi".utf8)) == ["first line", "second", ""])
    #expect(splitter.lines(in: Array("rd".utf8)).isEmpty)
    #expect(splitter.finish() == "third")
    #expect(splitter.finish() == nil)
}

@Test func sinceAcceptsRFC3339AndABareDate() {
    #expect(ReportTimestamp.parse("2026-11-23")?.timeIntervalSince1970 == 1_795_392_000)
    #expect(ReportTimestamp.parse("2026-11-23T01:00:00+01:00")?.timeIntervalSince1970 == 1_795_392_000)
    #expect(ReportTimestamp.parse("2026-11-23T00:00:00.5Z")?.timeIntervalSince1970 == 1_795_392_000.5)
    #expect(ReportTimestamp.parse("23.11.2026") == nil)
    #expect(ReportTimestamp.parse("2026-11-2x") == nil)
    #expect(ReportTimestamp.parse("") == nil)
}

@Test func printsTimesInUTCWholeSeconds() throws {
    let date = try #require(ReportTimestamp.parse("2026-11-23T15:14:20.551+01:00"))
    #expect(ReportTimestamp.format(date) == "2026-11-23T14:14:20Z")
}
