#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line taken from a byte stream.
struct Line: Equatable, Sendable {
    /// The line without its terminator.
    var content: [UInt8]
    /// `\r\n` or a bare `\n`, exactly as received, so relayed lines stay byte-exact.
    var terminator: [UInt8]

    var raw: [UInt8] { content + terminator }

    static let crlf: [UInt8] = [13, 10]
    static let lf: [UInt8] = [10]
}

/// Splits a byte stream into lines, never holding more than one line's worth.
///
/// Mail clients end lines with CRLF, but some send a bare LF; both count. A
/// line longer than the limit is reported once as `.overlong` and its bytes are
/// dropped up to the next LF, so a peer that never sends a line end cannot make
/// the buffer grow. A reader that must not lose bytes (a relay) keeps them
/// instead and takes them back with `drain()`.
///
/// Every relayed byte passes through here while an inspector watches, so
/// the line end is found with `memchr` over the contiguous buffer, bytes
/// known to hold no LF are never scanned again, and bytes are not copied
/// for nothing: an append to an empty reader keeps the caller's array, and
/// consumed bytes are cut off only once they are the larger part.
struct LineReader: Sendable {
    enum Event: Equatable, Sendable {
        case line(Line)
        case overlong
    }

    let maxLineLength: Int
    private let dropsOverlongLines: Bool
    private var buffer: [UInt8] = []
    private var start = 0
    /// Bytes after `start` already known to hold no LF: a peer dribbling a
    /// long line one byte at a time must not make every byte rescan it.
    private var scanned = 0
    private var droppingOverlongLine = false

    /// - Parameter dropsOverlongLines: false to leave an over-long line in
    ///   the buffer (reported as `.overlong` each time) for `drain()`.
    init(maxLineLength: Int, dropsOverlongLines: Bool = true) {
        self.maxLineLength = maxLineLength
        self.dropsOverlongLines = dropsOverlongLines
    }

    /// Bytes received but not yet part of a complete line.
    var pending: ArraySlice<UInt8> { buffer[start...] }

    mutating func append(_ bytes: [UInt8]) {
        if start == buffer.count {
            buffer = bytes
            start = 0
            return
        }
        // Cutting off consumed bytes moves the unread ones; doing it only
        // when they are fewer keeps a line dribbled byte by byte linear.
        if start > buffer.count / 2 {
            buffer.removeSubrange(..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Takes everything not yet returned, complete or not, and empties the reader.
    mutating func drain() -> [UInt8] {
        let rest = Array(pending)
        buffer = []
        start = 0
        scanned = 0
        droppingOverlongLine = false
        return rest
    }

    /// Takes up to `count` bytes as they are, ignoring line structure (IMAP
    /// literals). Returns fewer when fewer are buffered.
    mutating func take(upTo count: Int) -> ArraySlice<UInt8> {
        let end = min(buffer.count, start + count)
        let taken = buffer[start..<end]
        scanned = max(0, scanned - taken.count)
        start = end
        return taken
    }

    /// Drops every complete line buffered, keeping only the unterminated
    /// rest: for a reader whose caller has no use for the lines just now
    /// but must know where the next one starts. One backward search; no
    /// line is copied. (Backwards, because the last line end is usually
    /// within one short line of the end.)
    mutating func skipCompleteLines() {
        let lastLineFeed = buffer.withUnsafeBufferPointer { bytes in
            bytes[start...].lastIndex(of: UInt8(ascii: "\n"))
        }
        if let lastLineFeed {
            start = lastLineFeed + 1
            scanned = 0
            droppingOverlongLine = false
        }
        // No line end is left: this only bounds an over-long tail.
        _ = next()
    }

    mutating func next() -> Event? {
        while true {
            if let lineFeed = firstLineFeed(from: start + scanned) {
                let lineStart = start
                start = lineFeed + 1
                scanned = 0
                if droppingOverlongLine {
                    droppingOverlongLine = false
                    continue
                }
                let endsWithCR = lineFeed > lineStart && buffer[lineFeed - 1] == UInt8(ascii: "\r")
                let contentEnd = endsWithCR ? lineFeed - 1 : lineFeed
                if contentEnd - lineStart > maxLineLength {
                    if !dropsOverlongLines { start = lineStart }
                    return .overlong
                }
                return .line(Line(content: Array(buffer[lineStart..<contentEnd]),
                                  terminator: endsWithCR ? Line.crlf : Line.lf))
            }
            if start == buffer.count {
                // Everything is read: hold no memory until the next bytes (an
                // idle connection keeps its reader, and the last chunk could be 64 KiB).
                buffer = []
                start = 0
                scanned = 0
                return nil
            }
            scanned = buffer.count - start
            // One byte of slack: a CR may be waiting for its LF.
            let waiting = buffer.count - start
            if !dropsOverlongLines { return waiting > maxLineLength + 1 ? .overlong : nil }
            if droppingOverlongLine || waiting > maxLineLength + 1 {
                start = buffer.count
                scanned = 0
                if droppingOverlongLine { return nil }
                droppingOverlongLine = true
                return .overlong
            }
            return nil
        }
    }

    private func firstLineFeed(from index: Int) -> Int? {
        buffer.withUnsafeBufferPointer { bytes in
            guard index < bytes.count, let base = bytes.baseAddress,
                  let found = memchr(base + index, Int32(UInt8(ascii: "\n")), bytes.count - index) else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }
}
