import Testing
@testable import Mail

@Test func protocolNamesMatchConfigValues() {
    #expect(MailProtocol(rawValue: "imap") == .imap)
    #expect(MailProtocol(rawValue: "smtp") == .smtp)
}
