import EventLog
import Mail
import ProxyProtocol

extension Connection {
    /// Where a connection is in its life, with the state only that part
    /// needs: a phase's protocol machine exists exactly as long as the
    /// phase. `Connection.enter` is the only way into a phase.
    enum Phase {
        /// Reading a PROXY protocol header from a trusted front.
        case proxyHeader(ProxyHeaderDecoder)
        /// STARTTLS listeners: tlsfloord's own plaintext conversation.
        case plaintext(any StartTLSPreamble)
        case handshaking
        /// A client below the floor, told why in its protocol, then closed
        /// (`legacy_explained`, or `legacy_ramped` for the ramp's temporary refusal).
        case refusing(any LegacyRefusalSession, outcome: Outcome)
        /// Trying the backends in turn (`Connection.backends`).
        case connecting
        /// STARTTLS: swallowing the backend's greeting (the client had ours).
        case awaitingGreeting(any BackendGreetingConsumer)
        case relaying(Relay)
        /// Delivering a last reply, then closing with this outcome.
        case closingAfterReply(Outcome, error: String?)
        /// The last reply is out and our side shut: reading and dropping
        /// what the client still sends, so that closing does not reset
        /// the connection before the client has read the reply.
        case lingering(Outcome, error: String?)
        case closed

        var name: String {
            switch self {
            case .proxyHeader: "proxy_header"
            case .plaintext: "plaintext"
            case .handshaking: "handshaking"
            case .refusing: "refusing"
            case .connecting: "connecting"
            case .awaitingGreeting: "awaiting_greeting"
            case .relaying: "relaying"
            case .closingAfterReply: "closing_after_reply"
            case .lingering: "lingering"
            case .closed: "closed"
            }
        }

        var isClosed: Bool {
            if case .closed = self { true } else { false }
        }

        var isRelaying: Bool {
            if case .relaying = self { true } else { false }
        }

        /// How the phase ends if the client just goes away. Before TLS and
        /// while connecting nobody reads the client, so a vanished client is
        /// noticed only by a later phase.
        var outcomeIfClientLeaves: (Outcome, error: String?) {
            switch self {
            case .plaintext: (.plaintextClosed, nil)
            case .refusing(_, let outcome): (outcome, nil)
            case .closingAfterReply(let outcome, let error), .lingering(let outcome, let error): (outcome, error)
            case .proxyHeader, .handshaking, .connecting, .awaitingGreeting, .relaying, .closed: (.relayed, nil)
            }
        }
    }

    /// The relay phase's state. A class, so the inspector (which buffers a
    /// line while it watches) is changed in place rather than copied out of
    /// the phase and back on every read.
    final class Relay {
        /// Watches the login; nil once it stepped aside.
        var inspector: (any RelayInspector)?
        /// The client sent close_notify or EOF: the backend's write side is shut next.
        var clientFinished = false
        var backendWriteShut = false
        /// The backend closed: the session ends once its last bytes are out.
        var backendFinished = false
        /// Logins already told to the server's login observers.
        var reportedAttempts = 0
        /// How the session ends when its inspector refuses the client (a
        /// legacy client's login gate).
        let refusalOutcome: Outcome

        init(inspector: any RelayInspector, refusalOutcome: Outcome = .legacyExplained) {
            self.inspector = inspector
            self.refusalOutcome = refusalOutcome
        }
    }
}
