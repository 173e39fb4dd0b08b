/// Bounds on how long and how much a `RelayInspector` looks at a session
/// before it steps aside and the relay carries plain bytes.
public struct InspectorLimits: Equatable, Sendable {
    /// The longest line (or held reply) an inspector buffers. Anything longer
    /// makes it stop inspecting; relayed bytes are never lost.
    public var maxLineLength: Int
    /// Client commands inspected before giving up on seeing a login.
    public var maxCommands: Int

    /// - Parameters:
    ///   - maxLineLength: 16 KiB by default, room for large SASL tokens.
    ///   - maxCommands: 32 by default; a login needs a handful.
    public init(maxLineLength: Int = 16 * 1024, maxCommands: Int = 32) {
        self.maxLineLength = max(64, maxLineLength)
        self.maxCommands = max(1, maxCommands)
    }
}
