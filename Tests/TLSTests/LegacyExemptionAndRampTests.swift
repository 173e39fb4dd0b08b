import Configuration
import Foundation
import Testing
@testable import TLS

/// `exempt_networks` and the ramp: who is let in below the floor, and how
/// the refused share grows — per client stable for a day.
struct LegacyExemptionAndRampTests {
    private let tls10 = TLSProtocolVersion.tlsv1_0.rawValue
    private let rampStart = Date(timeIntervalSince1970: 1_700_000_000 - 1_700_000_000.truncatingRemainder(dividingBy: 86_400))
    private var rampEnd: Date { rampStart.addingTimeInterval(10 * 86_400) }

    private func policy(exempt: [String] = [], ramp: Bool = false, action: LegacyPolicySettings.Action = .explain) throws
        -> VersionPolicy {
        var legacy = LegacyPolicySettings()
        legacy.action = action
        legacy.message = "Update"
        legacy.exemptNetworks = try exempt.map { try IPNetwork($0) }
        if ramp { legacy.ramp = LegacyPolicySettings.Ramp(start: rampStart, end: rampEnd) }
        return VersionPolicy(floor: .tls12, legacy: legacy)
    }

    private func client(_ address: [UInt8], _ fingerprint: String = "t10i090500_c491f621fb4c_195413a0cc0f")
        -> VersionPolicy.Client {
        VersionPolicy.Client(address: address, fingerprint: fingerprint)
    }

    @Test func exemptNetworksAreLetInWhateverTheAction() throws {
        for action in [LegacyPolicySettings.Action.reject, .explain] {
            let policy = try policy(exempt: ["192.0.2.0/24", "2001:db8::/32"], action: action)
            #expect(policy.decide(offered: tls10, client: client([192, 0, 2, 99]), now: rampEnd) == .exempt)
            let v6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 7, count: 12)
            #expect(policy.decide(offered: tls10, client: client(v6), now: rampEnd) == .exempt)
            #expect(policy.decide(offered: tls10, client: client([198, 51, 100, 1]), now: rampEnd) != .exempt)
        }
    }

    @Test func anExemptionDoesNotReachAboveTheFloorOrBelowSSL3() throws {
        let policy = try policy(exempt: ["0.0.0.0/0"])
        #expect(policy.decide(offered: TLSProtocolVersion.tlsv1_3.rawValue, client: client([10, 0, 0, 1]), now: rampEnd) == .accept)
        #expect(policy.decide(offered: 0x0300, client: client([10, 0, 0, 1]), now: rampEnd) == .reject)
    }

    @Test func theRampRefusesAGrowingShareThenTheActionApplies() throws {
        let policy = try policy(ramp: true)
        let clients = (0..<2_000).map { client([10, 0, UInt8($0 / 256), UInt8($0 % 256)]) }
        func refusedShare(onDay day: Int) -> Double {
            let now = rampStart.addingTimeInterval(Double(day) * 86_400 + 3_600)
            let refused = clients.filter { policy.decide(offered: tls10, client: $0, now: now) == .ramped(message: "Update") }
            return Double(refused.count) / Double(clients.count)
        }
        #expect(refusedShare(onDay: -1) == 0)
        #expect(refusedShare(onDay: 0) == 0)
        #expect(abs(refusedShare(onDay: 3) - 0.3) < 0.05)
        #expect(abs(refusedShare(onDay: 8) - 0.8) < 0.05)
        #expect(policy.decide(offered: tls10, client: clients[0], now: rampEnd) == .explain(message: "Update"))
    }

    @Test func aClientsLotHoldsForTheWholeDay() throws {
        let policy = try policy(ramp: true)
        let day = rampStart.addingTimeInterval(5 * 86_400)
        for index in 0..<200 {
            let someone = client([172, 16, 0, UInt8(index)])
            let decisions = Set(stride(from: 0.0, to: 86_400, by: 3_600).map {
                "\(policy.decide(offered: tls10, client: someone, now: day.addingTimeInterval($0)))"
            })
            #expect(decisions.count == 1, "client \(index) flips within one day: \(decisions)")
        }
    }

    @Test func devicesBehindOneAddressDrawApart() throws {
        let address: [UInt8] = [203, 0, 113, 5]
        let draws = Set((0..<50).map { RampDraw(client: client(address, "ja4-\($0)"), day: rampStart).value })
        #expect(draws.count == 50)
    }
}

/// With `exempt_users`, a client the policy would refuse completes its
/// handshake and the login decides.
struct ExemptUsersPolicyTests {
    private let tls10 = TLSProtocolVersion.tlsv1_0.rawValue

    private func policy(_ action: LegacyPolicySettings.Action, users: [String]) -> VersionPolicy {
        var legacy = LegacyPolicySettings()
        legacy.action = action
        legacy.message = "Update"
        legacy.exemptUsers = users
        return VersionPolicy(floor: .tls12, legacy: legacy)
    }

    @Test func refusalsBecomeALoginGate() {
        #expect(policy(.reject, users: ["a"]).decide(offered: tls10, now: .now) == .loginGate(message: "Update", temporary: false))
        #expect(policy(.explain, users: ["a"]).decide(offered: tls10, now: .now) == .loginGate(message: "Update", temporary: false))
        #expect(policy(.allow, users: ["a"]).decide(offered: tls10, now: .now) == .allowLegacy)
        #expect(policy(.reject, users: []).decide(offered: tls10, now: .now) == .reject)
    }

    @Test func theRampsRefusalBecomesATemporaryGate() {
        var legacy = LegacyPolicySettings()
        legacy.exemptUsers = ["a"]
        legacy.message = "Update"
        // A ramp from year 1 to a minute from now refuses all but a 1e-9 share today.
        legacy.ramp = LegacyPolicySettings.Ramp(start: .distantPast, end: Date.now.addingTimeInterval(60))
        let decision = VersionPolicy(floor: .tls12, legacy: legacy).decide(offered: tls10, now: .now)
        #expect(decision == .loginGate(message: "Update", temporary: true))
    }
}
