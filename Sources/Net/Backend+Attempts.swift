/// One connection's way through its listener's backends: the order taken
/// when the handshake ended, and the backend being tried.
struct BackendAttempts {
    let order: [Backend]
    private(set) var index = 0

    init(order: [Backend]) {
        self.order = order
    }

    /// The backend being tried; nil once every one has failed.
    var current: Backend? { index < order.count ? order[index] : nil }

    mutating func moveOn() { index += 1 }
}
