import FuzzSupport
import Report

/// `tlsfloord report` over a log: line splitting, both record formats (stderr `key=value` and
/// `journalctl -o json`), every output format, with and without a trend per day or week. The lines must not depend on how the log was
/// read in chunks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReportLine(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzInput.run(data, size) { bytes in
        let lines = splitLines([bytes[...]])
        let chunkedLines = splitLines(FuzzInput.pieces(of: bytes, size: 7))
        precondition(lines == chunkedLines, "LineSplitter: \(lines) whole, \(chunkedLines) in 7-byte chunks")

        for period in [nil] + ReportPeriod.allCases.map(Optional.some) {
            var builder = ReportBuilder(trendPeriod: period)
            lines.forEach { builder.add(line: $0) }
            for format in ReportFormat.allCases { _ = format.render(builder.report) }
        }
    }
}

private func splitLines(_ chunks: [ArraySlice<UInt8>]) -> [String] {
    var splitter = LineSplitter()
    return chunks.flatMap { splitter.lines(in: $0) } + [splitter.finish()].compactMap { $0 }
}
