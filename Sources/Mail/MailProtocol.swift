/// The mail protocol a listener speaks. tlsfloord needs to know it only to
/// answer in the client's own language when something goes wrong, and to run
/// the plaintext part of a STARTTLS session.
public enum MailProtocol: String, Sendable, CaseIterable {
    case imap
    case pop3
    case smtp
}
