"""Self-signed server certificates for the integration tests and the demo, made with the openssl CLI."""

from __future__ import annotations

import dataclasses
import pathlib
import subprocess

SUBJECT_ALT_NAME = "DNS:localhost,IP:127.0.0.1,IP:::1"


@dataclasses.dataclass(frozen=True)
class CertificatePair:
    """A PEM certificate and its private key on disk."""

    certificate: pathlib.Path
    private_key: pathlib.Path


def make_certificate(directory: pathlib.Path, name: str, algorithm: str = "ecdsa") -> CertificatePair:
    """Creates a self-signed leaf certificate for localhost/127.0.0.1/::1.

    `algorithm` is "ecdsa" (P-256) or "rsa" (2048 bit). The certificate is marked
    `CA:FALSE` because some clients (mbsync) refuse a self-signed CA certificate
    when they check it by name.
    """
    directory.mkdir(parents=True, exist_ok=True)
    key = directory / f"{name}.key"
    certificate = directory / f"{name}.pem"
    if algorithm == "ecdsa":
        key_options = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
    elif algorithm == "rsa":
        key_options = ["-newkey", "rsa:2048"]
    else:
        raise ValueError(f"unknown key algorithm {algorithm!r}")
    subprocess.run(
        ["openssl", "req", "-x509", "-nodes", "-days", "30", *key_options,
         "-keyout", str(key), "-out", str(certificate),
         "-subj", "/CN=localhost",
         "-addext", f"subjectAltName={SUBJECT_ALT_NAME}",
         "-addext", "basicConstraints=critical,CA:FALSE",
         "-addext", "keyUsage=critical,digitalSignature,keyEncipherment",
         "-addext", "extendedKeyUsage=serverAuth"],
        check=True, capture_output=True,
    )
    key.chmod(0o600)
    return CertificatePair(certificate=certificate, private_key=key)
