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


# ---------------------------------------------------------------- a test CA, its leaves and OCSP responses

@dataclasses.dataclass(frozen=True)
class TestCA:
    """A self-signed ECDSA CA that issues leaf certificates and signs OCSP responses for them."""

    directory: pathlib.Path
    certificate: pathlib.Path
    private_key: pathlib.Path


def make_ca(directory: pathlib.Path, name: str = "test-ca") -> TestCA:
    directory.mkdir(parents=True, exist_ok=True)
    ca = TestCA(directory, directory / f"{name}.pem", directory / f"{name}.key")
    subprocess.run(
        ["openssl", "req", "-x509", "-nodes", "-days", "30", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-keyout", str(ca.private_key), "-out", str(ca.certificate), "-subj", f"/CN={name}",
         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
        check=True, capture_output=True)
    return ca


def issue_certificate(ca: TestCA, name: str, algorithm: str, dns_names: list[str]) -> CertificatePair:
    """A leaf for `dns_names` (subjectAltName; the CN is `name`) signed by `ca`.
    The certificate file is a full chain: the leaf, then the CA (OCSP checks need the issuer)."""
    key, csr, leaf = (ca.directory / f"{name}.{suffix}" for suffix in ("key", "csr", "crt"))
    key_options = (["-newkey", "rsa:2048"] if algorithm == "rsa"
                   else ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"])
    subprocess.run(["openssl", "req", "-new", "-nodes", *key_options, "-keyout", str(key), "-out", str(csr),
                    "-subj", f"/CN={name}"], check=True, capture_output=True)
    extensions = ca.directory / f"{name}.ext"
    extensions.write_text("subjectAltName=" + ",".join(f"DNS:{dns}" for dns in dns_names) + "\n"
                          "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n")
    subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca.certificate), "-CAkey", str(ca.private_key),
                    "-CAcreateserial", "-days", "30", "-extfile", str(extensions), "-out", str(leaf)],
                   check=True, capture_output=True)
    chain = ca.directory / f"{name}.pem"
    chain.write_bytes(leaf.read_bytes() + ca.certificate.read_bytes())
    key.chmod(0o600)
    return CertificatePair(certificate=chain, private_key=key)


def ocsp_response(ca: TestCA, leaf: CertificatePair, output: pathlib.Path) -> pathlib.Path:
    """A fresh "good" DER OCSP response for `leaf`, made by `openssl ocsp` acting as the CA's responder."""
    serial = subprocess.run(["openssl", "x509", "-in", str(leaf.certificate), "-noout", "-serial"],
                            check=True, capture_output=True, text=True).stdout.strip().split("=", 1)[1]
    index = output.with_suffix(".index")
    index.write_text(f"V\t301231235959Z\t\t{serial}\tunknown\t/CN=leaf\n")
    subprocess.run(["openssl", "ocsp", "-index", str(index), "-rsigner", str(ca.certificate), "-rkey", str(ca.private_key),
                    "-CA", str(ca.certificate), "-issuer", str(ca.certificate), "-cert", str(leaf.certificate),
                    "-ndays", "2", "-respout", str(output)], check=True, capture_output=True)
    return output


def stale_ocsp_response(ca: TestCA, leaf: CertificatePair, output: pathlib.Path) -> pathlib.Path:
    """A "good" response whose nextUpdate passed yesterday. `openssl ocsp` only dates responses from
    now on, so this one is built with Python's `cryptography`."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp

    certificate = x509.load_pem_x509_certificate(leaf.certificate.read_bytes())
    issuer = x509.load_pem_x509_certificate(ca.certificate.read_bytes())
    key = serialization.load_pem_private_key(ca.private_key.read_bytes(), password=None)
    now = datetime.datetime.now(datetime.timezone.utc)
    response = (ocsp.OCSPResponseBuilder()
                .add_response(cert=certificate, issuer=issuer, algorithm=hashes.SHA1(), cert_status=ocsp.OCSPCertStatus.GOOD,
                              this_update=now - datetime.timedelta(days=3), next_update=now - datetime.timedelta(days=1),
                              revocation_time=None, revocation_reason=None)
                .responder_id(ocsp.OCSPResponderEncoding.HASH, issuer)
                .sign(key, hashes.SHA256()))
    output.write_bytes(response.public_bytes(serialization.Encoding.DER))
    return output
