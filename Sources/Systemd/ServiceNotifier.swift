import CSystemd
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells the service manager about the daemon's lifecycle (`sd_notify(3)`).
///
/// Outside systemd (`NOTIFY_SOCKET` unset) every call returns at once without building a message,
/// so the daemon can call it unconditionally.
public struct ServiceNotifier: Sendable {
    /// Whether a service manager listens (`NOTIFY_SOCKET` was set when this notifier was made).
    public let isEnabled: Bool

    /// Reads `NOTIFY_SOCKET` once; create the notifier after the environment is final.
    public init() {
        isEnabled = getenv("NOTIFY_SOCKET") != nil
    }

    /// Start-up finished: listeners are bound. Sends `READY=1` and, when given, `STATUS=`.
    public func ready(status: String? = nil) throws(SystemdError) {
        try send(["READY=1"] + Self.statusLine(status))
    }

    /// A configuration reload begins; follow it with `ready(status:)` when the new configuration is live.
    ///
    /// `MONOTONIC_USEC` lets systemd ≥ 253 (`Type=notify-reload`) match the reload to its request;
    /// older managers and `Type=notify` ignore the extra field.
    public func reloading() throws(SystemdError) {
        try send(["RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())"])
    }

    /// Shutdown begins (sent before the drain so `systemctl status` shows it).
    public func stopping() throws(SystemdError) {
        try send(["STOPPING=1"])
    }

    /// A free-form one-line status shown by `systemctl status`.
    public func status(_ text: String) throws(SystemdError) {
        try send(Self.statusLine(text))
    }

    /// Keep-alive for `WatchdogSec=`; send it every `watchdogInterval / 2`.
    public func watchdogPing() throws(SystemdError) {
        try send(["WATCHDOG=1"])
    }

    /// The watchdog timeout systemd expects pings within, or nil when `WatchdogSec=` is off
    /// (or the watchdog is meant for another process).
    public var watchdogInterval: Duration? {
        guard isEnabled else { return nil }
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(clamping: microseconds))
    }

    private func send(_ assignments: [String]) throws(SystemdError) {
        guard isEnabled, !assignments.isEmpty else { return }
        try SystemdError.check(sd_notify(0, assignments.joined(separator: "\n")), "sd_notify")
    }

    /// The protocol is line based: a newline in the status would start a new assignment.
    private static func statusLine(_ text: String?) -> [String] {
        guard let text else { return [] }
        let oneLine = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return ["STATUS=\(oneLine)"]
    }

    /// `CLOCK_MONOTONIC` in microseconds, the clock systemd uses for `MONOTONIC_USEC`.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
