import Foundation

/// Gives up root once everything that needs it (binding ports below 1024,
/// reading a root-only key) is done — what OpenSMTPD and Dovecot do when
/// no service manager does it for them.
enum Privileges {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The uid and primary gid of `user`; what `check` verifies.
    static func account(named user: String) throws -> (uid: uid_t, gid: gid_t) {
        guard let entry = getpwnam(user) else { throw Failure(description: "server.user: no such user \"\(user)\"") }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// Switches to `user`, its primary group and the groups /etc/group
    /// lists it in, and nothing else of root's: Debian lets a service read
    /// TLS keys through group `ssl-cert`, and a reload must still read them
    /// after the switch. Already running as that user is fine; anyone else
    /// but root cannot switch, which is an error.
    static func drop(to user: String) throws {
        let (uid, gid) = try account(named: user)
        if getuid() == uid, geteuid() == uid { return }
        guard geteuid() == 0 else {
            throw Failure(description: "server.user: switching to \"\(user)\" needs root; running as uid \(geteuid())")
        }
        // Order matters: groups first, the uid last (after it nothing else can be changed).
        guard initgroups(user, gid) == 0, setgid(gid) == 0, setuid(uid) == 0 else {
            throw Failure(description: "server.user: cannot switch to \"\(user)\": \(String(cString: strerror(errno)))")
        }
        guard setuid(0) != 0 else {
            throw Failure(description: "server.user: root could be regained after switching to \"\(user)\"")
        }
    }
}
