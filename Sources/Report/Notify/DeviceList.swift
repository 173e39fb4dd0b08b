import Foundation

/// `{{devices}}`: one entry per device, with no words in it, so it reads the same in the
/// German and the English part of a notice:
///
///     - Microsoft Outlook 14.0 · TLSv1.0 · 3× · 2026-11-01 09:00 – 2026-11-20 18:00 UTC
///       JA4 t10i090500_c491f621fb4c_195413a0cc0f
///
/// The program name is there only when the client sent IMAP `ID`; the JA4 lets the helpdesk
/// find the device in the report when the user asks "which one?".
public enum DeviceList {
    public static func text(_ devices: [ClientGroup]) -> String {
        devices.map(entry).joined(separator: "\n")
    }

    static func entry(_ device: ClientGroup) -> String {
        let program = device.recentSoftware.isEmpty ? [] : [device.recentSoftware.joined(separator: ", ")]
        let versions = device.versions.keys.sorted().joined(separator: "/")
        let first = minute(device.firstSeen), last = minute(device.lastSeen)
        let seen = first == last ? "\(first) UTC" : "\(first) – \(last) UTC"
        let line = (program + [versions, "\(device.connections)×", seen]).joined(separator: " · ")
        return "  - \(line)" + (device.ja4.map { "\n    JA4 \($0)" } ?? "")
    }

    /// `2026-11-20 18:00`: seconds mean nothing to the reader.
    private static func minute(_ date: Date) -> String {
        ReportTimestamp.format(date).prefix(16).replacingOccurrences(of: "T", with: " ")
    }
}
