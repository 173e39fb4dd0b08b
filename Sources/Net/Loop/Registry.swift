/// The worker's table of registrations: what an epoll event's token points
/// at. A slab, so looking up an event costs an array index and one
/// comparison; freed slots are reused with a new serial.
struct Registry<Target> {
    private struct Entry {
        var serial: UInt32
        var target: Target?
    }

    private var entries: [Entry] = []
    private var freeSlots: [UInt32] = []

    /// Registrations currently held.
    private(set) var count = 0

    mutating func insert(_ target: Target) -> EventToken {
        count += 1
        if let slot = freeSlots.popLast() {
            entries[Int(slot)].serial &+= 1
            entries[Int(slot)].target = target
            return EventToken(slot: slot, serial: entries[Int(slot)].serial)
        }
        entries.append(Entry(serial: 0, target: target))
        return EventToken(slot: UInt32(entries.count - 1), serial: 0)
    }

    /// Forgets a registration; later lookups of its token find nothing.
    mutating func remove(_ token: EventToken) {
        guard self[token] != nil else { return }
        entries[Int(token.slot)].target = nil
        freeSlots.append(token.slot)
        count -= 1
    }

    /// The target of a live registration, nil for a stale or unknown token.
    subscript(token: EventToken) -> Target? {
        let index = Int(token.slot)
        guard index < entries.count, entries[index].serial == token.serial else { return nil }
        return entries[index].target
    }

    /// Every live target (shutdown).
    var targets: [Target] { entries.compactMap(\.target) }
}
