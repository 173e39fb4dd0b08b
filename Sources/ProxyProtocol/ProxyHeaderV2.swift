extension ProxyHeader {
    /// The v2 binary header: signature, version/command, family, length,
    /// addresses, then TLVs in the order ALPN, AUTHORITY, SSL (with VERSION
    /// and CIPHER sub-TLVs first), others.
    ///
    /// A `LOCAL` header or unknown addresses are sent as `AF_UNSPEC` with no
    /// address block; UNIX addresses as `AF_UNIX` stream, NUL-padded to 108 bytes.
    public func encodedV2() throws(ProxyEncodingError) -> [UInt8] {
        var body: [UInt8] = []
        let layout: ProxyV2.AddressLayout
        switch (command, addresses) {
        case (.local, _), (.proxy, nil):
            layout = .unspecified
        case (.proxy, .ip(let source, let destination)?):
            let pair = WireIPPair(source: source, destination: destination)
            layout = pair.isIPv4 ? .tcp4 : .tcp6
            body += pair.source.address.bytes + pair.destination.address.bytes
            body.appendBigEndian(pair.source.port)
            body.appendBigEndian(pair.destination.port)
        case (.proxy, .unix(let source, let destination)?):
            layout = .unixStream
            for path in [source, destination] {
                body += path.bytes + [UInt8](repeating: 0, count: ProxyUnixPath.capacity - path.bytes.count)
            }
        }
        try appendTLVs(to: &body)
        guard body.count <= Int(UInt16.max) else {
            throw ProxyEncodingError(reason: "v2 header body of \(body.count) bytes exceeds 65535")
        }
        var header = ProxyV2.signature
        header.append(command == .local ? 0x20 : 0x21)
        header.append(layout.rawValue)
        header.appendBigEndian(UInt16(body.count))
        return header + body
    }

    private func appendTLVs(to body: inout [UInt8]) throws(ProxyEncodingError) {
        if let alpn {
            try appendTLV(type: PP2.typeALPN, value: alpn, to: &body)
        }
        if let authority {
            try appendTLV(type: PP2.typeAuthority, value: Array(authority.utf8), to: &body)
        }
        if let ssl {
            var value: [UInt8] = [ssl.client.rawValue]
            value.appendBigEndian(ssl.verify)
            if let version = ssl.version {
                try appendTLV(type: PP2.subtypeSSLVersion, value: Array(version.utf8), to: &value)
            }
            if let cipher = ssl.cipher {
                try appendTLV(type: PP2.subtypeSSLCipher, value: Array(cipher.utf8), to: &value)
            }
            for sub in ssl.otherSubTLVs {
                try appendTLV(type: sub.type, value: sub.value, to: &value)
            }
            try appendTLV(type: PP2.typeSSL, value: value, to: &body)
        }
        for tlv in otherTLVs {
            try appendTLV(type: tlv.type, value: tlv.value, to: &body)
        }
    }
}

/// Reading the v2 binary header (spec section 2.2).
enum ProxyV2 {
    static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    /// Signature, version/command, family, 16-bit length.
    static let fixedLength = 16

    /// The 14th byte: address family (high nibble) and transport (low
    /// nibble). Only the combinations the spec lists are accepted.
    enum AddressLayout: UInt8 {
        case unspecified = 0x00
        case tcp4 = 0x11, udp4 = 0x12
        case tcp6 = 0x21, udp6 = 0x22
        case unixStream = 0x31, unixDatagram = 0x32

        /// Bytes of the address block that precedes the TLVs.
        var addressLength: Int {
            switch self {
            case .unspecified: 0
            case .tcp4, .udp4: 12
            case .tcp6, .udp6: 36
            case .unixStream, .unixDatagram: 2 * ProxyUnixPath.capacity
            }
        }
    }

    /// Looks for a complete header at the start of `buffer`, rejecting as
    /// early as the bytes allow.
    static func scan(_ buffer: [UInt8], maximumLength: Int) -> DecodingStep {
        let known = min(buffer.count, signature.count)
        guard buffer.prefix(known).elementsEqual(signature.prefix(known)) else {
            return .invalid("not a PROXY protocol header")
        }
        if buffer.count > 12 {
            let versionCommand = buffer[12]
            guard versionCommand >> 4 == 2 else {
                return .invalid("v2 header has version \(versionCommand >> 4), not 2")
            }
            guard versionCommand & 0x0F <= 1 else {
                return .invalid("v2 command \(versionCommand & 0x0F) is neither LOCAL nor PROXY")
            }
        }
        if buffer.count > 13, AddressLayout(rawValue: buffer[13]) == nil {
            return .invalid("v2 family/transport byte 0x\(String(buffer[13], radix: 16)) is not defined")
        }
        guard buffer.count >= fixedLength, let layout = AddressLayout(rawValue: buffer[13]) else {
            return .needMore
        }
        let length = Int(buffer[14]) << 8 | Int(buffer[15])
        let total = fixedLength + length
        guard total <= maximumLength else {
            return .invalid("v2 header of \(total) bytes exceeds the limit of \(maximumLength)")
        }
        guard length >= layout.addressLength else {
            return .invalid("v2 length \(length) is shorter than the \(layout.addressLength)-byte address block")
        }
        guard buffer.count >= total else { return .needMore }
        do {
            return .complete(try parse(Array(buffer[..<total]), layout: layout), length: total)
        } catch {
            return .invalid(error.reason)
        }
    }

    /// Parses a complete header whose fixed part was already checked.
    private static func parse(_ header: [UInt8], layout: AddressLayout) throws(ProxyDecodingFailure) -> ProxyHeader {
        let command: ProxyCommand = header[12] & 0x0F == 0 ? .local : .proxy
        let addressEnd = fixedLength + layout.addressLength
        // LOCAL means "use the real endpoints"; datagram families are not
        // what a TCP relay serves, and the spec says to treat them as UNSPEC.
        let addresses = command == .proxy ? try decodeAddresses(header[fixedLength..<addressEnd], layout: layout) : nil
        var decoded = ProxyHeader(command: command, addresses: addresses)
        var seen: Set<UInt8> = []
        for tlv in try locateTLVs(in: header[addressEnd...]) {
            let value = Array(header[tlv.valueRange])
            if [PP2.typeALPN, PP2.typeAuthority, PP2.typeSSL, PP2.typeCRC32C].contains(tlv.type) {
                guard seen.insert(tlv.type).inserted else {
                    throw ProxyDecodingFailure("v2 TLV 0x\(String(tlv.type, radix: 16)) appears twice")
                }
            }
            switch tlv.type {
            case PP2.typeALPN:
                decoded.alpn = value
            case PP2.typeAuthority:
                guard let authority = String(validating: value, as: UTF8.self) else {
                    throw ProxyDecodingFailure("v2 AUTHORITY TLV is not UTF-8")
                }
                decoded.authority = authority
            case PP2.typeCRC32C:
                try verifyChecksum(of: header, at: tlv.valueRange)
            case PP2.typeNoop:
                continue
            case PP2.typeSSL:
                decoded.ssl = try decodeSSL(value)
            default:
                decoded.otherTLVs.append(ProxyTLV(type: tlv.type, value: value))
            }
        }
        return decoded
    }

    private static func decodeAddresses(_ block: ArraySlice<UInt8>, layout: AddressLayout) throws(ProxyDecodingFailure) -> ProxyAddresses? {
        let start = block.startIndex
        switch layout {
        case .unspecified, .udp4, .udp6, .unixDatagram:
            return nil
        case .tcp4, .tcp6:
            let size = layout == .tcp4 ? 4 : 16
            guard let source = ProxyIPAddress(bytes: block[start..<start + size]),
                  let destination = ProxyIPAddress(bytes: block[start + size..<start + 2 * size]) else {
                throw ProxyDecodingFailure("v2 address block is malformed")
            }
            let ports = start + 2 * size
            return .ip(source: ProxyIPEndpoint(address: source, port: bigEndian16(block, at: ports)),
                       destination: ProxyIPEndpoint(address: destination, port: bigEndian16(block, at: ports + 2)))
        case .unixStream:
            let capacity = ProxyUnixPath.capacity
            guard let source = ProxyUnixPath(bytes: block[start..<start + capacity]),
                  let destination = ProxyUnixPath(bytes: block[start + capacity..<start + 2 * capacity]) else {
                throw ProxyDecodingFailure("v2 UNIX address block is malformed")
            }
            return .unix(source: source, destination: destination)
        }
    }

    private static func decodeSSL(_ value: [UInt8]) throws(ProxyDecodingFailure) -> ProxySSL {
        guard value.count >= 5 else {
            throw ProxyDecodingFailure("v2 SSL TLV of \(value.count) bytes is shorter than its 5-byte fixed part")
        }
        let verify = value[1..<5].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        var ssl = ProxySSL(client: ProxySSL.ClientFlags(rawValue: value[0]), verify: verify, version: nil, cipher: nil)
        var seen: Set<UInt8> = []
        for sub in try locateTLVs(in: value[5...]) {
            let subValue = Array(value[sub.valueRange])
            switch sub.type {
            case PP2.subtypeSSLVersion, PP2.subtypeSSLCipher:
                guard seen.insert(sub.type).inserted else {
                    throw ProxyDecodingFailure("v2 SSL sub-TLV 0x\(String(sub.type, radix: 16)) appears twice")
                }
                guard subValue.allSatisfy({ $0 < 0x80 }) else {
                    throw ProxyDecodingFailure("v2 SSL sub-TLV 0x\(String(sub.type, radix: 16)) is not US-ASCII")
                }
                let text = String(decoding: subValue, as: UTF8.self)
                if sub.type == PP2.subtypeSSLVersion { ssl.version = text } else { ssl.cipher = text }
            default:
                ssl.otherSubTLVs.append(ProxyTLV(type: sub.type, value: subValue))
            }
        }
        return ssl
    }

    /// PP2_TYPE_CRC32C: the checksum of the whole header with its own field zeroed.
    private static func verifyChecksum(of header: [UInt8], at field: Range<Int>) throws(ProxyDecodingFailure) {
        guard field.count == 4 else {
            throw ProxyDecodingFailure("v2 CRC32C TLV has \(field.count) bytes, not 4")
        }
        let expected = header[field].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        var zeroed = header
        zeroed.replaceSubrange(field, with: [0, 0, 0, 0])
        guard CRC32C.checksum(zeroed) == expected else {
            throw ProxyDecodingFailure("v2 CRC32C checksum does not match")
        }
    }

    private static func bigEndian16(_ bytes: ArraySlice<UInt8>, at index: Int) -> UInt16 {
        UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])
    }
}
