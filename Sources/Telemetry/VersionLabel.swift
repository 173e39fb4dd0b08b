import TLS

/// A TLS version as a label value, from a closed set so a client offering
/// an odd number cannot add series: the log's spelling for the known
/// versions, `other` for the rest.
public enum VersionLabel: Int, Sendable, CaseIterable {
    case sslv2, sslv3, tlsv1_0, tlsv1_1, tlsv1_2, tlsv1_3, other

    public init(_ version: TLSProtocolVersion) {
        switch version {
        case .sslv2: self = .sslv2
        case .sslv3: self = .sslv3
        case .tlsv1_0: self = .tlsv1_0
        case .tlsv1_1: self = .tlsv1_1
        case .tlsv1_2: self = .tlsv1_2
        case .tlsv1_3: self = .tlsv1_3
        default: self = .other
        }
    }

    public var value: String {
        switch self {
        case .sslv2: TLSProtocolVersion.sslv2.description
        case .sslv3: TLSProtocolVersion.sslv3.description
        case .tlsv1_0: TLSProtocolVersion.tlsv1_0.description
        case .tlsv1_1: TLSProtocolVersion.tlsv1_1.description
        case .tlsv1_2: TLSProtocolVersion.tlsv1_2.description
        case .tlsv1_3: TLSProtocolVersion.tlsv1_3.description
        case .other: "other"
        }
    }
}
