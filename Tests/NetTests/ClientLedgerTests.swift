import Configuration
import Testing
@testable import Net

@Suite struct ClientLedgerTests {
    private let home = ClientKey(addressBytes: [192, 0, 2, 7])!
    private let neighbour = ClientKey(addressBytes: [192, 0, 2, 8])!

    private func limits(open: Int = 0, perMinute: Int = 0) -> ClientLimitSettings {
        var limits = ClientLimitSettings()
        limits.maxConnectionsPerIP = open
        limits.maxHandshakesPerIPPerMinute = perMinute
        return limits
    }

    private func abuse(failures: Int, window: Duration = .seconds(60), banTime: Duration = .seconds(300)) -> AbuseSettings {
        var abuse = AbuseSettings()
        abuse.maxFailedLogins = failures
        abuse.window = window
        abuse.banTime = banTime
        return abuse
    }

    // MARK: Open connections

    @Test func refusesTheConnectionOverTheOpenLimitAndAdmitsAgainAfterARelease() {
        var ledger = ClientLedger(capacity: 100)
        let limits = limits(open: 2)
        #expect(ledger.admit(home, now: 0, limits: limits, bans: true) == .admitted(tracked: true))
        #expect(ledger.admit(home, now: 1, limits: limits, bans: true) == .admitted(tracked: true))
        #expect(ledger.admit(home, now: 2, limits: limits, bans: true) == .tooManyOpen(limit: 2))
        #expect(ledger.admit(neighbour, now: 3, limits: limits, bans: true) == .admitted(tracked: true))
        ledger.release(home)
        #expect(ledger.admit(home, now: 4, limits: limits, bans: true) == .admitted(tracked: true))
    }

    @Test func withNoLimitNothingIsCountedOrStored() {
        var ledger = ClientLedger(capacity: 100)
        for now in 0..<50 as Range<UInt64> {
            #expect(ledger.admit(home, now: now, limits: limits(), bans: true) == .admitted(tracked: false))
        }
        #expect(ledger.entries.isEmpty)
    }

    @Test func anOpenConnectionKeepsItsEntryAndAClosedOneLetsItGo() {
        var ledger = ClientLedger(capacity: 100)
        _ = ledger.admit(home, now: 0, limits: limits(open: 1), bans: true)
        _ = ledger.admit(neighbour, now: 0, limits: limits(open: 1), bans: true)
        ledger.release(neighbour)
        // The sweep runs at most once a second, on the next call after that.
        _ = ledger.admit(ClientKey(addressBytes: [198, 51, 100, 1])!, now: 10_000, limits: limits(), bans: true)
        #expect(ledger.entries.keys.sorted { "\($0)" < "\($1)" } == [home])
    }

    // MARK: Handshake rate

    @Test func aBurstUpToTheRateThenOneMorePerRefill() {
        var ledger = ClientLedger(capacity: 100)
        let limits = limits(perMinute: 6)
        for now in 0..<6 as Range<UInt64> {
            #expect(ledger.admit(home, now: now, limits: limits, bans: true) == .admitted(tracked: true))
            ledger.release(home)
        }
        #expect(ledger.admit(home, now: 6, limits: limits, bans: true) == .tooFast(limit: 6))
        #expect(ledger.admit(neighbour, now: 6, limits: limits, bans: true) == .admitted(tracked: true))
        // 6 a minute: one handshake back every 10 s.
        #expect(ledger.admit(home, now: 9_000, limits: limits, bans: true) == .tooFast(limit: 6))
        #expect(ledger.admit(home, now: 10_006, limits: limits, bans: true) == .admitted(tracked: true))
        #expect(ledger.admit(home, now: 10_007, limits: limits, bans: true) == .tooFast(limit: 6))
    }

    @Test func refusedConnectionsDoNotUseUpTheRate() {
        var ledger = ClientLedger(capacity: 100)
        let limits = limits(perMinute: 2)
        _ = ledger.admit(home, now: 0, limits: limits, bans: true)
        _ = ledger.admit(home, now: 0, limits: limits, bans: true)
        for now in stride(from: 1 as UInt64, to: 29_000, by: 1_000) {
            #expect(ledger.admit(home, now: now, limits: limits, bans: true) == .tooFast(limit: 2))
        }
        #expect(ledger.admit(home, now: 30_000, limits: limits, bans: true) == .admitted(tracked: true))
    }

    @Test func anIdleAddressIsForgottenAfterAMinute() {
        var ledger = ClientLedger(capacity: 100)
        let limits = limits(perMinute: 1)
        _ = ledger.admit(home, now: 0, limits: limits, bans: true)
        ledger.release(home)
        _ = ledger.admit(neighbour, now: 59_999, limits: limits, bans: true)
        #expect(ledger.entries[home] != nil)
        _ = ledger.admit(neighbour, now: 61_000, limits: limits, bans: true)
        #expect(ledger.entries[home] == nil)
    }

    // MARK: Failed logins and bans

    @Test func theNthFailureInsideTheWindowStartsABan() {
        var ledger = ClientLedger(capacity: 100)
        let abuse = abuse(failures: 3, window: .seconds(60), banTime: .seconds(300))
        #expect(ledger.recordFailedLogin(home, now: 0, abuse: abuse) == nil)
        #expect(ledger.recordFailedLogin(home, now: 30_000, abuse: abuse) == nil)
        #expect(ledger.recordFailedLogin(home, now: 40_000, abuse: abuse) == ClientBan(failures: 3, untilMilliseconds: 340_000))
        #expect(ledger.admit(home, now: 40_001, limits: limits(), bans: true) == .banned(remainingMilliseconds: 299_999))
        #expect(ledger.admit(neighbour, now: 40_001, limits: limits(), bans: true) == .admitted(tracked: false))
        #expect(ledger.admit(home, now: 40_001, limits: limits(), bans: false) == .admitted(tracked: false))
        #expect(ledger.admit(home, now: 340_000, limits: limits(), bans: true) == .admitted(tracked: false))
    }

    @Test func failuresOlderThanTheWindowDoNotCount() {
        var ledger = ClientLedger(capacity: 100)
        let abuse = abuse(failures: 3, window: .seconds(60))
        #expect(ledger.recordFailedLogin(home, now: 0, abuse: abuse) == nil)
        #expect(ledger.recordFailedLogin(home, now: 30_000, abuse: abuse) == nil)
        #expect(ledger.recordFailedLogin(home, now: 61_000, abuse: abuse) == nil)
        #expect(ledger.recordFailedLogin(home, now: 62_000, abuse: abuse) == ClientBan(failures: 3, untilMilliseconds: 362_000))
    }

    @Test func failuresDuringABanNeitherExtendItNorCountTowardsTheNext() {
        var ledger = ClientLedger(capacity: 100)
        let abuse = abuse(failures: 2, window: .seconds(600), banTime: .seconds(60))
        _ = ledger.recordFailedLogin(home, now: 0, abuse: abuse)
        #expect(ledger.recordFailedLogin(home, now: 1, abuse: abuse) != nil)
        #expect(ledger.recordFailedLogin(home, now: 2, abuse: abuse) == nil)
        #expect(ledger.admit(home, now: 60_000, limits: limits(), bans: true) == .banned(remainingMilliseconds: 1))
        #expect(ledger.recordFailedLogin(home, now: 61_001, abuse: abuse) == nil)
        #expect(ledger.recordFailedLogin(home, now: 61_002, abuse: abuse) == ClientBan(failures: 2, untilMilliseconds: 121_002))
    }

    @Test func banningOffRecordsNothing() {
        var ledger = ClientLedger(capacity: 100)
        #expect(ledger.recordFailedLogin(home, now: 0, abuse: abuse(failures: 0)) == nil)
        #expect(ledger.entries.isEmpty)
    }

    @Test func aBanOutlivesTheSweepUntilItEnds() {
        var ledger = ClientLedger(capacity: 100)
        let abuse = abuse(failures: 1, window: .seconds(1), banTime: .seconds(120))
        _ = ledger.recordFailedLogin(home, now: 0, abuse: abuse)
        _ = ledger.admit(neighbour, now: 119_000, limits: limits(), bans: true)
        #expect(ledger.entries[home] != nil)
        _ = ledger.admit(neighbour, now: 121_000, limits: limits(), bans: true)
        #expect(ledger.entries[home] == nil)
    }

    // MARK: Memory bound

    @Test func aFullLedgerLetsNewAddressesInUncountedAndKeepsTheOnesItLimits() {
        var ledger = ClientLedger(capacity: 2)
        let limits = limits(open: 1)
        let third = ClientKey(addressBytes: [198, 51, 100, 1])!
        #expect(ledger.admit(home, now: 0, limits: limits, bans: true) == .admitted(tracked: true))
        #expect(ledger.admit(neighbour, now: 0, limits: limits, bans: true) == .admitted(tracked: true))
        #expect(ledger.admit(third, now: 5_000, limits: limits, bans: true) == .admitted(tracked: false))
        #expect(ledger.admit(home, now: 5_000, limits: limits, bans: true) == .tooManyOpen(limit: 1))
        ledger.release(neighbour)
        #expect(ledger.admit(third, now: 5_001, limits: limits, bans: true) == .admitted(tracked: true))
        #expect(ledger.entries.count == 2)
    }
}

@Suite struct ClientTableTests {
    @Test func workersShareOneCountPerAddress() async {
        let table = ClientTable()
        let limits = {
            var limits = ClientLimitSettings()
            limits.maxConnectionsPerIP = 50
            return limits
        }()
        let key = ClientKey(addressBytes: [192, 0, 2, 7])!
        let admitted = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<20).filter { _ in table.admit(key, now: 0, limits: limits, bans: true) == .admitted(tracked: true) }.count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(admitted == 50)
        table.release(key)
        #expect(table.admit(key, now: 0, limits: limits, bans: true) == .admitted(tracked: true))
    }
}
