import Configuration
import EventLog
import Logging
import ProxyProtocol
import Synchronization

/// `[abuse]`: counts rejected logins per address (IPv6 per /64) and bans
/// an address that reaches `max_failed_logins` within `window`. New
/// connections from it are then refused at accept (see
/// `Connection.admitClientAddress`) until `ban_time` has passed.
///
/// Each ban is logged once, as `event=ban client=ADDRESS failures=N …`
/// with the same words in the message, so one fail2ban filter line matches
/// it in the stderr log and in the journal's `MESSAGE`
/// (config/fail2ban/filter.d/tlsfloor.conf).
///
/// Only `rejected` counts: a legacy-gate refusal says nothing about the
/// password, and an accepted login does not forgive earlier failures (a
/// guesser that knows one account must not reset its count with it).
final class FailedLoginBans: LoginAttemptObserver {
    private let clients: ClientTable
    private let logger: Logger
    private let abuse: Mutex<AbuseSettings>

    init(clients: ClientTable, logger: Logger, abuse: AbuseSettings) {
        self.clients = clients
        self.logger = logger
        self.abuse = Mutex(abuse)
    }

    /// A reload's settings, for failures from now on.
    func update(_ settings: AbuseSettings) {
        abuse.withLock { $0 = settings }
    }

    func loginAttempted(_ attempt: LoginAttempt) {
        guard attempt.result == .rejected else { return }
        let abuse = abuse.withLock { $0 }
        guard abuse.isEnabled, let address = ProxyIPAddress(attempt.clientAddress),
              !abuse.exemptNetworks.contains(where: { $0.contains(address.bytes) }),
              let key = ClientKey(addressBytes: address.bytes),
              let ban = clients.recordFailedLogin(key, now: MonotonicClock.milliseconds(), abuse: abuse) else { return }
        let seconds = abuse.banTime.milliseconds / 1000
        logger.warning("ban client=\(attempt.clientAddress) failures=\(ban.failures) ban_time=\(seconds)s", metadata: [
            "event": "ban", "client": .string(attempt.clientAddress), "network": .string(key.description),
            "failures": .stringConvertible(ban.failures), "ban_time": .string("\(seconds)s"),
            "listener": .string(attempt.listener),
        ])
    }
}
