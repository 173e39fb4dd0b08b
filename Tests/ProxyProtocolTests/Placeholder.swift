import Testing
@testable import ProxyProtocol

@Test func moduleLinks() { #expect(Bool(true)) }
