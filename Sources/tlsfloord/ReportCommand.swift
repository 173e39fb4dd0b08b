import ArgumentParser
import Foundation
import Glibc
import Report

/// `tlsfloord report`: the audit of who still connects with old TLS — per user and
/// client fingerprint — read back from tlsfloord's own log (stderr lines or
/// `journalctl -o json`). Reads files or stdin and prints; the logic is in `Report`.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarise logged connections per user and client: TLS versions, counts, first/last seen.",
        discussion: """
            Reads tlsfloord's stderr log or `journalctl -t tlsfloord -o json` output (the two may be mixed). \
            Rows with a connection below the TLS floor come first, then the most recently seen.
            """)

    @Argument(help: "Log files to read; none or '-' reads standard input.")
    var files: [String] = []

    @Option(help: "Only connections at or after this time (RFC 3339, or YYYY-MM-DD for midnight UTC).")
    var since: String?

    @Flag(help: "Only users and clients with at least one connection below the TLS floor.")
    var legacyOnly = false

    @Option(help: "Output format: aligned table for a terminal, RFC 4180 CSV, or a JSON array.")
    var format: ReportFormat = .table

    func validate() throws {
        if let since, ReportTimestamp.parse(since) == nil {
            throw ValidationError("--since must be RFC 3339 (2026-11-23T14:00:00Z) or YYYY-MM-DD, not '\(since)'")
        }
    }

    func run() throws {
        var builder = ReportBuilder(filter: ReportFilter(since: since.flatMap(ReportTimestamp.parse), legacyOnly: legacyOnly))
        for path in files.isEmpty ? ["-"] : files {
            try Self.readLines(of: path) { builder.add(line: $0) }
        }
        print(format.render(builder.rows), terminator: "")
        if let warning = builder.skippedWarning {
            FileHandle.standardError.write(Data("tlsfloord: \(warning)\n".utf8))
        }
    }

    /// Streams a file (or stdin for `-`) line by line.
    private static func readLines(of path: String, _ body: (String) -> Void) throws {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw ReportInputError(path: path, reason: String(cString: strerror(errno))) }
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        }
        var splitter = LineSplitter()
        do {
            while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
                splitter.lines(in: chunk).forEach(body)
            }
        } catch {
            throw ReportInputError(path: path, reason: "\(error)")
        }
        splitter.finish().map(body)
    }
}

/// A log file that cannot be read: `tlsfloord: FILE: REASON`, exit 1.
struct ReportInputError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "\(path == "-" ? "stdin" : path): \(reason)" }
}

extension ReportFormat: ExpressibleByArgument {}
