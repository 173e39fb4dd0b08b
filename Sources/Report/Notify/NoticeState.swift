import Foundation

/// Who was sent a notice, and when: the `--state` file, one JSON object per line, appended
/// after each message the MTA accepted — a run that dies half-way has still recorded everyone it
/// reached, and the file doubles as the record of what was sent. The latest line per user counts.
public struct NoticeState: Sendable, Equatable {
    /// Latest notice per login name.
    public private(set) var lastNotified: [String: Date] = [:]

    public init() {}

    /// Reads the file's text; a line that is not one of ours is an error, not a reason to mail everyone again.
    public init(jsonLines text: String) throws(NoticeStateError) {
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let user = object["user"] as? String,
                  let date = (object["notified_at"] as? String).flatMap(ReportTimestamp.parse)
            else { throw NoticeStateError(line: index + 1) }
            record(user: user, at: date)
        }
    }

    public mutating func record(user: String, at date: Date) {
        lastNotified[user] = max(lastNotified[user] ?? date, date)
    }

    /// True when the user was never notified, or last notified `resendAfter` or longer ago.
    public func isDue(_ user: String, now: Date, resendAfter: TimeInterval) -> Bool {
        guard let last = lastNotified[user] else { return true }
        return now.timeIntervalSince(last) >= resendAfter
    }

    /// The line to append for a notice sent now, newline included.
    public static func line(user: String, recipient: MailAddress, messageID: String, at date: Date) -> String {
        let object = ["user": user, "recipient": recipient.description, "message_id": messageID,
                      "notified_at": ReportTimestamp.format(date)]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A dictionary of strings always encodes.
        let data = (try? encoder.encode(object)) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

/// `tlsfloord: STATE: line N is not a notice record`.
public struct NoticeStateError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public var description: String { "line \(line) is not a notice record ({\"user\": …, \"notified_at\": …})" }
}
