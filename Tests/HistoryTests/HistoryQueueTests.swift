import History
import Testing

struct HistoryQueueTests {
    @Test func aFullQueueDropsAndCountsWhatDoesNotFit() {
        let queue = HistoryQueue(capacity: 3)
        let accepted = (1...5).map { queue.offer(attempt("user\($0)")) }
        #expect(accepted == [true, true, true, false, false])
        #expect(queue.takeDropped() == 2)
        #expect(queue.takeDropped() == 0, "the count starts again after each report")
        #expect(queue.take().map(\.user) == ["user1", "user2", "user3"])
        #expect(queue.isEmpty)
        #expect(queue.offer(attempt("user6")), "taking makes room again")
        #expect(queue.takeDropped() == 0)
    }
}
