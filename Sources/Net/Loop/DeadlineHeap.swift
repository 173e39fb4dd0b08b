/// Something with at most one pending deadline in a `DeadlineHeap`; it
/// remembers where it sits so it can be moved or removed in O(log n).
protocol DeadlineHolder: AnyObject {
    /// Maintained by the heap; nil when not scheduled.
    var deadlineSlot: Int? { get set }
}

/// A binary min-heap of deadlines (ms on the monotonic clock), one per
/// holder. Connections reschedule rarely — on entering a phase, and the
/// idle check only when its time comes — so every operation being
/// O(log n) is cheap, and a closed connection leaves nothing behind.
struct DeadlineHeap<Holder: DeadlineHolder> {
    private var entries: [(deadline: UInt64, holder: Holder)] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var earliest: UInt64? { entries.first?.deadline }

    /// Sets `holder`'s deadline, replacing any it had.
    mutating func schedule(_ holder: Holder, at deadline: UInt64) {
        if let slot = holder.deadlineSlot {
            let earlier = deadline < entries[slot].deadline
            entries[slot].deadline = deadline
            earlier ? siftUp(slot) : siftDown(slot)
        } else {
            entries.append((deadline, holder))
            holder.deadlineSlot = entries.count - 1
            siftUp(entries.count - 1)
        }
    }

    mutating func cancel(_ holder: Holder) {
        guard let slot = holder.deadlineSlot else { return }
        holder.deadlineSlot = nil
        let last = entries.count - 1
        if slot != last {
            entries[slot] = entries[last]
            entries[slot].holder.deadlineSlot = slot
        }
        entries.removeLast()
        if slot < entries.count {
            let moved = entries[slot].holder
            siftUp(slot)
            siftDown(moved.deadlineSlot!)
        }
    }

    /// Removes and returns a holder whose deadline is at or before `now`.
    mutating func popExpired(now: UInt64) -> Holder? {
        guard let first = entries.first, first.deadline <= now else { return nil }
        cancel(first.holder)
        return first.holder
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].deadline < entries[parent].deadline else { break }
            swapEntries(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            let right = left + 1
            let smaller = right < entries.count && entries[right].deadline < entries[left].deadline ? right : left
            guard entries[smaller].deadline < entries[parent].deadline else { return }
            swapEntries(parent, smaller)
            parent = smaller
        }
    }

    private mutating func swapEntries(_ a: Int, _ b: Int) {
        entries.swapAt(a, b)
        entries[a].holder.deadlineSlot = a
        entries[b].holder.deadlineSlot = b
    }
}
