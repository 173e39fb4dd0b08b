"""Issue 3: an external scanner (sslyze) sees only TLS 1.2/1.3 with ECDHE + AEAD suites."""

import pytest

from conftest import mail_listeners
from tls_scan import accepted_cipher_suites, assert_modern_only

pytestmark = [pytest.mark.core, pytest.mark.scan]


@pytest.mark.parametrize("cert_kind", ["certificate", "rsa_certificate"])
def test_sslyze_sees_only_modern_tls_on_imaps(start_tlsfloord, mail_stack, request, cert_kind):
    listeners = mail_listeners(mail_stack, "implicit")
    start_tlsfloord(listeners.values(), cert=request.getfixturevalue(cert_kind))
    accepted = accepted_cipher_suites(listeners["imap"].port)
    assert_modern_only(accepted)
