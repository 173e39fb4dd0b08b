import CSystemd
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Listening sockets passed in by systemd socket activation (`sd_listen_fds_with_names(3)`).
///
/// Each `.socket` unit's `FileDescriptorName=` is the name of the tlsfloor listener it serves;
/// several descriptors may share one name (one socket unit with several `ListenStream=`).
public struct InheritedSockets: Sendable, Equatable {
    /// Descriptors by name, in the order systemd passed them. Unnamed descriptors are under `"unknown"`.
    public let descriptorsByName: [String: [Int32]]

    public init(descriptorsByName: [String: [Int32]]) {
        self.descriptorsByName = descriptorsByName
    }

    /// Takes the descriptors passed by systemd and clears `LISTEN_FDS`, `LISTEN_PID` and `LISTEN_FDNAMES`
    /// so child processes cannot take them again. Call once, early; the descriptors come back close-on-exec.
    /// Without socket activation the result is empty.
    public static func take() throws(SystemdError) -> InheritedSockets {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = try SystemdError.check(sd_listen_fds_with_names(1, &names), "sd_listen_fds_with_names")
        defer { freeNames(names, count: count) }

        var byName: [String: [Int32]] = [:]
        for index in 0..<count {
            let name = names?[Int(index)].map { String(cString: $0) } ?? "unknown"
            byName[name, default: []].append(SD_LISTEN_FDS_START + index)
        }
        return InheritedSockets(descriptorsByName: byName)
    }

    /// True when nothing was inherited (the daemon binds every listener itself).
    public var isEmpty: Bool { descriptorsByName.isEmpty }

    /// The descriptors systemd passed for the listener called `name` (empty when none).
    public func descriptors(named name: String) -> [Int32] {
        descriptorsByName[name] ?? []
    }

    /// Inherited names no configured listener claims: the daemon should log and close these.
    public func names(notIn listenerNames: some Sequence<String>) -> [String] {
        Set(descriptorsByName.keys).subtracting(listenerNames).sorted()
    }

    /// Whether `descriptor` is a listening stream socket (TCP or Unix), i.e. usable for `accept`.
    public static func isListeningStreamSocket(_ descriptor: Int32) -> Bool {
        sd_is_socket(descriptor, AF_UNSPEC, Int32(SOCK_STREAM.rawValue), 1) > 0
    }

    private static func freeNames(_ names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, count: Int32) {
        guard let names else { return }
        for index in 0..<Int(count) { free(names[index]) }
        free(names)
    }
}
