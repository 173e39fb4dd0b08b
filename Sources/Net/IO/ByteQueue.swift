/// Bytes waiting for a peer that could not take them yet. Holds at most
/// what one read produced (the sender is paused meanwhile), and nothing at
/// all for an idle connection.
struct ByteQueue {
    private var storage: [UInt8] = []
    private var start = 0

    var isEmpty: Bool { start == storage.count }
    var count: Int { storage.count - start }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compactIfDrained()
        storage.append(contentsOf: bytes)
    }

    mutating func append(_ bytes: [UInt8]) {
        compactIfDrained()
        storage.append(contentsOf: bytes)
    }

    mutating func removeFirst(_ count: Int) {
        start += count
        if start == storage.count {
            // Give the memory back: idle connections should cost nothing.
            storage = []
            start = 0
        }
    }

    func withUnsafeBytes<T>(_ body: (UnsafeRawBufferPointer) -> T) -> T {
        storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start...])) }
    }

    private mutating func compactIfDrained() {
        if start > 0 {
            storage.removeFirst(start)
            start = 0
        }
    }
}
