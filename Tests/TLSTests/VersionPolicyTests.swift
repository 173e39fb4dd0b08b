import Configuration
import Foundation
import Testing
@testable import TLS

struct VersionPolicyTests {
    private let cutOff = Date(timeIntervalSince1970: 1_696_032_000)  // 2023-09-30T00:00:00Z

    private func policy(_ action: LegacyPolicySettings.Action, floor: TLSFloor = .tls12, enforceAfter: Date? = nil)
        -> VersionPolicy {
        var legacy = LegacyPolicySettings()
        legacy.action = action
        legacy.enforceAfter = enforceAfter
        legacy.message = "Please update your mail program."
        return VersionPolicy(floor: floor, legacy: legacy)
    }

    @Test(arguments: [LegacyPolicySettings.Action.reject, .explain, .allow])
    func clientsAtOrAboveTheFloorAreAlwaysAccepted(action: LegacyPolicySettings.Action) {
        let policy = policy(action)
        #expect(policy.decide(offered: TLSProtocolVersion.tlsv1_2.rawValue, now: cutOff) == .accept)
        #expect(policy.decide(offered: TLSProtocolVersion.tlsv1_3.rawValue, now: cutOff) == .accept)
    }

    @Test func eachActionAppliesBelowTheFloor() {
        let tls10 = TLSProtocolVersion.tlsv1_0.rawValue
        #expect(policy(.reject).decide(offered: tls10, now: cutOff) == .reject)
        #expect(policy(.explain).decide(offered: tls10, now: cutOff) == .explain(message: "Please update your mail program."))
        #expect(policy(.allow).decide(offered: tls10, now: cutOff) == .allowLegacy)
    }

    @Test func aFloorOfTLS13MakesTLS12Legacy() {
        let strict = policy(.explain, floor: .tls13)
        #expect(strict.decide(offered: TLSProtocolVersion.tlsv1_2.rawValue, now: cutOff) == .explain(message: "Please update your mail program."))
        #expect(strict.decide(offered: TLSProtocolVersion.tlsv1_3.rawValue, now: cutOff) == .accept)
    }

    @Test func enforceAfterAllowsLegacyClientsUntilTheCutOff() {
        let policy = policy(.explain, enforceAfter: cutOff)
        let tls11 = TLSProtocolVersion.tlsv1_1.rawValue
        #expect(policy.decide(offered: tls11, now: cutOff.addingTimeInterval(-1)) == .allowLegacy)
        #expect(policy.decide(offered: tls11, now: cutOff) == .explain(message: "Please update your mail program."))
        #expect(policy.decide(offered: tls11, now: cutOff.addingTimeInterval(86_400)) == .explain(message: "Please update your mail program."))
    }

    @Test func sslv3AndOlderAreNeverLetIn() {
        // OpenSSL cannot negotiate SSLv3 at all, so "explain" has nothing to explain with.
        for action in [LegacyPolicySettings.Action.explain, .allow] {
            #expect(policy(action).decide(offered: TLSProtocolVersion.sslv3.rawValue, now: cutOff) == .reject)
        }
    }
}
