import Configuration

/// Why an address may not start another session now.
enum ClientAdmission: Equatable, Sendable {
    /// Come in; `tracked` says whether the connection was counted (and must be released).
    case admitted(tracked: Bool)
    /// `max_connections_per_ip` open already.
    case tooManyOpen(limit: Int)
    /// `max_handshakes_per_ip_per_minute` used up.
    case tooFast(limit: Int)
    /// Banned after failed logins, for `remainingMilliseconds` more.
    case banned(remainingMilliseconds: UInt64)
}

/// A ban that a failed login has just started.
struct ClientBan: Equatable, Sendable {
    var failures: Int
    var untilMilliseconds: UInt64
}

/// What one share of the daemon knows about client addresses: open
/// connections, a handshake token bucket, recent failed logins and a ban
/// per address. A value with no lock and no clock: `ClientTable` holds
/// several behind locks and passes the time in, tests drive it directly.
///
/// Memory is bounded: an entry is dropped once it says nothing any more (no
/// open connection, a full bucket, no failure inside the window, no ban),
/// at a sweep at most once a second; and at `capacity` a new address is
/// let in uncounted rather than evicting one that is still being limited.
struct ClientLedger {
    struct Entry {
        var open = 0
        /// The handshake bucket, in integer units so refills add up exactly:
        /// each millisecond adds the per-minute limit, a handshake costs a
        /// minute's milliseconds, and it holds at most a minute's worth (a
        /// new entry starts full, whatever the limit).
        var credit = UInt64.max
        var refilledAt: UInt64
        /// Times of failed logins within the window, oldest first.
        var failures: [UInt64] = []
        var bannedUntil: UInt64 = 0
        /// When the last of its state runs out (bucket full again, failures
        /// out of the window, ban over); with no open connection the entry
        /// can go from then on.
        var keepUntil: UInt64
    }

    let capacity: Int
    private(set) var entries: [ClientKey: Entry] = [:]
    private var sweptAt: UInt64 = 0

    /// Bucket refills in a minute; an entry idle that long has a full bucket again.
    static let rateWindowMilliseconds: UInt64 = 60_000
    static let sweepIntervalMilliseconds: UInt64 = 1_000

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// A new connection from `key`: refused while banned (when `bans` are
    /// honoured: banning may have been turned off, or the address exempted,
    /// by a reload), at the open limit or out of handshakes; otherwise
    /// counted (when a limit is on).
    mutating func admit(_ key: ClientKey, now: UInt64, limits: ClientLimitSettings, bans: Bool) -> ClientAdmission {
        sweepIfDue(now: now)
        if bans, let bannedUntil = entries[key]?.bannedUntil, bannedUntil > now {
            return .banned(remainingMilliseconds: bannedUntil - now)
        }
        guard limits.isEnabled else { return .admitted(tracked: false) }
        guard var entry = entries[key] ?? newEntry(now: now) else { return .admitted(tracked: false) }
        if limits.maxConnectionsPerIP > 0, entry.open >= limits.maxConnectionsPerIP {
            return .tooManyOpen(limit: limits.maxConnectionsPerIP)
        }
        if limits.maxHandshakesPerIPPerMinute > 0 {
            Self.refill(&entry, now: now, perMinute: limits.maxHandshakesPerIPPerMinute)
            guard entry.credit >= Self.rateWindowMilliseconds else {
                entries[key] = entry
                return .tooFast(limit: limits.maxHandshakesPerIPPerMinute)
            }
            entry.credit -= Self.rateWindowMilliseconds
            entry.keepUntil = max(entry.keepUntil, now + Self.rateWindowMilliseconds)
        }
        entry.open += 1
        entries[key] = entry
        return .admitted(tracked: true)
    }

    /// A connection admitted with `tracked: true` has ended.
    mutating func release(_ key: ClientKey) {
        guard var entry = entries[key], entry.open > 0 else { return }
        entry.open -= 1
        entries[key] = entry
    }

    /// A failed login from `key`. Returns the ban it starts when it is the
    /// `max_failed_logins`th inside the window; a banned address's further
    /// failures (on sessions open before the ban) do not extend the ban.
    mutating func recordFailedLogin(_ key: ClientKey, now: UInt64, abuse: AbuseSettings) -> ClientBan? {
        guard abuse.isEnabled else { return nil }
        sweepIfDue(now: now)
        guard var entry = entries[key] ?? newEntry(now: now) else { return nil }
        guard entry.bannedUntil <= now else { return nil }
        let window = UInt64(abuse.window.milliseconds)
        entry.failures.removeAll { $0 + window <= now }
        entry.failures.append(now)
        entry.keepUntil = max(entry.keepUntil, now + window)
        var ban: ClientBan?
        if entry.failures.count >= abuse.maxFailedLogins {
            entry.bannedUntil = now + UInt64(abuse.banTime.milliseconds)
            entry.keepUntil = max(entry.keepUntil, entry.bannedUntil)
            ban = ClientBan(failures: entry.failures.count, untilMilliseconds: entry.bannedUntil)
            entry.failures.removeAll()
        }
        entries[key] = entry
        return ban
    }

    /// A fresh entry, or nil when the ledger is full even after a sweep.
    private mutating func newEntry(now: UInt64) -> Entry? {
        if entries.count >= capacity {
            sweep(now: now)
            guard entries.count < capacity else { return nil }
        }
        return Entry(refilledAt: now, keepUntil: now)
    }

    private static func refill(_ entry: inout Entry, now: UInt64, perMinute: Int) {
        let rate = UInt64(perMinute)
        let full = rate * rateWindowMilliseconds
        let added = (now - min(now, entry.refilledAt)).multipliedReportingOverflow(by: rate)
        let sum = entry.credit.addingReportingOverflow(added.partialValue)
        entry.credit = added.overflow || sum.overflow ? full : min(full, sum.partialValue)
        entry.refilledAt = now
    }

    private mutating func sweepIfDue(now: UInt64) {
        guard now >= sweptAt + Self.sweepIntervalMilliseconds else { return }
        sweep(now: now)
    }

    /// Drops entries that no longer limit anything.
    private mutating func sweep(now: UInt64) {
        sweptAt = now
        entries = entries.filter { _, entry in entry.open > 0 || entry.keepUntil > now }
    }
}
