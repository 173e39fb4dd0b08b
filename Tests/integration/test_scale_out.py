"""Scale-out (issue 14): two tlsfloord behind a real HAProxy in TCP mode, on a private network of
network namespaces built for this run.

    client 198.51.100.100 ──┐
                            │ bridge (own namespace)
    balancer 198.51.100.1 ──┤  HAProxy, mode tcp, send-proxy-v2, check inter 200ms
    tlsfloord-1 .11 ────────┤  accept_proxy_protocol, trusted_proxies = [balancer],
    tlsfloord-2 .12 ────────┤  one ticket_keys file, the same configuration
    mail .20 ───────────────┘  Dovecot + Postfix, PROXY v2 from both instances

Clients are real (imaplib, smtplib, `openssl s_client`) and run inside the client's
namespace; what is checked is what the operator sees: tlsfloord's, Dovecot's and
Postfix's logs, HAProxy's server states, `s_client`'s own report.
"""

from __future__ import annotations

import dataclasses
import imaplib
import os
import smtplib
import threading
import time

import pytest

from clients import client_context, s_client
from daemon import Daemon, Listener
from haproxy import HAProxy, Pool, Server
from mailflow import make_message, unique_subject
from netns import Host, NamespacesUnavailable, PrivateNetwork
from ports import free_port
from stack import MailStack, Placement

pytestmark = pytest.mark.scaleout

HOST_NUMBERS = {"balancer": 1, "tlsfloord-1": 11, "tlsfloord-2": 12, "mail": 20, "client": 100}
INSTANCES = ("tlsfloord-1", "tlsfloord-2")
PROTOCOLS = ("imap", "smtp")


@pytest.fixture(scope="module")
def network():
    try:
        PrivateNetwork.check_permitted()
    except NamespacesUnavailable as error:
        pytest.skip(f"the scale-out test builds its own network namespaces: {error}")
    network = PrivateNetwork()
    try:
        for role, number in HOST_NUMBERS.items():
            network.add_host(role, number)
        yield network
    finally:
        network.close()


@pytest.fixture(scope="module")
def backends(network, work_root):
    """One Dovecot + Postfix pair on the mail host, taking PROXY headers from both instances."""
    mail = network.hosts["mail"]
    placement = Placement(host=mail.address,
                          proxy_trusted_networks=tuple(network.hosts[name].address for name in INSTANCES),
                          launcher=tuple(mail.command()), call=mail.call)
    stack = MailStack(work_root / "scale-out-backends", placement=placement).start()
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def ticket_keys(work_root):
    """The file every instance reads: two raw 80-byte keys (nginx's format)."""
    path = work_root / "scale-out-ticket.keys"
    path.write_bytes(os.urandom(80) + os.urandom(80))
    path.chmod(0o600)
    return path


@dataclasses.dataclass(frozen=True)
class Balancer:
    """The running HAProxy and where it takes clients: `ports` maps a pool name to its port."""

    haproxy: HAProxy
    address: str
    ports: dict[str, int]


@pytest.fixture(scope="module")
def instance_ports(network) -> dict[str, int]:
    """One port per protocol, the same on every instance (they share one configuration)."""
    host = network.hosts["tlsfloord-1"]
    return {protocol: host.call(free_port, host.address) for protocol in PROTOCOLS}


@pytest.fixture(scope="module")
def balancer(network, instance_ports, work_root):
    """HAProxy with a checked round-robin pool per protocol over both instances, plus one
    unchecked pool pinned to each instance (to choose the instance for a resumption)."""
    host = network.hosts["balancer"]

    def servers(protocol: str, names=INSTANCES) -> tuple[Server, ...]:
        return tuple(Server(name, f"{network.hosts[name].address}:{instance_ports[protocol]}") for name in names)

    wanted = {**{protocol: (servers(protocol), True) for protocol in PROTOCOLS},
              **{f"imap-via-{name}": (servers("imap", (name,)), False) for name in INSTANCES}}
    ports = {name: host.call(free_port, host.address) for name in wanted}
    pools = [Pool(name, f"{host.address}:{ports[name]}", members, checked)
             for name, (members, checked) in wanted.items()]
    haproxy = HAProxy(work_root / "scale-out-haproxy", pools, launcher=host.command())
    try:
        yield Balancer(haproxy.wait_started(), host.address, ports)
    finally:
        haproxy.stop()


@dataclasses.dataclass
class Fleet:
    instances: dict[str, Daemon]
    balancer: Balancer
    client: Host
    mail: MailStack

    def client_records(self, name: str) -> list[dict[str, str]]:
        """Connection records of instance `name` for sessions of the client host (not the
        balancer's health checks)."""
        prefix = f"{self.client.address}:"
        return [record for record in self.instances[name].records(event="connection")
                if record["client"].startswith(prefix)]

    def wait_for_client_records(self, total: int, timeout: float = 15) -> dict[str, list[dict[str, str]]]:
        """Records are written when a session ends: waits until the instances hold `total` together."""
        deadline = time.monotonic() + timeout
        while True:
            found = {name: self.client_records(name) for name in self.instances}
            count = sum(len(records) for records in found.values())
            if count >= total or time.monotonic() > deadline:
                assert count == total, (f"{count} client records, expected {total}:\n" +
                                        "\n".join(daemon.log_tail() for daemon in self.instances.values()))
                return found
            time.sleep(0.1)


@pytest.fixture
def fleet(network, backends, balancer, ticket_keys, instance_ports, start_tlsfloord) -> Fleet:
    """Both instances started from one configuration, each in its host's namespace, and both
    UP in HAProxy's checks."""
    mail, front = network.hosts["mail"].address, network.hosts["balancer"].address
    backend_ports = {"imap": backends.ports.imap_proxied, "smtp": backends.ports.smtp_proxied}
    listeners = [Listener(protocol, protocol, "implicit", f"0.0.0.0:{instance_ports[protocol]}",
                          f"{mail}:{backend_ports[protocol]}",
                          {"proxy_protocol": "v2", "accept_proxy_protocol": True, "trusted_proxies": [front]})
                 for protocol in PROTOCOLS]
    instances = {}
    for name in INSTANCES:
        host = network.hosts[name]
        daemon = start_tlsfloord(listeners, launcher=host.command(), ready=False, tls={"ticket_keys": ticket_keys})
        instances[name] = host.call(daemon.wait_ready)
    configurations = {daemon.config_file.read_text() for daemon in instances.values()}
    assert len(configurations) == 1, "the instances must run from one configuration"
    for protocol in PROTOCOLS:
        balancer.haproxy.wait_for_states(protocol, {name: "UP" for name in INSTANCES})
    return Fleet(instances, balancer, network.hosts["client"], backends)


# ---------------------------------------------------------------- client sessions

def imap_login(host: str, port: int, user) -> None:
    imap = imaplib.IMAP4_SSL(host, port, ssl_context=client_context("1.3"), timeout=20)
    try:
        assert imap.login(user.address, user.password)[0] == "OK"
    finally:
        imap.logout()


def smtp_submit(host: str, port: int, sender, recipient, subject: str) -> None:
    with smtplib.SMTP_SSL(host, port, context=client_context("1.3"), timeout=20) as smtp:
        smtp.ehlo("client.example.test")
        smtp.login(sender.address, sender.password)
        assert smtp.sendmail(sender.address, [recipient.address], make_message(sender, recipient, subject)) == {}


def new_lines(read, since: int) -> list[str]:
    return read()[since:].splitlines()


# ---------------------------------------------------------------- tests

def test_clients_spread_over_both_instances(fleet):
    alice = fleet.mail.user("alice")
    sessions = 8
    for _ in range(sessions):
        fleet.client.call(imap_login, fleet.balancer.address, fleet.balancer.ports["imap"], alice)

    records = fleet.wait_for_client_records(sessions)
    served = {name: len(found) for name, found in records.items()}
    assert all(count > 0 for count in served.values()), served
    assert all(record["outcome"] == "relayed" and record["login"] == "accepted"
               for found in records.values() for record in found), records


def test_the_real_client_address_reaches_tlsfloord_dovecot_and_postfix(fleet):
    alice, carol = fleet.mail.user("alice"), fleet.mail.user("carol")
    client, front = fleet.client.address, fleet.balancer.address
    dovecot_offset = len(fleet.mail.dovecot.log_text())
    postfix_offset = len(fleet.mail.postfix.log_text())

    fleet.client.call(imap_login, front, fleet.balancer.ports["imap"], alice)
    fleet.client.call(smtp_submit, front, fleet.balancer.ports["smtp"], alice, carol, unique_subject("scale-out"))

    records = [record for found in fleet.wait_for_client_records(2).values() for record in found]
    assert {record["protocol"] for record in records} == {"imap", "smtp"}, records
    for record in records:
        assert record["client"].startswith(f"{client}:"), record
        assert record["front"].startswith(f"{front}:"), record
        assert record["outcome"] == "relayed" and record["user"] == alice.address, record

    deadline = time.monotonic() + 10
    while True:
        logins = [line for line in new_lines(fleet.mail.dovecot.log_text, dovecot_offset)
                  if f"Login: user=<{alice.address}>" in line]
        submissions = [line for line in new_lines(fleet.mail.postfix.log_text, postfix_offset)
                       if ": client=" in line]
        if (logins and submissions) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(logins) == 1 and f"rip={client}," in logins[0] and "secured" in logins[0], logins
    assert len(submissions) == 1 and f"client=unknown[{client}]" in submissions[0], submissions
    assert f"sasl_username={alice.address}" in submissions[0], submissions


def test_a_tls13_session_from_one_instance_resumes_on_the_other(fleet, tmp_path):
    session = tmp_path / "session.pem"
    pinned = {name: fleet.balancer.ports[f"imap-via-{name}"] for name in INSTANCES}

    def connect(name: str, *options: str) -> str:
        result = s_client(pinned[name], "-tls1_3", "-crlf", "-ign_eof", *options, host=fleet.balancer.address,
                          stdin=b"a LOGOUT\n", servername="mail.example.test",
                          launcher=fleet.client.command())
        output = result.stdout.decode(errors="replace")
        assert result.returncode == 0 and "* BYE" in output, output
        return output

    first = connect("tlsfloord-1", "-sess_out", str(session))
    assert "New, TLSv1.3" in first, first
    second = connect("tlsfloord-2", "-sess_in", str(session))
    assert "Reused, TLSv1.3" in second, second

    records = fleet.wait_for_client_records(2)
    [full], [resumed] = records["tlsfloord-1"], records["tlsfloord-2"]
    assert "resumed" not in full and full["tls_version"] == "TLSv1.3", full
    assert resumed["resumed"] == "yes" and resumed["tls_version"] == "TLSv1.3", resumed


def test_an_instance_stopped_gracefully_loses_no_new_session(fleet):
    """SIGTERM one instance while clients keep logging in through the balancer: every
    session succeeds, HAProxy's check takes the instance out, the other one serves."""
    bob = fleet.mail.user("bob")
    stopping = fleet.instances["tlsfloord-1"]
    finished: list[float] = []  # start times of completed sessions
    failures: list[str] = []
    lock = threading.Lock()
    halt = threading.Event()

    def keep_logging_in() -> None:
        while not halt.is_set():
            started = time.monotonic()
            try:
                imap_login(fleet.balancer.address, fleet.balancer.ports["imap"], bob)
            except Exception as error:  # any failure of a new session is the finding
                with lock:
                    failures.append(f"{time.monotonic() - started:.3f} s into a session: {error!r}")
            else:
                with lock:
                    finished.append(started)

    def sessions_since(moment: float) -> int:
        with lock:
            return sum(1 for started in finished if started > moment)

    def wait_for_sessions(count: int, since: float, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while sessions_since(since) < count and not failures:
            assert time.monotonic() < deadline, f"only {sessions_since(since)} sessions in {timeout} s"
            time.sleep(0.05)

    loops = [threading.Thread(target=fleet.client.call, args=(keep_logging_in,), daemon=True) for _ in range(3)]
    began = time.monotonic()
    for loop in loops:
        loop.start()
    try:
        wait_for_sessions(10, since=began)
        stopping.send_signal()
        assert stopping.wait_exit(timeout=15) == 0, stopping.log_tail()
        exited = time.monotonic()
        fleet.balancer.haproxy.wait_for_states("imap", {"tlsfloord-1": "DOWN", "tlsfloord-2": "UP"})
        wait_for_sessions(15, since=exited)
    finally:
        halt.set()
        for loop in loops:
            loop.join(timeout=30)

    assert failures == [], failures
    assert stopping.records(event="stop"), stopping.log_tail()
    records = fleet.wait_for_client_records(len(finished))  # one record per session, none lost
    assert all(record["outcome"] == "relayed" for found in records.values() for record in found), records
    # Every session that began after tlsfloord-1 had exited was served by tlsfloord-2.
    assert len(records["tlsfloord-2"]) >= sessions_since(exited) >= 15, records
