import Configuration
import Dispatch
import Glibc

/// The `[metrics] listen` socket. Scrapes are rare and small, so they are
/// served one at a time on a queue of their own, never on a worker: a
/// scraper that stalls holds only this queue, for at most `timeout`, while
/// the next ones wait in the listen backlog.
final class MetricsEndpoint: @unchecked Sendable {
    /// Reading the request and writing the response together.
    static let timeout: Int32 = 2_000

    let address: String
    private let fd: Int32
    private let exposition: @Sendable () -> [UInt8]
    private let queue = DispatchQueue(label: "tlsfloord.metrics")
    private var source: (any DispatchSourceRead)?

    /// Binds at once, so a taken port fails start-up like a listener's.
    init(_ endpoint: Endpoint, exposition: @escaping @Sendable () -> [UInt8]) throws {
        let addresses = try SocketAddress.resolve(endpoint, passive: true)
        guard let first = addresses.first else { throw NetError("\(endpoint): no address") }
        fd = try Socket.listen(on: first, backlog: 16)
        address = Socket.localAddress(fd)?.description ?? endpoint.description
        self.exposition = exposition
    }

    func start() {
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [self] in acceptPending() }
        source.resume()
        self.source = source
    }

    /// Only when start-up fails: a running endpoint lives as long as the process.
    func close() {
        Glibc.close(fd)
    }

    private func acceptPending() {
        while let (client, _) = Socket.accept(fd) {
            serve(client)
            Glibc.close(client)
        }
        // Out of descriptors, the pending scrape stays pending and the source would fire
        // again at once: pause instead of spinning (the workers' acceptors back off too).
        if errno == EMFILE || errno == ENFILE {
            source?.suspend()
            queue.asyncAfter(deadline: .now() + .milliseconds(500)) { [self] in source?.resume() }
        }
    }

    private func serve(_ client: Int32) {
        let deadline = MonotonicClock.milliseconds() + UInt64(Self.timeout)
        var head: [UInt8] = []
        var request = ScrapeRequest.incomplete
        var chunk = [UInt8](repeating: 0, count: 2048)
        while request == .incomplete {
            guard wait(client, for: Int16(POLLIN), until: deadline) else { return }
            let count = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if count < 0, errno == EAGAIN || errno == EINTR { continue }
            guard count > 0 else { return }
            head += chunk[..<count]
            request = ScrapeRequest(head: head)
        }
        let response = request.response(exposition)
        var sent = 0
        while sent < response.count {
            guard wait(client, for: Int16(POLLOUT), until: deadline) else { return }
            let count = response[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EAGAIN || errno == EINTR { continue }
            guard count > 0 else { return }
            sent += count
        }
    }

    /// False once the deadline has passed or the socket failed.
    private func wait(_ client: Int32, for events: Int16, until deadline: UInt64) -> Bool {
        let now = MonotonicClock.milliseconds()
        guard now < deadline else { return false }
        var poller = pollfd(fd: client, events: events, revents: 0)
        return poll(&poller, 1, Int32(deadline - now)) > 0 && poller.revents & (events | Int16(POLLHUP)) != 0
    }
}
