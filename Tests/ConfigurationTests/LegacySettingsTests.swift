import Foundation
import Testing
@testable import Configuration

/// `[legacy]` and a listener's `legacy` override: the switch-off plan an
/// operator writes down, which must mean exactly one instant and one text.
@Suite struct LegacySettingsTests {
    static let deadline = Date(timeIntervalSince1970: 1_696_032_000)  // 2023-09-30T00:00:00Z

    static func legacy(_ body: String) throws -> LegacyPolicySettings {
        try parse(minimalConfiguration + "[legacy]\n" + body + "\n").legacy
    }

    @Test(arguments: [
        "enforce_after = \"2023-09-30T00:00:00Z\"",
        "enforce_after = \"2023-09-30T02:00:00+02:00\"",
        "enforce_after = \"2023-09-29T19:00:00-05:00\"",
    ])
    func enforceAfterStringWithZoneIsOneInstant(line: String) throws {
        #expect(try Self.legacy(line).enforceAfter == Self.deadline)
    }

    @Test(arguments: [
        "enforce_after = 2023-09-30T00:00:00Z",
        "enforce_after = 2023-09-30T02:00:00+02:00",
        "enforce_after = 2023-09-29T19:00:00-05:00",
    ])
    func enforceAfterAsTOMLDateTimeKeepsItsOffset(line: String) throws {
        #expect(try Self.legacy(line).enforceAfter == Self.deadline)
    }

    @Test(arguments: [
        "enforce_after = \"2023-09-30\"",
        "enforce_after = \"2023-09-30T00:00:00\"",
        "enforce_after = \"30.09.2023\"",
        "enforce_after = 2023-09-30T00:00:00",
        "enforce_after = 2023-09-30",
        "enforce_after = 1696032000",
    ])
    func enforceAfterWithoutZoneIsRefused(line: String) {
        let error = rejection(minimalConfiguration + "[legacy]\n\(line)\n")
        #expect(error?.key == "legacy.enforce_after")
        #expect(error?.reason == "expected an RFC 3339 instant with time zone, e.g. \"2023-09-30T00:00:00Z\"")
    }

    @Test(arguments: ["reject", "explain", "allow"])
    func everyAction(action: String) throws {
        #expect(try Self.legacy("action = \"\(action)\"").action.rawValue == action)
    }

    @Test func messageUpTo400ASCIICharacters() throws {
        let longest = String(repeating: "x", count: 400)
        #expect(try Self.legacy("message = \"\(longest)\"").message == longest)
    }

    @Test(arguments: [
        ("message = \"\"", "must be 1 to 400 characters"),
        ("message = \"\(String(repeating: "x", count: 401))\"", "must be 1 to 400 characters"),
        ("message = \"Please update.\\nThanks\"", "must be a single line"),
        ("message = \"Please update.\\r\"", "must be a single line"),
        ("message = \"Bitte aktualisieren Sie Ihr E-Mail-Programm – danke\"",
         "must be ASCII: IMAP, POP3 and SMTP replies are 7-bit text"),
        ("message = 42", "expected a string, found integer"),
    ])
    func badMessage(line: String, reason: String) {
        let error = rejection(minimalConfiguration + "[legacy]\n\(line)\n")
        #expect(error?.key == "legacy.message")
        #expect(error?.reason == reason)
    }

    @Test func listenerOverrideInheritsWhatItDoesNotSet() throws {
        let text = minimalConfiguration + "legacy = { action = \"explain\" }\n" + secondListener + """
            [legacy]
            action = "allow"
            enforce_after = "2023-09-30T00:00:00Z"
            message = "Update your mail program."

            """
        let configuration = try parse(text)
        let (imaps, pop3s) = (configuration.listeners[0].legacy, configuration.listeners[1].legacy)
        #expect(imaps.action == .explain)
        #expect(imaps.enforceAfter == Self.deadline)
        #expect(imaps.message == "Update your mail program.")
        #expect(pop3s == configuration.legacy)
        #expect(pop3s.action == .allow)
    }

    @Test func listenerOverrideAsASubTable() throws {
        let text = minimalConfiguration + "[listener.legacy]\nmessage = \"IMAP: please update.\"\n" + secondListener
        let configuration = try parse(text)
        #expect(configuration.listeners[0].legacy.message == "IMAP: please update.")
        #expect(configuration.listeners[1].legacy.message == LegacyPolicySettings.defaultMessage)
    }

    @Test func listenerOverrideIsValidatedUnderItsOwnKey() {
        let error = rejection(minimalConfiguration + secondListener + "legacy = { message = \"\" }\n")
        #expect(error?.key == "listener[2].legacy.message")
    }
}

/// `exempt_networks` and `ramp_start`/`ramp_end`.
@Suite struct LegacyExemptionAndRampSettingsTests {
    @Test func exemptNetworksAreParsed() throws {
        let legacy = try LegacySettingsTests.legacy("exempt_networks = [\"192.0.2.0/24\", \"2001:db8::/32\", \"198.51.100.7\"]")
        #expect(legacy.exemptNetworks == [try IPNetwork("192.0.2.0/24"), try IPNetwork("2001:db8::/32"),
                                          try IPNetwork("198.51.100.7/32")])
    }

    @Test func aRampIsTwoInstantsInOrder() throws {
        let legacy = try LegacySettingsTests.legacy("ramp_start = 2026-12-01T00:00:00Z\nramp_end = \"2026-12-15T00:00:00+01:00\"")
        let ramp = try #require(legacy.ramp)
        #expect(ramp.start == Date(timeIntervalSince1970: 1_796_083_200))
        #expect(ramp.end == Date(timeIntervalSince1970: 1_797_289_200))
        #expect(ramp.share(at: ramp.start.addingTimeInterval(-1)) == 0)
        #expect(ramp.share(at: Date(timeIntervalSince1970: (1_796_083_200 + 1_797_289_200) / 2)) == 0.5)
        #expect(ramp.share(at: ramp.end) == 1)
    }

    @Test(arguments: [
        ("exempt_networks = [\"192.0.2.0/33\"]", "legacy.exempt_networks"),
        ("exempt_networks = [\"printer.example.org\"]", "legacy.exempt_networks"),
        ("ramp_start = 2026-12-01T00:00:00Z", "legacy.ramp_end"),
        ("ramp_end = 2026-12-01T00:00:00Z", "legacy.ramp_start"),
        ("ramp_start = 2026-12-15T00:00:00Z\nramp_end = 2026-12-01T00:00:00Z", "legacy.ramp_end"),
        ("ramp_start = 2026-12-01\nramp_end = 2026-12-15T00:00:00Z", "legacy.ramp_start"),
        ("enforce_after = 2026-12-01T00:00:00Z\nramp_start = 2026-12-01T00:00:00Z\nramp_end = 2026-12-15T00:00:00Z",
         "legacy.enforce_after"),
    ])
    func badExemptionsAndRampsNameTheirKey(body: String, key: String) {
        #expect(throws: ConfigurationError.self) { try LegacySettingsTests.legacy(body) }
        do {
            _ = try LegacySettingsTests.legacy(body)
        } catch let error as ConfigurationError {
            #expect(error.key == key, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aListenerRampReplacesAnInheritedEnforceAfter() throws {
        let text = minimalConfiguration.replacingOccurrences(
            of: "[[listener]]", with: "[legacy]\nenforce_after = 2026-12-01T00:00:00Z\n\n[[listener]]")
            + "legacy = { ramp_start = 2026-12-01T00:00:00Z, ramp_end = 2026-12-15T00:00:00Z }\n"
        let configuration = try parse(text)
        #expect(configuration.legacy.enforceAfter != nil)
        let listener = try #require(configuration.listeners.first)
        #expect(listener.legacy.enforceAfter == nil)
        #expect(listener.legacy.ramp != nil)
    }
}

/// `exempt_users` and `exempt_users_file`.
@Suite struct ExemptUsersSettingsTests {
    @Test func listAndFileAreMerged() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("exempt-\(getpid()).txt")
        try "# the scanner on floor 3\nscanner@example.org\n\n  nas@example.org  # until March\n"
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let legacy = try LegacySettingsTests.legacy("exempt_users = [\"printer@example.org\"]\nexempt_users_file = \"\(file.path)\"")
        #expect(legacy.exemptUsers == ["printer@example.org", "scanner@example.org", "nas@example.org"])
    }

    @Test func anUnreadableFileNamesTheKey() {
        do {
            _ = try LegacySettingsTests.legacy("exempt_users_file = \"/nonexistent/exempt-users\"")
            Issue.record("accepted a missing file")
        } catch let error as ConfigurationError {
            #expect(error.key == "legacy.exempt_users_file")
            #expect(error.reason.contains("/nonexistent/exempt-users"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func aLoginWithASpaceIsRefused() {
        #expect(throws: ConfigurationError.self) { try LegacySettingsTests.legacy("exempt_users = [\"two words\"]") }
    }
}
