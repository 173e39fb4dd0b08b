"""scripts/demo: real Dovecot + Postfix on loopback, tlsfloord in front, until Ctrl-C.

Reuses the integration harness (Tests/integration) for certificates and backends, so
the demo runs exactly the stack the tests run.
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import smtplib
import string
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "integration"))

from certs import make_certificate  # noqa: E402
from daemon import binary_path, listening_ports  # noqa: E402
from mailflow import make_message  # noqa: E402
from ports import accepts_connections  # noqa: E402
from stack import MailStack, MailUser  # noqa: E402

RUN_DIR = REPO / "demo-run"
TEMPLATE = REPO / "config" / "demo" / "tlsfloor.toml.in"
DEMO_USER = MailUser("demo", "demo-password")


def render_config(stack: MailStack, cert) -> pathlib.Path:
    text = string.Template(TEMPLATE.read_text()).substitute(
        certificate=cert.certificate, private_key=cert.private_key,
        imap_backend=f"127.0.0.1:{stack.ports.imap}",
        pop3_backend=f"127.0.0.1:{stack.ports.pop3}",
        smtp_backend=f"127.0.0.1:{stack.ports.smtp}")
    config = RUN_DIR / "tlsfloor.toml"
    config.write_text(text)
    return config


def front_ports(config_text: str) -> list[int]:
    return [int(port) for port in re.findall(r'^listen = "[^"]*:(\d+)"', config_text, re.MULTILINE)]


def seed_welcome_mail(stack: MailStack) -> None:
    with smtplib.SMTP("127.0.0.1", stack.ports.smtp) as smtp:
        smtp.login(DEMO_USER.address, DEMO_USER.password)
        smtp.sendmail(DEMO_USER.address, [DEMO_USER.address],
                      make_message(DEMO_USER, DEMO_USER, "Welcome to the tlsfloor demo"))


def print_instructions(cert) -> None:
    ca = os.path.relpath(cert.certificate)
    login = f"{DEMO_USER.address}:{DEMO_USER.password}"
    print(f"""
tlsfloord is running in front of a real Dovecot and Postfix. Try (from {os.getcwd()}):

  # IMAPS, POP3S, SMTPS (implicit TLS)
  curl --cacert {ca} -u {login} 'imaps://127.0.0.1:10993/INBOX;UID=1'
  curl --cacert {ca} -u {login} pop3s://127.0.0.1:10995/
  printf 'Subject: hello from curl\\r\\n\\r\\nIt works.\\r\\n' | curl --cacert {ca} -u {login} \\
      --mail-from {DEMO_USER.address} --mail-rcpt {DEMO_USER.address} -T - smtps://127.0.0.1:10465

  # STARTTLS on 10143 (IMAP), 10110 (POP3), 10587 (submission)
  curl --ssl-reqd --cacert {ca} -u {login} 'imap://127.0.0.1:10143/INBOX?ALL'
  curl --ssl-reqd --cacert {ca} -u {login} pop3://127.0.0.1:10110/
  openssl s_client -starttls smtp -connect 127.0.0.1:10587 -CAfile {ca} -brief

  # A modern client, and a TLS 1.0 client that gets refused (alert 70, protocol_version)
  openssl s_client -connect 127.0.0.1:10993 -CAfile {ca} -brief
  openssl s_client -connect 127.0.0.1:10993 -tls1 -cipher DEFAULT@SECLEVEL=0

Every connection is logged below as one key=value line. Ctrl-C stops everything.
""", flush=True)


def main() -> int:
    RUN_DIR.mkdir(exist_ok=True)
    shutil.rmtree(RUN_DIR / "backends", ignore_errors=True)  # mail and queues of a previous run
    cert = make_certificate(RUN_DIR / "certs", "demo", "ecdsa")

    busy = [port for port in front_ports(TEMPLATE.read_text()) if accepts_connections("127.0.0.1", port)]
    if busy:
        print(f"demo: ports {busy} are in use; stop whatever listens there first", file=sys.stderr)
        return 1

    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    stack = MailStack(RUN_DIR / "backends", users=(DEMO_USER,))
    daemon = None
    try:
        stack.start()
        seed_welcome_mail(stack)
        config = render_config(stack, cert)
        check = subprocess.run([str(binary_path()), "check", "--config", str(config)])
        if check.returncode != 0:
            print(f"demo: tlsfloord check rejected {config}", file=sys.stderr)
            return 1
        daemon = subprocess.Popen([str(binary_path()), "run", "--config", str(config)],
                                  stdin=subprocess.DEVNULL)
        wanted = set(front_ports(config.read_text()))
        deadline = time.monotonic() + 20
        while not wanted <= listening_ports():
            if daemon.poll() is not None or time.monotonic() > deadline or stopping:
                print("demo: tlsfloord did not come up", file=sys.stderr)
                return 1
            time.sleep(0.1)
        print_instructions(cert)
        while not stopping and daemon.poll() is None:
            time.sleep(0.2)
        if daemon.poll() is not None and not stopping:
            print(f"demo: tlsfloord exited with {daemon.returncode}", file=sys.stderr)
            return 1
        return 0
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=15)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        stack.stop()
        print("\ndemo: stopped tlsfloord, Dovecot and Postfix", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
