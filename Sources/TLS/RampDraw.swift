import Foundation

/// A legacy client's lot for one day of the ramp: a number in [0, 1) from
/// its address, its fingerprint and the UTC date. The ramp refuses a client
/// whose number is below the day's share, so a user sees "works today / not
/// today" instead of a coin flip per connection; the share is fixed at the
/// day's start for the same reason. FNV-1a, not Swift's `Hasher`: that one
/// is seeded per process, and a restart must not reshuffle the clients.
struct RampDraw {
    let value: Double
    /// UTC midnight of the day drawn for.
    let dayStart: Date

    init(client: VersionPolicy.Client, day: Date) {
        let dayNumber = Int64((day.timeIntervalSince1970 / 86_400).rounded(.down))
        dayStart = Date(timeIntervalSince1970: Double(dayNumber) * 86_400)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01B3
            }
            // A separator, so ("ab", "c") and ("a", "bc") draw differently.
            hash ^= 0xFF
            hash &*= 0x0000_0100_0000_01B3
        }
        mix(client.address ?? [])
        mix((client.fingerprint ?? "").utf8)
        mix(withUnsafeBytes(of: dayNumber.littleEndian) { Array($0) })
        // FNV's low bits mix poorly; the top 53 become the fraction.
        value = Double(hash >> 11) / Double(1 << 53)
    }
}
