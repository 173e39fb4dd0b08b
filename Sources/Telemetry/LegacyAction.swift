import EventLog

/// What happened to a client below the TLS floor: the `action` label of
/// `tlsfloor_legacy_clients_total`. Derived from the finished record, so
/// it counts exactly what the log line says.
public enum LegacyAction: String, Sendable, CaseIterable {
    /// TLS alert only (`legacy.action = "reject"`).
    case refused
    /// Handshake completed to send a readable refusal (`"explain"`, or an exempt-users login gate that refused).
    case explained
    /// Refused for today during the ramp.
    case ramped
    /// Let through (`"allow"`, before `enforce_after`, or the part of the ramp still allowed).
    case allowed
    /// Let through as an exempt network or user.
    case exempt

    /// nil for a client at or above the floor.
    public init?(outcome: Outcome, legacy: LegacyMark?) {
        switch legacy {
        case nil: return nil
        case .exempt: self = .exempt
        case .yes:
            switch outcome {
            case .tlsVersionRefused: self = .refused
            case .legacyExplained: self = .explained
            case .legacyRamped: self = .ramped
            default: self = .allowed
            }
        }
    }
}
