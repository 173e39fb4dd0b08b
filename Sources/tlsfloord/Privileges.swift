import Configuration
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

    /// After the switch every reload reads the certificate and key again,
    /// as `user`: a key readable only by root then fails each reload —
    /// typically at the next certificate renewal, long after a start that
    /// worked. Throws saying so when this process cannot read them now.
    /// Every file a reload reads, with the key that names it.
    private static func filesReadOnReload(_ tls: TLSSettings) -> [(key: String, path: String)] {
        let identities = [tls.defaultCertificate] + tls.certificates
        return identities.flatMap { identity in
            [("\(identity.keyPath).certificate", identity.certificate), ("\(identity.keyPath).private_key", identity.privateKey)]
                + (identity.ocspResponse.map { [("\(identity.keyPath).ocsp_response", $0)] } ?? [])
        } + (tls.ticketKeys.map { [("tls.ticket_keys", $0)] } ?? [])
    }

    static func checkReadable(_ tls: TLSSettings, asUser user: String) throws {
        let unreadable = filesReadOnReload(tls).filter { access($0.1, R_OK) != 0 }
            .map { "\($0.0) \($0.1)" }
        guard !unreadable.isEmpty else { return }
        throw Failure(description: "\(unreadable.joined(separator: ", ")) cannot be read by user \"\(user)\" "
            + "([server] user dropped root after start, and a reload reads the files as that user): "
            + "make them readable by it (e.g. group \(user), mode 0640) or pass them with systemd's "
            + "LoadCredential= (then a new certificate needs a restart)")
    }
}
