#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import Systemd

/// Each test plays the service manager: it binds a datagram socket, names it in `NOTIFY_SOCKET`
/// and reads what the notifier sends.
///
/// XCTest, not swift-testing, on purpose: libsystemd reads `NOTIFY_SOCKET` and `WATCHDOG_*` from
/// the process environment, so the tests must change it, and swift-testing runs its tests in
/// parallel while reading the environment itself — a `setenv` that moves `environ` under that
/// read crashed the runner (SIGSEGV in `strlen`). XCTest runs these one at a time, in its own
/// pass before the swift-testing one.
final class ServiceNotifierTests: XCTestCase {
    private func withNotifySocket(_ body: (ServiceNotifier, Int32) throws -> Void) rethrows {
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

    func testReadySendsReadyAndStatus() throws {
        try withNotifySocket { notifier, receiver in
            try notifier.ready(status: "Serving 3 listeners")
            XCTAssertEqual(TestSockets.receive(receiver), "READY=1\nSTATUS=Serving 3 listeners")
        }
    }

    func testReadyWithoutStatusSendsOnlyReady() throws {
        try withNotifySocket { notifier, receiver in
            try notifier.ready()
            XCTAssertEqual(TestSockets.receive(receiver), "READY=1")
        }
    }

    func testReloadingCarriesTheMonotonicTimeOfTheRequest() throws {
        try withNotifySocket { notifier, receiver in
            let before = ServiceNotifier.monotonicMicroseconds()
            try notifier.reloading()
            let after = ServiceNotifier.monotonicMicroseconds()

            let lines = try XCTUnwrap(TestSockets.receive(receiver)).split(separator: "\n")
            XCTAssertEqual(lines.count, 2)
            XCTAssertEqual(lines.first, "RELOADING=1")
            let stamp = try XCTUnwrap(lines.last?.split(separator: "=", maxSplits: 1))
            XCTAssertEqual(stamp.first, "MONOTONIC_USEC")
            let microseconds = try XCTUnwrap(stamp.last.flatMap { UInt64($0) })
            XCTAssertTrue((before...after).contains(microseconds))
        }
    }

    func testStoppingWatchdogAndStatus() throws {
        try withNotifySocket { notifier, receiver in
            try notifier.stopping()
            XCTAssertEqual(TestSockets.receive(receiver), "STOPPING=1")
            try notifier.watchdogPing()
            XCTAssertEqual(TestSockets.receive(receiver), "WATCHDOG=1")
            try notifier.status("Draining 12 connections")
            XCTAssertEqual(TestSockets.receive(receiver), "STATUS=Draining 12 connections")
        }
    }

    func testStatusCannotInjectAnotherAssignment() throws {
        try withNotifySocket { notifier, receiver in
            try notifier.status("bad config\nREADY=1")
            XCTAssertEqual(TestSockets.receive(receiver), "STATUS=bad config READY=1")
        }
    }

    func testWithoutNotifySocketNothingIsSentAndNothingFails() throws {
        unsetenv("NOTIFY_SOCKET")
        let notifier = ServiceNotifier()
        XCTAssertFalse(notifier.isEnabled)
        try notifier.ready(status: "x")
        try notifier.watchdogPing()
        XCTAssertNil(notifier.watchdogInterval)
    }

    func testAnUnreachableNotifySocketIsReported() {
        setenv("NOTIFY_SOCKET", "/tmp/tlsfloor-no-such-notify-socket-\(getpid())", 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        XCTAssertThrowsError(try ServiceNotifier().ready()) { XCTAssertTrue($0 is SystemdError) }
    }

    func testWatchdogIntervalComesFromWatchdogUsecForThisProcess() {
        withNotifySocket { notifier, _ in
            setenv("WATCHDOG_USEC", "30000000", 1)
            setenv("WATCHDOG_PID", "\(getpid())", 1)
            defer {
                unsetenv("WATCHDOG_USEC")
                unsetenv("WATCHDOG_PID")
            }
            XCTAssertEqual(notifier.watchdogInterval, .seconds(30))

            setenv("WATCHDOG_PID", "\(getpid() + 1)", 1)
            XCTAssertNil(notifier.watchdogInterval, "the watchdog belongs to another process")

            unsetenv("WATCHDOG_USEC")
            XCTAssertNil(notifier.watchdogInterval, "WatchdogSec= is off")
        }
    }
}
