import Configuration
import Foundation
import History
import Synchronization
import Testing

@Suite struct HistoryWriterTests {
    static var quick: HistoryWriter.Timing {
        var timing = HistoryWriter.Timing()
        timing.reportInterval = .milliseconds(200)
        timing.batchWindow = .milliseconds(20)
        timing.firstRetry = .milliseconds(50)
        timing.longestRetry = .milliseconds(100)
        return timing
    }

    @Test func anUnavailableStoreCostsQueuedRowsOnlyBeyondTheQueueAndWritingResumes() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history.db").path
        var settings = HistorySettings(store: .sqlite(path: path), instance: "edge-1")
        settings.queueSize = 2
        settings.anonymizeAddresses = true
        let available = Atomic(false)
        let log = CapturedLog()
        let writer = HistoryWriter(settings: settings, logger: log.logger, timing: Self.quick) { [settings] in
            guard available.load(ordering: .acquiring) else { throw HistoryStoreError("test: store down") }
            return try HistoryStores.open(settings, access: .write)
        }
        writer.start()
        #expect(eventually { log.events("history_store_unavailable").count == 1 })
        for user in ["a", "b", "c", "d", "e"] { writer.queue.offer(attempt(user)) }
        #expect(eventually { !log.events("history_dropped").isEmpty })
        #expect(log.events("history_dropped").map { $0.metadata["dropped"] } == ["3"], "once per interval")
        available.store(true, ordering: .releasing)
        #expect(eventually { sqlite(path, "SELECT count(*) FROM logins") == [["2"]] })
        #expect(sqlite(path, "SELECT user_name, client_address, instance FROM logins ORDER BY id")
            == [["a", "192.0.2.0/24", "edge-1"], ["b", "192.0.2.0/24", "edge-1"]])
        #expect(log.events("history_store_unavailable").count == 1, "an outage is logged once, not per retry")
        #expect(log.events("history_store_available").last?.metadata["dropped"] == "3")
        writer.queue.offer(attempt("f"))
        #expect(writer.finish(within: .seconds(5)))
        #expect(sqlite(path, "SELECT count(*) FROM logins") == [["3"]], "what was queued at shutdown is written")
    }

    @Test func rowsOlderThanKeepArePrunedWhenTheWriterConnects() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history.db").path
        var settings = HistorySettings(store: .sqlite(path: path), instance: "edge-1")
        settings.keep = .seconds(30 * 86_400)
        let now = Date()
        try HistoryStores.open(settings, access: .write).insert([31, 29].map {
            LoginRow(attempt: attempt("alice", at: now.addingTimeInterval(-$0 * 86_400)), instance: "edge-1")
        })
        let log = CapturedLog()
        let writer = HistoryWriter(settings: settings, logger: log.logger, timing: Self.quick)
        writer.start()
        #expect(eventually { log.events("history_pruned").first?.metadata["rows"] == "1" })
        #expect(writer.finish(within: .seconds(5)))
        #expect(sqlite(path, "SELECT count(*) FROM logins") == [["1"]])
    }
}

extension HistoryWriterTests {
    /// A real store that counts its transactions and can fail the first one.
    final class ObservedStore: HistoryStore, @unchecked Sendable {
        let inner: HistoryStore
        private var failFirst: Bool
        let transactions = Atomic(0)

        init(_ inner: HistoryStore, failFirst: Bool = false) {
            self.inner = inner
            self.failFirst = failFirst
        }

        func insert(_ rows: [LoginRow]) throws(HistoryStoreError) {
            if failFirst {
                failFirst = false
                throw HistoryStoreError("test: connection lost")
            }
            try inner.insert(rows)
            transactions.add(1, ordering: .relaxed)
        }

        func prune(before cutoff: Date, limit: Int) throws(HistoryStoreError) -> Int { try inner.prune(before: cutoff, limit: limit) }
        func rows(user: String, since: Date) throws(HistoryStoreError) -> [LoginRow] { try inner.rows(user: user, since: since) }
    }

    @Test func afterAFailedBatchTheRowsQueuedMeanwhileFollowWithoutWaitingForATimer() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history.db").path
        let settings = HistorySettings(store: .sqlite(path: path), instance: "edge-1")
        var timing = Self.quick
        timing.reportInterval = .seconds(60)
        timing.firstRetry = .milliseconds(300)
        let opens = Atomic(0)
        let log = CapturedLog()
        let writer = HistoryWriter(settings: settings, logger: log.logger, timing: timing) { [settings] in
            let store = try HistoryStores.open(settings, access: .write)
            return opens.add(1, ordering: .relaxed).newValue == 1 ? ObservedStore(store, failFirst: true) : store
        }
        writer.start()
        #expect(eventually { log.events("history_store_available").count == 1 })
        writer.queue.offer(attempt("a"))
        #expect(eventually { log.events("history_store_unavailable").count == 1 })
        writer.queue.offer(attempt("b"))
        writer.queue.offer(attempt("c"))
        #expect(eventually(3) { sqlite(path, "SELECT count(*) FROM logins") == [["3"]] })
        #expect(writer.finish(within: .seconds(5)))
    }
}

extension HistoryWriterTests {
    @Test func loginsArrivingTogetherShareOneTransaction() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history.db").path
        let settings = HistorySettings(store: .sqlite(path: path), instance: "edge-1")
        var timing = Self.quick
        timing.batchWindow = .seconds(1)
        let store = try ObservedStore(HistoryStores.open(settings, access: .write))
        let writer = HistoryWriter(settings: settings, logger: CapturedLog().logger, timing: timing) { store }
        writer.start()
        for index in 0..<20 {
            writer.queue.offer(attempt("user\(index)"))
            Thread.sleep(forTimeInterval: 0.005)
        }
        #expect(eventually { sqlite(path, "SELECT count(*) FROM logins") == [["20"]] })
        // One window; two if this loaded machine stretched the loop beyond it.
        #expect(store.transactions.load(ordering: .relaxed) <= 2)
        #expect(writer.finish(within: .seconds(5)))
    }
}
