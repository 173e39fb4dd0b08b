#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Systemd

/// Each test plays the service manager: it binds a datagram socket, names it in `NOTIFY_SOCKET`
/// and reads what the notifier sends. Serialized because the environment is process-wide.
@Suite(.serialized)
struct ServiceNotifierTests {
    private static func withNotifySocket(_ body: (ServiceNotifier, Int32) throws -> Void) rethrows {
        let path = "/tmp/tlsfloor-notify-\(getpid()).sock"
        let receiver = TestSockets.datagramReceiver(path: path)
        setenv("NOTIFY_SOCKET", path, 1)
        defer {
            unsetenv("NOTIFY_SOCKET")
            close(receiver)
            unlink(path)
        }
        try body(ServiceNotifier(), receiver)
    }

    @Test func readySendsReadyAndStatus() throws {
        try Self.withNotifySocket { notifier, receiver in
            try notifier.ready(status: "Serving 3 listeners")
            #expect(TestSockets.receive(receiver) == "READY=1\nSTATUS=Serving 3 listeners")
        }
    }

    @Test func readyWithoutStatusSendsOnlyReady() throws {
        try Self.withNotifySocket { notifier, receiver in
            try notifier.ready()
            #expect(TestSockets.receive(receiver) == "READY=1")
        }
    }

    @Test func reloadingCarriesTheMonotonicTimeOfTheRequest() throws {
        try Self.withNotifySocket { notifier, receiver in
            let before = ServiceNotifier.monotonicMicroseconds()
            try notifier.reloading()
            let after = ServiceNotifier.monotonicMicroseconds()

            let lines = try #require(TestSockets.receive(receiver)).split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines.first == "RELOADING=1")
            let stamp = try #require(lines.last?.split(separator: "=", maxSplits: 1))
            #expect(stamp.first == "MONOTONIC_USEC")
            let microseconds = try #require(stamp.last.flatMap { UInt64($0) })
            #expect((before...after).contains(microseconds))
        }
    }

    @Test func stoppingWatchdogAndStatus() throws {
        try Self.withNotifySocket { notifier, receiver in
            try notifier.stopping()
            #expect(TestSockets.receive(receiver) == "STOPPING=1")
            try notifier.watchdogPing()
            #expect(TestSockets.receive(receiver) == "WATCHDOG=1")
            try notifier.status("Draining 12 connections")
            #expect(TestSockets.receive(receiver) == "STATUS=Draining 12 connections")
        }
    }

    @Test func statusCannotInjectAnotherAssignment() throws {
        try Self.withNotifySocket { notifier, receiver in
            try notifier.status("bad config\nREADY=1")
            #expect(TestSockets.receive(receiver) == "STATUS=bad config READY=1")
        }
    }

    @Test func withoutNotifySocketNothingIsSentAndNothingFails() throws {
        unsetenv("NOTIFY_SOCKET")
        let notifier = ServiceNotifier()
        #expect(!notifier.isEnabled)
        try notifier.ready(status: "x")
        try notifier.watchdogPing()
        #expect(notifier.watchdogInterval == nil)
    }

    @Test func anUnreachableNotifySocketIsReported() {
        setenv("NOTIFY_SOCKET", "/tmp/tlsfloor-no-such-notify-socket-\(getpid())", 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        #expect(throws: SystemdError.self) { try ServiceNotifier().ready() }
    }

    @Test func watchdogIntervalComesFromWatchdogUsecForThisProcess() {
        Self.withNotifySocket { notifier, _ in
            setenv("WATCHDOG_USEC", "30000000", 1)
            setenv("WATCHDOG_PID", "\(getpid())", 1)
            defer {
                unsetenv("WATCHDOG_USEC")
                unsetenv("WATCHDOG_PID")
            }
            #expect(notifier.watchdogInterval == .seconds(30))

            setenv("WATCHDOG_PID", "\(getpid() + 1)", 1)
            #expect(notifier.watchdogInterval == nil, "the watchdog belongs to another process")

            unsetenv("WATCHDOG_USEC")
            #expect(notifier.watchdogInterval == nil, "WatchdogSec= is off")
        }
    }
}
