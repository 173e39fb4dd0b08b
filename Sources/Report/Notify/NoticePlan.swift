import Foundation

/// Who gets a notice in this run and who does not, and why — decided before anything is
/// sent, so `--dry-run` shows exactly what a real run would do.
public struct NoticePlan: Sendable {
    public struct Notice: Sendable {
        public let user: AffectedUser
        public let recipient: MailAddress
    }

    public enum Skip: Sendable, Equatable, CustomStringConvertible {
        /// Notified within `--resend-after`.
        case recentlyNotified(login: String, at: Date)
        /// The login is not an address and no `--domain` makes it one, or it is not a usable address.
        case noAddress(login: String, reason: String)

        public var description: String {
            switch self {
            case .recentlyNotified(let login, let date):
                "skipped \(login): notified \(ReportTimestamp.format(date)), not yet due again"
            case .noAddress(let login, let reason):
                "skipped \(login): \(reason)"
            }
        }
    }

    public let notices: [Notice]
    public let skipped: [Skip]

    /// `domain`: appended to logins without `@` (`--domain`); without it they are skipped.
    public init(users: [AffectedUser], state: NoticeState, now: Date, resendAfter: TimeInterval, domain: String?) {
        var notices: [Notice] = [], skipped: [Skip] = []
        for user in users {
            if !state.isDue(user.login, now: now, resendAfter: resendAfter), let last = state.lastNotified[user.login] {
                skipped.append(.recentlyNotified(login: user.login, at: last))
                continue
            }
            switch Self.recipient(login: user.login, domain: domain) {
            case .success(let address): notices.append(Notice(user: user, recipient: address))
            case .failure(let skip): skipped.append(skip)
            }
        }
        self.notices = notices
        self.skipped = skipped
    }

    /// The login itself when it is an address (`erika@example.org`); `login@domain` for a bare
    /// login (`erika`) when `--domain` is given.
    static func recipient(login: String, domain: String?) -> Result<MailAddress, Skip> {
        if login.contains("@") {
            guard let address = MailAddress(login) else {
                return .failure(.noAddress(login: login, reason: "not a mail address tlsfloord can send to"))
            }
            return .success(address)
        }
        guard let domain else {
            return .failure(.noAddress(login: login, reason: "not a mail address (--domain appends one)"))
        }
        guard let address = MailAddress("\(login)@\(domain)") else {
            return .failure(.noAddress(login: login, reason: "\(login)@\(domain) is not a mail address tlsfloord can send to"))
        }
        return .success(address)
    }
}

extension NoticePlan.Skip: Error {}
