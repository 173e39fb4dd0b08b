/// The one HTTP exchange the metrics endpoint knows: `GET /metrics` gets
/// the exposition, any other request 404, a head that is not HTTP 400.
/// Bytes in, bytes out, so it is tested without a socket.
enum ScrapeRequest: Equatable {
    case metrics
    case notFound
    case badRequest
    /// The head has not ended yet.
    case incomplete

    /// A request head larger than this is not a scraper's.
    static let headLimit = 8 * 1024
    static let path = "/metrics"
    /// The classic Prometheus text format, which swift-prometheus writes.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    init(head bytes: [UInt8]) {
        guard let end = Self.endOfHead(bytes) else {
            self = bytes.count >= Self.headLimit ? .badRequest : .incomplete
            return
        }
        let lineEnd = bytes[..<end].firstIndex(of: UInt8(ascii: "\n")) ?? end
        let words = bytes[..<lineEnd].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard words.count == 3, words[2].starts(with: "HTTP/1.".utf8) else {
            self = .badRequest
            return
        }
        let target = words[1].split(separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false)[0]
        self = words[0].elementsEqual("GET".utf8) && target.elementsEqual(Self.path.utf8) ? .metrics : .notFound
    }

    /// Where the blank line that ends the head starts (CRLF or bare LF lines).
    private static func endOfHead(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while let newline = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) {
            let next = newline + 1
            if next < bytes.count, bytes[next] == UInt8(ascii: "\n") { return newline }
            if next + 1 < bytes.count, bytes[next] == UInt8(ascii: "\r"), bytes[next + 1] == UInt8(ascii: "\n") { return newline }
            index = next
        }
        return nil
    }

    /// The whole response; `exposition` is asked for only for `.metrics`.
    func response(_ exposition: () -> [UInt8]) -> [UInt8] {
        switch self {
        case .metrics: Self.response("200 OK", contentType: Self.contentType, body: exposition())
        case .notFound: Self.response("404 Not Found", contentType: "text/plain", body: Array("only GET /metrics here\n".utf8))
        case .badRequest, .incomplete: Self.response("400 Bad Request", contentType: "text/plain", body: Array("bad request\n".utf8))
        }
    }

    private static func response(_ status: String, contentType: String, body: [UInt8]) -> [UInt8] {
        let head = "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }
}
