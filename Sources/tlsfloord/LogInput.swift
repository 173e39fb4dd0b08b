import ArgumentParser
import Foundation
import Glibc
import Report

/// The logs `report` and `notify` read: files, or stdin for `-` (and when none are named).
enum LogInput {
    /// Streams every line of every source to `body`, one chunk in memory at a time.
    static func readLines(of paths: [String], _ body: (String) -> Void) throws {
        for path in paths.isEmpty ? ["-"] : paths {
            try readLines(of: path, body)
        }
    }

    private static func readLines(of path: String, _ body: (String) -> Void) throws {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw LogInputError(path: path, reason: String(cString: strerror(errno))) }
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        }
        var splitter = LineSplitter()
        do {
            while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
                splitter.lines(in: chunk).forEach(body)
            }
        } catch {
            throw LogInputError(path: path, reason: "\(error)")
        }
        splitter.finish().map(body)
    }

    /// `--since` as both commands take it; the ValidationError names the option.
    static func since(_ text: String, now: Date = Date()) throws -> Date {
        guard let date = SinceTime.parse(text, now: now) else {
            throw ValidationError("--since must be RFC 3339 (2026-11-23T14:00:00Z), YYYY-MM-DD or an age like 30d, not '\(text)'")
        }
        return date
    }
}

/// A log file that cannot be read: `tlsfloord: FILE: REASON`, exit 1.
struct LogInputError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "\(path == "-" ? "stdin" : path): \(reason)" }
}
