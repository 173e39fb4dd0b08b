import Glibc
import SystemPackage

/// The outcome of one non-blocking socket read or write. Every raw socket
/// call in `Net` ends in one of these, so errno is read in exactly one place.
enum IOResult: Equatable {
    /// This many bytes moved (never 0).
    case bytes(Int)
    /// The socket has nothing to read or no room to write: wait for readiness.
    case wouldBlock
    /// The peer closed its side (a read returned 0).
    case eof
    case failed(Errno)

    /// Maps a `read`/`write`/`recv` return value and the errno it left.
    init(returnValue: Int) {
        if returnValue > 0 {
            self = .bytes(returnValue)
        } else if returnValue == 0 {
            self = .eof
        } else {
            let code = Errno(rawValue: errno)
            self = (code == .wouldBlock || code == .interrupted) ? .wouldBlock : .failed(code)
        }
    }
}

extension Errno {
    /// The kernel's wording ("Connection reset by peer"), as the log shows it.
    var message: String { String(cString: strerror(rawValue)) }
}
