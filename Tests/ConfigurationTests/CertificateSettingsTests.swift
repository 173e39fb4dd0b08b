import Testing
@testable import Configuration

/// `[[tls.certificates]]`, OCSP files, ticket keys and a listener's
/// `default_certificate`: parsed into values, or refused with file, key and reason.
@Suite struct CertificateSettingsTests {
    static let entries = """
        [[tls.certificates]]
        certificate = "/etc/tlsfloor/mail-ecdsa.pem"
        private_key = "/etc/tlsfloor/mail-ecdsa.key"
        ocsp_response = "/etc/tlsfloor/mail-ecdsa.ocsp"

        [[tls.certificates]]
        names = ["Mail.Example.org", "*.example.net"]
        certificate = "/etc/tlsfloor/mail-rsa.pem"
        private_key = "/etc/tlsfloor/mail-rsa.key"

        """

    @Test func entriesKeepTheirOrderPathsAndKeyPaths() throws {
        let tls = try parse(minimalConfiguration + Self.entries).tls
        #expect(tls.certificates == [
            CertificateSettings(certificate: "/etc/tlsfloor/mail-ecdsa.pem", privateKey: "/etc/tlsfloor/mail-ecdsa.key",
                                ocspResponse: "/etc/tlsfloor/mail-ecdsa.ocsp", keyPath: "tls.certificates[1]"),
            CertificateSettings(certificate: "/etc/tlsfloor/mail-rsa.pem", privateKey: "/etc/tlsfloor/mail-rsa.key",
                                names: ["mail.example.org", "*.example.net"], keyPath: "tls.certificates[2]"),
        ])
    }

    @Test func withoutEntriesOnlyTheDefaultCertificateIsServed() throws {
        let tls = try parse(minimalConfiguration).tls
        #expect(tls.certificates.isEmpty)
        #expect(tls.ticketKeys == nil)
        #expect(tls.defaultCertificate == CertificateSettings(certificate: "/etc/tlsfloor/fullchain.pem",
                                                              privateKey: "/etc/tlsfloor/privkey.pem", keyPath: "tls"))
    }

    @Test func defaultCertificateCarriesItsOCSPResponse() throws {
        let text = minimalConfiguration.replacingOccurrences(
            of: "[tls]\n", with: "[tls]\nocsp_response = \"/etc/tlsfloor/ocsp.der\"\nticket_keys = \"/etc/tlsfloor/ticket.keys\"\n")
        let tls = try parse(text).tls
        #expect(tls.defaultCertificate.ocspResponse == "/etc/tlsfloor/ocsp.der")
        #expect(tls.ticketKeys == "/etc/tlsfloor/ticket.keys")
    }

    @Test func listenerNamesItsDefaultCertificate() throws {
        let configuration = try parse(minimalConfiguration + "default_certificate = \"SMTP.example.org\"\n")
        #expect(configuration.listeners[0].defaultCertificate == "smtp.example.org")
    }

    @Test(arguments: [
        ("[[tls.certificates]]\ncertificate = \"/a.pem\"\n", "tls.certificates[1].private_key", "required key is missing"),
        ("[[tls.certificates]]\nprivate_key = \"/a.key\"\n", "tls.certificates[1].certificate", "required key is missing"),
        ("[[tls.certificates]]\ncertificate = \"/a\"\nprivate_key = \"/b\"\nname = \"x.org\"\n", "tls.certificates[1].name",
         "unknown key"),
        ("[[tls.certificates]]\ncertificate = \"/a\"\nprivate_key = \"/b\"\nnames = []\n", "tls.certificates[1].names",
         "must name at least one host (or leave it out to use the certificate's own names)"),
        ("[[tls.certificates]]\ncertificate = \"/a\"\nprivate_key = \"/b\"\nnames = [\"mail example.org\"]\n",
         "tls.certificates[1].names", "\"mail example.org\" is not a host name or a wildcard such as \"*.example.org\""),
        ("[[tls.certificates]]\ncertificate = \"/a\"\nprivate_key = \"/b\"\nnames = [\"*.*.example.org\"]\n",
         "tls.certificates[1].names", "\"*.*.example.org\" is not a host name or a wildcard such as \"*.example.org\""),
        ("[[tls.certificates]]\ncertificate = \"/a\"\nprivate_key = \"/b\"\nnames = [\"192.0.2.1\"]\n",
         "tls.certificates[1].names", "\"192.0.2.1\" is not a host name or a wildcard such as \"*.example.org\""),
        ("[[tls.certificates]]\ncertificate = \"/a\"\nprivate_key = \"/b\"\nocsp_response = \"\"\n",
         "tls.certificates[1].ocsp_response", "must not be empty"),
    ])
    func badEntryIsNamedByPosition(entry: String, key: String, reason: String) {
        let error = rejection(minimalConfiguration + entry)
        #expect(error?.key == key)
        #expect(error?.reason == reason)
    }

    @Test func ticketKeysNeedTickets() {
        let text = minimalConfiguration.replacingOccurrences(
            of: "[tls]\n", with: "[tls]\nsession_tickets = false\nticket_keys = \"/etc/tlsfloor/ticket.keys\"\n")
        let error = rejection(text)
        #expect(error?.key == "tls.ticket_keys")
        #expect(error?.reason == "session_tickets = false turns tickets off; remove one of the two")
    }

    @Test func certificatesMustBeAnArrayOfTables() {
        let text = minimalConfiguration.replacingOccurrences(of: "[tls]\n", with: "[tls]\ncertificates = \"/a.pem\"\n")
        #expect(rejection(text)?.key == "tls.certificates")
    }

    @Test func defaultCertificateMustBeAHostName() {
        let error = rejection(minimalConfiguration + "default_certificate = \"/etc/tlsfloor/smtp.pem\"\n")
        #expect(error?.key == "listener[1].default_certificate")
    }
}
