import Mail

/// Interim adapter until the Mail module's session factories land.
enum MailSessionFactory {
    static func unavailableReply(for mailProtocol: MailProtocol, hostname: String) -> [UInt8] {
        switch mailProtocol {
        case .imap: return Array("* BYE [UNAVAILABLE] Mail service temporarily unavailable, please try again later\r\n".utf8)
        case .pop3: return Array("-ERR [SYS/TEMP] Mail service temporarily unavailable, please try again later\r\n".utf8)
        case .smtp: return Array("421 4.3.0 \(hostname) Mail service temporarily unavailable, please try again later\r\n".utf8)
        }
    }

    static func tooManyConnectionsReply(for mailProtocol: MailProtocol, hostname: String) -> [UInt8] {
        switch mailProtocol {
        case .imap: return Array("* BYE [UNAVAILABLE] Too many connections, please try again later\r\n".utf8)
        case .pop3: return Array("-ERR [SYS/TEMP] Too many connections, please try again later\r\n".utf8)
        case .smtp: return Array("421 4.7.0 \(hostname) Too many connections, please try again later\r\n".utf8)
        }
    }

    static func preamble(for mailProtocol: MailProtocol, hostname: String) -> any StartTLSPreamble { Closing() }
    static func legacyRefusal(for mailProtocol: MailProtocol, message: String, afterStartTLS: Bool, hostname: String) -> any StartTLSPreamble { Closing() }
    static func greetingConsumer(for mailProtocol: MailProtocol) -> (any BackendGreetingConsumer)? { nil }
    static func inspector(for mailProtocol: MailProtocol, afterStartTLS: Bool) -> (any RelayInspector)? { nil }

    private struct Closing: StartTLSPreamble {
        mutating func greeting() -> [UInt8] { [] }
        mutating func receive(_ bytes: [UInt8]) -> [PreambleAction] { [.close(reason: "not yet")] }
    }
}
