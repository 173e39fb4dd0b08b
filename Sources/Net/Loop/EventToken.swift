/// What an epoll event carries back: the registry slot of its registration
/// and that registration's serial number. When a slot is reused (a socket
/// closed, a new one registered), the serial changes, so an event already
/// fetched for the old registration no longer matches and is dropped.
struct EventToken: Equatable, Hashable, Sendable {
    let slot: UInt32
    let serial: UInt32

    init(slot: UInt32, serial: UInt32) {
        self.slot = slot
        self.serial = serial
    }

    init(rawValue: UInt64) {
        slot = UInt32(truncatingIfNeeded: rawValue)
        serial = UInt32(truncatingIfNeeded: rawValue >> 32)
    }

    var rawValue: UInt64 { UInt64(serial) << 32 | UInt64(slot) }
}
