/// Which certificate group serves a name a client asks for (SNI): exact
/// names first, then a wildcard for the first label (`*.example.org`
/// matches `imap.example.org`, not `example.org` or `a.b.example.org`),
/// as RFC 6125 has clients check them. Names are stored lower-cased.
struct ServerNameTable: Equatable, Sendable {
    private var groups: [String: Int] = [:]

    /// Why a name cannot be added: another group already serves it.
    struct Conflict: Error, Equatable {
        var name: String
        var group: Int
    }

    /// Adds `names` (exact or `*.` wildcards) for `group`; a name already
    /// served by another group is a conflict, by the same group a no-op.
    mutating func add(_ names: [String], group: Int) throws(Conflict) {
        for name in names.map({ $0.lowercased() }) {
            if let existing = groups[name], existing != group { throw Conflict(name: name, group: existing) }
            groups[name] = group
        }
    }

    /// Adds those of `names` that no group serves yet: the `[tls]`
    /// certificate's names, which entries may take over.
    mutating func addUnclaimed(_ names: [String], group: Int) {
        for name in names.map({ $0.lowercased() }) where groups[name] == nil {
            groups[name] = group
        }
    }

    func group(for serverName: String) -> Int? {
        var name = serverName.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        if let group = groups[name] { return group }
        guard let dot = name.firstIndex(of: "."), dot > name.startIndex, name.index(after: dot) < name.endIndex else {
            return nil
        }
        return groups["*" + name[dot...]]
    }
}
