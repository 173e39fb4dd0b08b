/// The SASL step every protocol's login gate shares: with an initial
/// response the user is known at once; without one the client needs the
/// protocol's continuation first, and its next line names the user.
enum SASLGate {
    static func start(mechanism: some Collection<UInt8>, initialResponse: (some Collection<UInt8>)?,
                      continuation: [UInt8]) -> GateVerdict {
        var exchange = SASLObserver(mechanism: mechanism)
        guard let initialResponse else { return .challenge(continuation, awaiting: exchange) }
        exchange.clientResponse(initialResponse)
        return .login(exchange.user)
    }
}
