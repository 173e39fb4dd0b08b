import Logging
import Synchronization
import Testing
@testable import Net

/// SIGTERM with no connection open must not exit under a client that a
/// worker accepts before it has run its stop.
@Suite struct DrainTests {
    final class Fired: Sendable {
        let count = Atomic<Int>(0)
        var value: Int { count.load(ordering: .relaxed) }
    }

    static func state(_ fired: Fired) -> ServerState {
        ServerState(logger: Logger(label: "test"), maxConnections: 10) { fired.count.add(1, ordering: .relaxed) }
    }

    @Test func aClientAcceptedBeforeItsWorkerStoppedHoldsTheDrain() {
        let fired = Fired()
        let state = Self.state(fired)
        state.beginDraining(acceptingWorkers: 2)
        #expect(fired.value == 0, "drained while workers could still accept")
        #expect(state.tryAcquire())  // worker 0 accepts just before running its stop
        state.workerStoppedAccepting()
        state.workerStoppedAccepting()
        #expect(fired.value == 0, "drained with a connection open")
        state.connectionEnded()
        #expect(fired.value == 1)
    }

    @Test func idleDrainEndsWhenTheLastWorkerStops() {
        let fired = Fired()
        let state = Self.state(fired)
        state.beginDraining(acceptingWorkers: 2)
        state.workerStoppedAccepting()
        #expect(fired.value == 0)
        state.workerStoppedAccepting()
        #expect(fired.value == 1)
    }

    @Test func connectionsEndingBeforeTheDrainDoNotEndIt() {
        let fired = Fired()
        let state = Self.state(fired)
        #expect(state.tryAcquire())
        state.connectionEnded()
        #expect(fired.value == 0)
    }
}
