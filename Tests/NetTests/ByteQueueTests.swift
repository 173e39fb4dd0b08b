import Testing
@testable import Net

@Suite struct ByteQueueTests {
    @Test func keepsOrderAcrossPartialRemovals() {
        var queue = ByteQueue()
        queue.append([1, 2, 3, 4])
        queue.removeFirst(3)
        queue.append([5, 6])
        #expect(queue.count == 3)
        #expect(queue.withUnsafeBytes { Array($0) } == [4, 5, 6])
    }

    @Test func drainedQueueHoldsNoMemory() {
        var queue = ByteQueue()
        queue.append([UInt8](repeating: 7, count: 64 * 1024))
        queue.removeFirst(64 * 1024)
        #expect(queue.isEmpty)
        #expect(queue.withUnsafeBytes { $0.count } == 0)
    }
}
