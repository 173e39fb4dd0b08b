import Testing
@testable import Configuration

@Test func moduleLinks() { #expect(Bool(true)) }
