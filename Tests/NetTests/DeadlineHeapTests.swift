import Testing
@testable import Net

private final class Timed: DeadlineHolder {
    let name: String
    var deadlineSlot: Int?
    init(_ name: String) { self.name = name }
}

@Suite struct DeadlineHeapTests {
    private func expired(_ heap: inout DeadlineHeap<Timed>, at now: UInt64) -> [String] {
        var names: [String] = []
        while let holder = heap.popExpired(now: now) { names.append(holder.name) }
        return names
    }

    @Test func expiresInDeadlineOrder() {
        var heap = DeadlineHeap<Timed>()
        for (name, deadline) in [("c", 30), ("a", 10), ("d", 40), ("b", 20)] as [(String, UInt64)] {
            heap.schedule(Timed(name), at: deadline)
        }
        #expect(heap.earliest == 10)
        #expect(expired(&heap, at: 25) == ["a", "b"])
        #expect(expired(&heap, at: 100) == ["c", "d"])
        #expect(heap.isEmpty)
    }

    @Test func reschedulingMovesRatherThanAdds() {
        var heap = DeadlineHeap<Timed>()
        let idle = Timed("idle")
        heap.schedule(idle, at: 10)
        heap.schedule(idle, at: 50)
        #expect(heap.count == 1)
        #expect(expired(&heap, at: 20).isEmpty)
        heap.schedule(idle, at: 5)
        #expect(expired(&heap, at: 20) == ["idle"])
        #expect(idle.deadlineSlot == nil)
    }

    @Test func cancelledHoldersNeverExpire() {
        var heap = DeadlineHeap<Timed>()
        let holders = (0..<50).map { Timed("\($0)") }
        for (index, holder) in holders.enumerated() { heap.schedule(holder, at: UInt64((index * 37) % 50)) }
        for holder in holders where Int(holder.name)! % 3 == 0 { heap.cancel(holder) }
        let order = expired(&heap, at: .max).map { Int($0)! }
        #expect(order.count == holders.count - 17)
        #expect(!order.contains { $0 % 3 == 0 })
        let deadlines = order.map { ($0 * 37) % 50 }
        #expect(deadlines == deadlines.sorted())
    }
}
