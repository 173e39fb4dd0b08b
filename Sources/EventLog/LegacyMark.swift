/// The `legacy=` value of a client below the TLS floor.
public enum LegacyMark: String, Sendable {
    /// Below the floor; what happened is the record's outcome.
    case yes
    /// Below the floor, from one of `legacy.exempt_networks`: allowed whatever the action.
    case exempt
}
