"""Issue 3: an external scanner (sslyze) sees only TLS 1.2/1.3 with ECDHE + AEAD suites."""

import pytest

from conftest import mail_listeners
from tls_scan import assert_modern_only, scan_running_daemon

pytestmark = [pytest.mark.core, pytest.mark.scan]


@pytest.mark.parametrize("cert_kind", ["certificate", "rsa_certificate"])
def test_sslyze_sees_only_modern_tls_on_imaps(start_tlsfloord, mail_stack, request, cert_kind):
    listeners = mail_listeners(mail_stack, "implicit")
    daemon = start_tlsfloord(listeners.values(), cert=request.getfixturevalue(cert_kind))
    accepted = scan_running_daemon(daemon, listeners["imap"].port)
    assert_modern_only(accepted)
