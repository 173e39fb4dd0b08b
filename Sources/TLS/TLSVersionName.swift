/// OpenSSL's spelling of a protocol version ("TLSv1.2"), which operators
/// know from every other tool's logs.
public func tlsVersionName(_ wire: UInt16) -> String {
    switch wire {
    case 0x0002: return "SSLv2"
    case 0x0300: return "SSLv3"
    case 0x0301: return "TLSv1.0"
    case 0x0302: return "TLSv1.1"
    case 0x0303: return "TLSv1.2"
    case 0x0304: return "TLSv1.3"
    default: return "0x" + String(wire, radix: 16, uppercase: false)
    }
}
