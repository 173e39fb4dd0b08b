"""Issue 15: `[metrics] listen` serves a Prometheus scrape. Real clients move the counters
(a TLS 1.3 IMAP login to the real Dovecot, a TLS 1.0 `openssl s_client` below the floor, a
client whose backend is down, SIGHUP reloads); curl scrapes, `promtool check metrics`
validates the exposition, and the counters must have moved by exactly what the log says."""

from __future__ import annotations

import imaplib
import json
import pathlib
import re
import signal
import socket
import subprocess
import time

import pytest

from clients import TLSStream, client_context, s_client
from daemon import Listener, render_config, run_cli
from ports import free_port

pytestmark = pytest.mark.metrics

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$")


def scrape(address: str, path: str = "/metrics") -> subprocess.CompletedProcess:
    """curl against `address` ("127.0.0.1:PORT" or "unix:/path"): status code on the last line."""
    if address.startswith("unix:"):
        target = ["--unix-socket", address[len("unix:"):], f"http://localhost{path}"]
    else:
        target = [f"http://{address}{path}"]
    return subprocess.run(["curl", "-sS", "--max-time", "10", "-w", "\n%{http_code}", *target],
                          capture_output=True, text=True, timeout=20)


def exposition(address: str) -> str:
    """A scrape that must succeed and pass `promtool check metrics` (lint included)."""
    result = scrape(address)
    assert result.returncode == 0, result.stderr
    body, _, status = result.stdout.rpartition("\n")
    assert status == "200", result.stdout[-500:]
    check = subprocess.run(["promtool", "check", "metrics"], input=body, capture_output=True, text=True, timeout=20)
    assert check.returncode == 0 and check.stdout + check.stderr == "", \
        f"promtool check metrics: {check.stdout}{check.stderr}\n{body}"
    return body


def samples(text: str) -> dict[str, float]:
    """Series (name with labels, as exported) -> value."""
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            match = SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            values[match.group(1)] = float(match.group(2))
    return values


def series(name: str, **labels: str) -> str:
    """The exported spelling; labels in the order tlsfloord declares them (listener first)."""
    inner = ",".join(f'{key}="{value}"' for key, value in labels.items())
    return f"{name}{{{inner}}}" if labels else name


def moved(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """Series that changed, with their change; a series new in `after` counts from 0."""
    return {key: value - before.get(key, 0.0) for key, value in after.items() if value != before.get(key, 0.0)}


@pytest.fixture
def metrics_proxy(start_tlsfloord, mail_stack):
    """tlsfloord with an IMAPS listener "imaps" in front of the real Dovecot, an IMAPS
    listener "down" whose only backend is a closed port, and metrics on a free port."""
    dead = f"127.0.0.1:{free_port()}"
    listeners = [
        Listener.on_free_port("imaps", "imap", "implicit", f"127.0.0.1:{mail_stack.ports.imap}"),
        Listener.on_free_port("down", "imap", "implicit", dead),
    ]
    address = f"127.0.0.1:{free_port()}"
    daemon = start_tlsfloord(listeners, metrics={"listen": address})
    return daemon, {listener.name: listener for listener in listeners}, address, dead


def test_counters_move_as_real_clients_connect_and_reloads_are_counted(metrics_proxy, mail_stack, certificate):
    daemon, listeners, address, dead = metrics_proxy
    record = daemon.wait_for_records(1, event="metrics_listening")[0]
    assert record["listen"] == address
    before = samples(exposition(address))
    version = run_cli("--version").stdout.split()[1]
    assert before[series("tlsfloor_build_info", version=version)] == 1
    # Every outcome is there from the start, at zero: rate() needs no first increment.
    assert before[series("tlsfloor_connections_total", listener="imaps", outcome="tls_version_refused")] == 0

    alice = mail_stack.user("alice")
    imap = imaplib.IMAP4_SSL("127.0.0.1", listeners["imaps"].port,
                             ssl_context=client_context("1.3", certificate.certificate))
    try:
        assert imap.login(alice.address, alice.password)[0] == "OK"
        assert imap.select("INBOX")[0] == "OK"
    finally:
        imap.logout()

    refused = s_client(listeners["imaps"].port, "-tls1", "-cipher", "DEFAULT@SECLEVEL=0")
    assert "alert protocol version" in refused.stdout.decode(errors="replace")

    stream = TLSStream.connect("127.0.0.1", listeners["down"].port, client_context("1.3", certificate.certificate))
    try:
        assert stream.recv_line().startswith(b"* BYE [UNAVAILABLE] ")
    finally:
        stream.close()

    daemon.wait_for_records(3, event="connection")
    relayed = daemon.connection_record(listener="imaps", outcome="relayed")
    after = samples(exposition(address))
    bytes_in, bytes_out = int(relayed["bytes_in"]), int(relayed["bytes_out"])
    assert bytes_in > 0 and bytes_out > 0
    changes = moved(before, after)
    histogram = {key: value for key, value in changes.items()
                 if key.startswith("tlsfloor_tls_handshake_duration_seconds")}
    assert {key: value for key, value in changes.items() if key not in histogram} == {
        series("tlsfloor_connections_total", listener="imaps", outcome="relayed"): 1,
        series("tlsfloor_connections_total", listener="imaps", outcome="tls_version_refused"): 1,
        series("tlsfloor_connections_total", listener="down", outcome="backend_unavailable"): 1,
        series("tlsfloor_tls_handshakes_total", listener="imaps", version="TLSv1.3"): 1,
        series("tlsfloor_tls_handshakes_total", listener="down", version="TLSv1.3"): 1,
        series("tlsfloor_tls_client_hellos_total", listener="imaps", offered_version="TLSv1.3"): 1,
        series("tlsfloor_tls_client_hellos_total", listener="imaps", offered_version="TLSv1.0"): 1,
        series("tlsfloor_tls_client_hellos_total", listener="down", offered_version="TLSv1.3"): 1,
        series("tlsfloor_legacy_clients_total", listener="imaps", action="refused"): 1,
        series("tlsfloor_backend_connect_failures_total", listener="down", backend=dead): 1,
        series("tlsfloor_relayed_bytes_total", listener="imaps", direction="client_to_backend"): bytes_in,
        series("tlsfloor_relayed_bytes_total", listener="imaps", direction="backend_to_client"): bytes_out,
    }
    # One completed handshake per listener (the refused TLS 1.0 one never completed): counted
    # once, summed, and in exactly the buckets at or above its duration.
    for name in ("imaps", "down"):
        assert histogram[series("tlsfloor_tls_handshake_duration_seconds_count", listener=name)] == 1
        taken = histogram[series("tlsfloor_tls_handshake_duration_seconds_sum", listener=name)]
        assert 0 < taken < 5, f"{name}: handshake took {taken} s"
        buckets = {float(match.group(1)): after[key] - before[key] for key in after
                   if (match := re.fullmatch(r'tlsfloor_tls_handshake_duration_seconds_bucket\{listener="%s",le="([^"]+)"\}'
                                             % name, key))}
        assert len(buckets) > 10 and float("inf") in buckets
        assert buckets == {bound: (1 if bound >= taken else 0) for bound in buckets}, (name, taken, buckets)
    assert after["tlsfloor_open_connections"] == 0

    daemon.send_signal(signal.SIGHUP)
    daemon.wait_for_records(1, event="reload", outcome="ok")
    daemon.config_file.write_text(daemon.config_file.read_text() + "\n[bogus]\n")
    daemon.send_signal(signal.SIGHUP)
    daemon.wait_for_records(1, event="reload", outcome="refused")
    reloaded = samples(exposition(address))
    assert moved(after, reloaded) == {
        series("tlsfloor_reloads_total", outcome="ok"): 1,
        series("tlsfloor_reloads_total", outcome="refused"): 1,
    }


def test_only_get_metrics_is_served(metrics_proxy):
    _, _, address, _ = metrics_proxy
    for path in ("/", "/metric", "/metrics/x"):
        result = scrape(address, path)
        assert result.stdout.endswith("\n404"), (path, result.stdout)
    raw = socket.create_connection(tuple_address(address), timeout=5)
    raw.sendall(b"\x16\x03\x01\x00\x05hello\n\n")
    assert raw.recv(100).startswith(b"HTTP/1.1 400 ")
    raw.close()


def tuple_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)


def test_a_stalled_scraper_holds_neither_other_scrapes_for_long_nor_any_client(metrics_proxy, certificate):
    """A scraper that connects and says nothing is dropped after the endpoint's 2 s timeout;
    mail clients meanwhile are served at once, since scrapes never run on a worker."""
    daemon, listeners, address, _ = metrics_proxy
    stalled = socket.create_connection(tuple_address(address), timeout=10)
    try:
        time.sleep(0.2)
        started = time.monotonic()
        stream = TLSStream.connect("127.0.0.1", listeners["down"].port, client_context("1.3", certificate.certificate))
        stream.recv_line()
        stream.close()
        assert time.monotonic() - started < 1.5, "a stalled scrape delayed a mail client"
        started = time.monotonic()
        exposition(address)
        waited = time.monotonic() - started
        assert waited < 4, f"the next scrape waited {waited:.1f} s behind a stalled one"
        assert stalled.recv(100) == b"", "the stalled scraper should have been dropped"
    finally:
        stalled.close()


def test_a_unix_socket_endpoint(start_tlsfloord, mail_stack, tmp_path):
    path = tmp_path / "metrics.sock"
    listener = Listener.on_free_port("imaps", "imap", "implicit", f"127.0.0.1:{mail_stack.ports.imap}")
    daemon = start_tlsfloord([listener], metrics={"listen": f"unix:{path}"})
    daemon.wait_for_records(1, event="metrics_listening")
    assert series("tlsfloor_connections_total", listener="imaps", outcome="relayed") in samples(exposition(f"unix:{path}"))


def test_metrics_are_off_by_default(start_tlsfloord, mail_stack):
    listener = Listener.on_free_port("imaps", "imap", "implicit", f"127.0.0.1:{mail_stack.ports.imap}")
    daemon = start_tlsfloord([listener])
    daemon.stop()
    assert daemon.records(event="metrics_listening") == []


def test_a_taken_metrics_port_stops_start_up_naming_the_key(start_tlsfloord, mail_stack):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        address = "127.0.0.1:%d" % taken.getsockname()[1]
        listener = Listener.on_free_port("imaps", "imap", "implicit", f"127.0.0.1:{mail_stack.ports.imap}")
        daemon = start_tlsfloord([listener], metrics={"listen": address}, ready=False)
        assert daemon.wait_exit(15) != 0
        assert re.search(r"metrics\.listen: .*Address already in use", daemon.log_text()), daemon.log_text()
    finally:
        taken.close()


@pytest.mark.parametrize("listen,reason", [
    ("9771", "is not an address"),
    ("localhost", "is not an address"),
    ("LISTENER", "overlaps"),
])
def test_check_rejects_a_bad_metrics_address(tmp_path, certificate, listen, reason):
    listener = Listener.on_free_port("imaps", "imap", "implicit", "127.0.0.1:143")
    config = tmp_path / "tlsfloor.toml"
    config.write_text(render_config(certificate=certificate.certificate, private_key=certificate.private_key,
                                    listeners=[listener], metrics={"listen": listen.replace("LISTENER", listener.listen)}))
    result = run_cli("check", "--config", str(config))
    assert result.returncode != 0
    assert f"{config}: metrics.listen: " in result.stderr and reason in result.stderr, result.stderr


def test_check_rejects_an_unknown_metrics_key_and_accepts_a_good_table(tmp_path, certificate):
    listener = Listener.on_free_port("imaps", "imap", "implicit", "127.0.0.1:143")
    config = tmp_path / "tlsfloor.toml"
    config.write_text(render_config(certificate=certificate.certificate, private_key=certificate.private_key,
                                    listeners=[listener], metrics={"listen": "127.0.0.1:9771", "port": 9771}))
    result = run_cli("check", "--config", str(config))
    assert result.returncode != 0 and "metrics.port: unknown key" in result.stderr, result.stderr
    config.write_text(config.read_text().replace("port = 9771\n", ""))
    result = run_cli("check", "--config", str(config))
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- the documented queries

OPERATIONS = pathlib.Path(__file__).resolve().parents[2] / "docs" / "operations.md"


def documented_queries() -> list[str]:
    """Every PromQL expression in docs/operations.md: ```promql blocks, one expression per
    paragraph or per line after a comment; continuation lines are indented."""
    queries = []
    for block in re.findall(r"```promql\n(.*?)```", OPERATIONS.read_text(), re.S):
        current: list[str] = []
        for line in block.splitlines() + [""]:
            if line.startswith((" ", "\t")) and current:
                current.append(line.strip())
                continue
            if current:
                queries.append(" ".join(current))
                current = []
            if line.strip() and not line.startswith("#"):
                current.append(line.strip())
    return queries


def test_every_documented_query_parses(tmp_path):
    queries = documented_queries()
    assert len(queries) >= 7, queries
    rules = tmp_path / "rules.yml"
    rules.write_text("groups:\n  - name: operations_md\n    rules:\n" + "".join(
        f"      - record: operations_md:query_{number}\n        expr: {json.dumps(query)}\n"
        for number, query in enumerate(queries)))
    check = subprocess.run(["promtool", "check", "rules", str(rules)], capture_output=True, text=True, timeout=20)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"SUCCESS: {len(queries)} rules found" in check.stdout


def test_the_documented_legacy_share_is_the_share_of_legacy_client_hellos(tmp_path):
    """Three TLS 1.3 clients and one refused TLS 1.0 client a minute on imaps, as tlsfloord
    counts them: the first documented query gives 0.25 for imaps."""
    share = documented_queries()[0]
    assert "tlsfloor_legacy_clients_total" in share
    tests = tmp_path / "tests.yml"
    tests.write_text(f"""
rule_files: []
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'tlsfloor_tls_client_hellos_total{{listener="imaps",offered_version="TLSv1.3"}}'
        values: '0+3x120'
      - series: 'tlsfloor_tls_client_hellos_total{{listener="imaps",offered_version="TLSv1.0"}}'
        values: '0+1x120'
      - series: 'tlsfloor_legacy_clients_total{{listener="imaps",action="refused"}}'
        values: '0+1x120'
      - series: 'tlsfloor_legacy_clients_total{{listener="imaps",action="allowed"}}'
        values: '0x120'
    promql_expr_test:
      - expr: {json.dumps(share)}
        eval_time: 90m
        exp_samples:
          - labels: '{{listener="imaps"}}'
            value: 0.25
""")
    result = subprocess.run(["promtool", "test", "rules", str(tests)], capture_output=True, text=True, timeout=20)
    assert result.returncode == 0, result.stdout + result.stderr
