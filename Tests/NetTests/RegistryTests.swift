import Testing
@testable import Net

@Suite struct RegistryTests {
    @Test func tokenFindsItsTarget() {
        var registry = Registry<String>()
        let first = registry.insert("client")
        let second = registry.insert("backend")
        #expect(registry[first] == "client")
        #expect(registry[second] == "backend")
        #expect(registry.count == 2)
    }

    @Test func reusedSlotRejectsTheOldToken() {
        var registry = Registry<String>()
        let old = registry.insert("closed socket")
        registry.remove(old)
        let new = registry.insert("new socket")
        #expect(new.slot == old.slot)
        #expect(registry[old] == nil)
        #expect(registry[new] == "new socket")
    }

    @Test func removingTwiceOrAStaleTokenChangesNothing() {
        var registry = Registry<String>()
        let old = registry.insert("a")
        registry.remove(old)
        let live = registry.insert("b")
        registry.remove(old)
        #expect(registry[live] == "b")
        #expect(registry.count == 1)
        #expect(registry.targets == ["b"])
    }

    @Test func tokenSurvivesTheRoundTripThroughEpollData() {
        let token = EventToken(slot: 0xDEAD_BEEF, serial: 0x0123_4567)
        #expect(EventToken(rawValue: token.rawValue) == token)
    }
}
