import Testing
@testable import TLS

@Test func moduleLinks() { #expect(Bool(true)) }
