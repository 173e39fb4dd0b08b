import ArgumentParser
import Foundation
import Report

/// `tlsfloord report`: the audit of who still connects with old TLS — per user and
/// client fingerprint, or per day/week — read back from tlsfloord's own log (stderr lines or
/// `journalctl -o json`). Reads files or stdin and prints; the logic is in `Report`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarise logged connections per user and client, or per day/week: TLS versions, counts, legacy share.",
        discussion: """
            Reads tlsfloord's stderr log or `journalctl -t tlsfloord -o json` output (the two may be mixed). \
            Rows with a connection below the TLS floor come first, then the most recently seen. \
            With --by, table, csv and json print one row per period instead; html shows both, with a chart.
            """)

    @Argument(help: "Log files to read; none or '-' reads standard input.")
    var files: [String] = []

    @Option(help: "Only connections at or after this time (RFC 3339, YYYY-MM-DD for midnight UTC, or an age: 30d, 12h, 2w).")
    var since: String?

    @Flag(help: "Only users and clients with at least one connection below the TLS floor (the per-user rows; not the trend).")
    var legacyOnly = false

    @Option(help: "One row per period (UTC): connections, legacy connections, legacy share, distinct legacy users and addresses.")
    var by: ReportPeriod?

    @Option(help: "Output format: aligned table for a terminal, RFC 4180 CSV, a JSON array, or a self-contained HTML page.")
    var format: ReportFormat = .table

    func validate() throws {
        if let since { _ = try LogInput.since(since) }
    }

    func run() throws {
        let filter = ReportFilter(since: try since.map { try LogInput.since($0) }, legacyOnly: legacyOnly)
        var builder = ReportBuilder(filter: filter, trendPeriod: by ?? format.defaultTrendPeriod)
        try LogInput.readLines(of: files) { builder.add(line: $0) }
        print(format.render(builder.report), terminator: "")
        if let warning = builder.skippedWarning {
            FileHandle.standardError.write(Data("tlsfloord: \(warning)\n".utf8))
        }
    }
}

extension ReportFormat: ExpressibleByArgument {}
extension ReportPeriod: ExpressibleByArgument {}
