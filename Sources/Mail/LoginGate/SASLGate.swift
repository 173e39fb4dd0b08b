/// The SASL step POP3 AUTH and SMTP AUTH share in a login gate: with an
/// initial response the user is known at once, without one the client needs
/// the protocol's continuation first.
enum SASLGate {
    static func start(mechanism: some Collection<UInt8>, initialResponse: (some Collection<UInt8>)?,
                      into pending: inout SASLObserver?, continuation: [UInt8]) -> GateVerdict {
        var exchange = SASLObserver(mechanism: mechanism)
        guard let initialResponse else {
            pending = exchange
            return .challenge(continuation)
        }
        exchange.clientResponse(initialResponse)
        return .login(exchange.user)
    }
}
