import Foundation
import Glibc
import Report

/// `--smtp HOST:PORT`: `mail.example.org:25`, `127.0.0.1:25` or `[::1]:25`.
struct SMTPEndpoint: Sendable, Equatable {
    let host: String
    let port: UInt16

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0
        else { return nil }
        var host = text[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        guard !host.isEmpty, !host.contains("[") else { return nil }
        self.host = String(host)
        self.port = port
    }
}

/// A blocking TCP connection to the MTA for `SMTPClient`, with a timeout on every read and
/// write so a stuck MTA fails the run instead of hanging a cron job.
struct SMTPSocket: SMTPTransport {
    private let descriptor: Int32
    private var splitter = LineSplitter()
    private var pending: [String] = []

    static let timeout = timeval(tv_sec: 60, tv_usec: 0)

    init(_ endpoint: SMTPEndpoint) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list)
        guard status == 0, let first = list else {
            throw SMTPError.failed("\(endpoint.host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = ECONNREFUSED
        for info in sequence(first: first, next: { $0.pointee.ai_next }) {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { lastError = errno; continue }
            var timeout = Self.timeout
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                descriptor = fd
                return
            }
            lastError = errno
            Glibc.close(fd)
        }
        throw SMTPError.failed("\(endpoint.host):\(endpoint.port): \(String(cString: strerror(lastError)))")
    }

    func close() {
        Glibc.close(descriptor)
    }

    mutating func send(_ text: String) throws {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw SMTPError.failed("sending to the MTA: \(String(cString: strerror(errno)))") }
            bytes = bytes.dropFirst(sent)
        }
    }

    mutating func receiveLine() throws -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while pending.isEmpty {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else {
                throw SMTPError.failed(count == 0 ? "the MTA closed the connection"
                                                  : "reading from the MTA: \(String(cString: strerror(errno)))")
            }
            pending = splitter.lines(in: buffer[..<count])
        }
        return pending.removeFirst()
    }
}
