#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Systemd

@Suite struct InheritedSocketsTests {
    /// Socket activation needs the sockets at fd 3, 4, 5…, which the test runner may be using:
    /// the check runs in a child process of its own (an exit test) that can rearrange its descriptors.
    @Test func takesSocketsPassedBySystemdByListenerName() async {
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            if let failure = InheritedSocketsTests.activateAndTake() {
                let line = Array((failure + "\n").utf8)
                _ = write(STDERR_FILENO, line, line.count)
                exit(EXIT_FAILURE)
            }
        }
        if let result, result.exitStatus != .exitCode(EXIT_SUCCESS) {
            Issue.record("child: \(String(decoding: result.standardErrorContent, as: UTF8.self))")
        }
    }

    /// Plays systemd: puts three listening sockets at fd 3–5 named imaps, imaps, submission,
    /// takes them, and returns what went wrong (nil when everything matched).
    static func activateAndTake() -> String? {
        let sockets = [TestSockets.tcp(), TestSockets.tcp(), TestSockets.tcp()]
        // The test runtime's own descriptors (its event stream among them) go back in place afterwards.
        let displaced = (Int32(3)...5).map(DisplacedDescriptor.init)
        defer { displaced.forEach { $0.restore() } }
        for (offset, socket) in sockets.enumerated() {
            guard dup2(socket, 3 + Int32(offset)) == 3 + Int32(offset) else { return "dup2: \(errno)" }
        }
        setenv("LISTEN_PID", "\(getpid())", 1)
        setenv("LISTEN_FDS", "3", 1)
        setenv("LISTEN_FDNAMES", "imaps:imaps:submission", 1)

        let inherited: InheritedSockets
        do { inherited = try InheritedSockets.take() } catch { return "take: \(error)" }

        if inherited.descriptorsByName != ["imaps": [3, 4], "submission": [5]] {
            return "descriptors: \(inherited.descriptorsByName)"
        }
        if inherited.descriptors(named: "imaps") != [3, 4] || !inherited.descriptors(named: "pop3s").isEmpty {
            return "lookup by name"
        }
        if inherited.names(notIn: ["imaps", "pop3s"]) != ["submission"] {
            return "unclaimed names: \(inherited.names(notIn: ["imaps", "pop3s"]))"
        }
        if !(3...5).allSatisfy(InheritedSockets.isListeningStreamSocket) {
            return "fd 3–5 should be listening stream sockets"
        }
        if !(3...5).allSatisfy({ fcntl($0, F_GETFD) & FD_CLOEXEC != 0 }) {
            return "inherited descriptors must be close-on-exec"
        }
        for variable in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] where getenv(variable) != nil {
            return "\(variable) must be cleared so children do not take the sockets again"
        }
        return nil
    }

    /// A descriptor moved aside so a test can put something else at its number for a moment.
    struct DisplacedDescriptor {
        let number: Int32
        let saved: (copy: Int32, flags: Int32)?

        init(_ number: Int32) {
            self.number = number
            let flags = fcntl(number, F_GETFD)
            saved = flags < 0 ? nil : (fcntl(number, F_DUPFD_CLOEXEC, 100), flags)
        }

        func restore() {
            guard let saved else {
                close(number)
                return
            }
            dup2(saved.copy, number)
            _ = fcntl(number, F_SETFD, saved.flags)
            close(saved.copy)
        }
    }

    /// In a child process too: it sets the environment, which the parallel test runner reads.
    @Test func socketsMeantForAnotherProcessAreNotTaken() async {
        await #expect(processExitsWith: .success) {
            setenv("LISTEN_PID", "\(getpid() + 1)", 1)
            setenv("LISTEN_FDS", "1", 1)
            setenv("LISTEN_FDNAMES", "imaps", 1)
            let inherited = try? InheritedSockets.take()
            exit(inherited?.isEmpty == true ? EXIT_SUCCESS : EXIT_FAILURE)
        }
    }

    @Test func onlyListeningStreamSocketsQualify() {
        let listening = TestSockets.tcp()
        let unlistened = TestSockets.tcp(listen: false)
        let datagram = TestSockets.udp()
        var pipeEnds: [Int32] = [0, 0]
        pipe(&pipeEnds)
        defer { ([listening, unlistened, datagram] + pipeEnds).forEach { close($0) } }

        #expect(InheritedSockets.isListeningStreamSocket(listening))
        #expect(!InheritedSockets.isListeningStreamSocket(unlistened))
        #expect(!InheritedSockets.isListeningStreamSocket(datagram))
        #expect(!InheritedSockets.isListeningStreamSocket(pipeEnds[0]))
        #expect(!InheritedSockets.isListeningStreamSocket(-1))
    }
}
