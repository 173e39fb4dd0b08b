import Testing
@testable import Net

/// The metrics endpoint's HTTP: only `GET /metrics` gets the exposition.
@Suite struct ScrapeRequestTests {
    static func request(_ text: String) -> ScrapeRequest { ScrapeRequest(head: Array(text.utf8)) }

    @Test func prometheusScrapeIsServed() {
        let head = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9771\r\nUser-Agent: Prometheus/2.42.0\r\n"
            + "Accept: text/plain;version=0.0.4;q=0.3,*/*;q=0.1\r\n\r\n"
        #expect(Self.request(head) == .metrics)
        #expect(Self.request("GET /metrics?x=1 HTTP/1.0\n\n") == .metrics)
    }

    @Test func otherRequestsAreNotFound() {
        #expect(Self.request("GET / HTTP/1.1\r\n\r\n") == .notFound)
        #expect(Self.request("GET /metricsx HTTP/1.1\r\n\r\n") == .notFound)
        #expect(Self.request("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n") == .notFound)
    }

    @Test func aHeadStillArrivingIsIncompleteUntilTheLimit() {
        #expect(Self.request("GET /metrics HTTP/1.1\r\nHost: x\r\n") == .incomplete)
        #expect(Self.request("GET /metrics HTTP/1.1\r\nX: " + String(repeating: "a", count: ScrapeRequest.headLimit)) == .badRequest)
    }

    @Test func notHTTPIsABadRequest() {
        #expect(Self.request("\u{16}\u{03}\u{01}\n\n") == .badRequest)
        #expect(Self.request("GET /metrics\r\n\r\n") == .badRequest)
    }

    @Test func responsesCarryStatusLengthAndClose() {
        let ok = String(decoding: ScrapeRequest.metrics.response { Array("a 1\n".utf8) }, as: UTF8.self)
        #expect(ok == "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
                + "Content-Length: 4\r\nConnection: close\r\n\r\na 1\n")
        var asked = false
        let missing = String(decoding: ScrapeRequest.notFound.response { asked = true; return [] }, as: UTF8.self)
        #expect(missing.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(!asked)
    }
}
