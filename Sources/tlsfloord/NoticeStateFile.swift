import Foundation
import Glibc
import Report

/// The `--state` file on disk: read once at the start, one line appended per message sent.
struct NoticeStateFile {
    let path: String

    /// The recorded notices; a file that does not exist yet is an empty state (the first run).
    func read() throws -> NoticeState {
        guard FileManager.default.fileExists(atPath: path) else { return NoticeState() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NoticeStateFileError(path: path, reason: "cannot be read")
        }
        do {
            return try NoticeState(jsonLines: String(decoding: data, as: UTF8.self))
        } catch {
            throw NoticeStateFileError(path: path, reason: error.description)
        }
    }

    /// Appends and flushes one line, so the record survives whatever happens to the run next.
    func append(_ line: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw NoticeStateFileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        let bytes = Array(line.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(fd) == 0 else {
            throw NoticeStateFileError(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

/// `tlsfloord: STATE: REASON`.
struct NoticeStateFileError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "\(path): \(reason)" }
}
