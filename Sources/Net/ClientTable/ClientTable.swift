import Configuration
import Synchronization

/// The daemon's one count per client address, shared by all workers.
///
/// Why shared and not per worker: `SO_REUSEPORT` spreads one client's
/// connections over the workers by their source ports, so per-worker counts
/// would multiply every limit by the number of workers. Why sharded: the
/// accept path takes a lock for one dictionary lookup; with the addresses
/// spread by hash over `shardCount` independent locks, two workers wait for
/// each other only when two clients in the same shard arrive at the same
/// instant — never for a global lock, and never on each other's whole table.
final class ClientTable: Sendable {
    private final class Shard: Sendable {
        let ledger: Mutex<ClientLedger>
        init(capacity: Int) { ledger = Mutex(ClientLedger(capacity: capacity)) }
    }

    static let shardCount = 16
    /// Addresses tracked at once (65,536 in all), about 100 bytes each.
    static let addressesPerShard = 4_096

    private let shards: [Shard]

    init(addressesPerShard: Int = ClientTable.addressesPerShard) {
        shards = (0..<Self.shardCount).map { _ in Shard(capacity: addressesPerShard) }
    }

    func admit(_ key: ClientKey, now: UInt64, limits: ClientLimitSettings, bans: Bool) -> ClientAdmission {
        shard(key).ledger.withLock { $0.admit(key, now: now, limits: limits, bans: bans) }
    }

    func release(_ key: ClientKey) {
        shard(key).ledger.withLock { $0.release(key) }
    }

    func recordFailedLogin(_ key: ClientKey, now: UInt64, abuse: AbuseSettings) -> ClientBan? {
        shard(key).ledger.withLock { $0.recordFailedLogin(key, now: now, abuse: abuse) }
    }

    private func shard(_ key: ClientKey) -> Shard {
        shards[Int(UInt(bitPattern: key.hashValue) % UInt(Self.shardCount))]
    }
}
