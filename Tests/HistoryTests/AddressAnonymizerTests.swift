import History
import Testing

struct AddressAnonymizerTests {
    @Test(arguments: [
        ("192.0.2.77", "192.0.2.0/24"),
        ("10.1.2.3", "10.1.2.0/24"),
        ("2001:db8:1:2::5", "2001:db8:1::/48"),
        ("2001:db8:abcd:ffff:1:2:3:4", "2001:db8:abcd::/48"),
        ("::1", "::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("unix", "unix"),
        ("", ""),
    ])
    func networkOfAddress(address: String, expected: String) {
        #expect(AddressAnonymizer.network(of: address) == expected)
    }
}
