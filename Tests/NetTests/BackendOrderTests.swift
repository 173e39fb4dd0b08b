import Configuration
import Testing
@testable import Net

@Suite struct BackendOrderTests {
    private func backends(_ count: Int) throws -> [Backend] {
        try (0..<count).map { try Backend(endpoint: .tcp(host: "127.0.0.1", port: UInt16(14300 + $0))) }
    }

    @Test func healthyBackendsComeFirstInConfiguredOrder() throws {
        let list = try backends(3)
        list[0].markDown(now: 1_000)
        let order = Backend.attemptOrder(list, now: 2_000)
        #expect(order.map(\.endpoint) == [list[1], list[2], list[0]].map(\.endpoint))
    }

    @Test func allDownStillTriesEveryBackendOnce() throws {
        let list = try backends(2)
        for backend in list { backend.markDown(now: 1_000) }
        #expect(Backend.attemptOrder(list, now: 2_000).map(\.endpoint) == list.map(\.endpoint))
    }

    @Test func markExpiresAfterThePeriod() throws {
        let list = try backends(2)
        list[0].markDown(now: 1_000)
        let later = 1_000 + Backend.markDownPeriodMilliseconds
        #expect(Backend.attemptOrder(list, now: later).map(\.endpoint) == list.map(\.endpoint))
    }
}
