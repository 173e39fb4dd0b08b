import Testing
@testable import EventLog

@Test func moduleLinks() { #expect(Bool(true)) }
