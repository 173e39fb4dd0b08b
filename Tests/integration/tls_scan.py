"""sslyze scans of a tlsfloord listener, reduced to what the tests assert on."""

from __future__ import annotations

import re

from sslyze import (ProtocolWithOpportunisticTlsEnum, ScanCommand, ScanCommandAttemptStatusEnum,
                    Scanner, ServerNetworkConfiguration, ServerNetworkLocation, ServerScanRequest,
                    ServerScanStatusEnum)

SUITE_SCANS = {
    "SSLv2": ScanCommand.SSL_2_0_CIPHER_SUITES,
    "SSLv3": ScanCommand.SSL_3_0_CIPHER_SUITES,
    "TLSv1.0": ScanCommand.TLS_1_0_CIPHER_SUITES,
    "TLSv1.1": ScanCommand.TLS_1_1_CIPHER_SUITES,
    "TLSv1.2": ScanCommand.TLS_1_2_CIPHER_SUITES,
    "TLSv1.3": ScanCommand.TLS_1_3_CIPHER_SUITES,
}
STARTTLS = {
    "smtp": ProtocolWithOpportunisticTlsEnum.SMTP,
    "imap": ProtocolWithOpportunisticTlsEnum.IMAP,
    "pop3": ProtocolWithOpportunisticTlsEnum.POP3,
}
TLS12_FORWARD_SECRET_AEAD = re.compile(
    r"TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256|AES_(128|256)_CCM(_8)?)")
TLS13_SUITES = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"}


def accepted_cipher_suites(port: int, starttls: str | None = None) -> dict[str, list[str]]:
    """Accepted cipher suite names (IANA) per protocol version, for 127.0.0.1:port."""
    request = ServerScanRequest(
        server_location=ServerNetworkLocation("localhost", port, ip_address="127.0.0.1"),
        network_configuration=ServerNetworkConfiguration(
            tls_server_name_indication="localhost",
            tls_opportunistic_encryption=STARTTLS[starttls] if starttls else None),
        scan_commands=set(SUITE_SCANS.values()))
    scanner = Scanner()
    scanner.queue_scans([request])
    (result,) = list(scanner.get_results())
    assert result.scan_status == ServerScanStatusEnum.COMPLETED, result.connectivity_error_trace
    accepted = {}
    for version, command in SUITE_SCANS.items():
        attempt = getattr(result.scan_result, command.value)
        assert attempt.status == ScanCommandAttemptStatusEnum.COMPLETED, (
            f"sslyze {version} scan did not complete: {attempt.error_reason}\n"
            + "".join(attempt.error_trace.format() if attempt.error_trace else []))
        accepted[version] = sorted(suite.cipher_suite.name for suite in attempt.result.accepted_cipher_suites)
    return accepted


def scan_running_daemon(daemon, port: int, starttls: str | None = None) -> dict[str, list[str]]:
    """accepted_cipher_suites, failing with the root cause if tlsfloord died during the scan."""
    try:
        return accepted_cipher_suites(port, starttls)
    finally:
        status = daemon.process.poll()
        assert status is None, f"tlsfloord died during the sslyze scan with status {status} (-13 = SIGPIPE)"


def assert_modern_only(accepted: dict[str, list[str]]) -> None:
    """Nothing below TLS 1.2; every TLS 1.2 suite ECDHE + AEAD; TLS 1.3 offered."""
    for version in ("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1"):
        assert accepted[version] == [], f"{version} accepted: {accepted[version]}"
    assert accepted["TLSv1.2"], "no TLS 1.2 cipher suite accepted"
    weak = [name for name in accepted["TLSv1.2"] if not TLS12_FORWARD_SECRET_AEAD.fullmatch(name)]
    assert weak == [], f"TLS 1.2 suites without ECDHE+AEAD: {weak}"
    assert accepted["TLSv1.3"], "TLS 1.3 not offered"
    assert set(accepted["TLSv1.3"]) <= TLS13_SUITES, accepted["TLSv1.3"]
