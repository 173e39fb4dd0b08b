"""A small private network of Linux network namespaces for tests that need several hosts.

Every host is a namespace with one interface `eth0` on a shared IPv4 subnet; the
hosts' cables meet on a bridge in a namespace of its own (the "switch"). Namespace
names carry a random token, so parallel runs never meet, and nothing is created in
the namespace the tests run in: interfaces are made directly inside their namespace.

Two ways into a host:
- `host.command(...)` prefixes a command line with `ip netns exec NAME` (`ip` execs
  the command, so the PID the caller gets is the program's own and signals reach it);
- `host.call(function, ...)` runs a Python function on a thread that joined the
  namespace with setns(2): sockets it opens live in that namespace (a real client
  address for imaplib/smtplib without a process per session). Network namespaces
  are per thread in Linux; the thread ends with the call, so the rest of the test
  process stays where it was.
"""

from __future__ import annotations

import ctypes
import dataclasses
import ipaddress
import os
import secrets
import signal
import subprocess
import threading
from typing import Callable, TypeVar

CLONE_NEWNET = 0x40000000
NETNS_DIR = "/run/netns"

_libc = ctypes.CDLL(None, use_errno=True)
Result = TypeVar("Result")


class NamespacesUnavailable(Exception):
    """`ip netns add` is not permitted here (no CAP_SYS_ADMIN, or a restricted container)."""


def _ip(*arguments: str) -> None:
    result = subprocess.run(["ip", *arguments], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(arguments)} exited {result.returncode}: {result.stderr.strip()}")


@dataclasses.dataclass(frozen=True)
class Host:
    """One network namespace with its address on the private subnet."""

    role: str
    namespace: str
    address: str

    def command(self, *arguments: str) -> list[str]:
        """A command line that runs `arguments` inside this host's namespace."""
        return ["ip", "netns", "exec", self.namespace, *arguments]

    def call(self, function: Callable[..., Result], *arguments, **keywords) -> Result:
        """Runs `function` inside this host's namespace and returns (or raises) what it did."""
        outcome: dict = {}

        def run() -> None:
            try:
                descriptor = os.open(f"{NETNS_DIR}/{self.namespace}", os.O_RDONLY)
                try:
                    if _libc.setns(descriptor, CLONE_NEWNET) != 0:
                        error = ctypes.get_errno()
                        raise OSError(error, f"setns into {self.namespace}: {os.strerror(error)}")
                finally:
                    os.close(descriptor)
                outcome["value"] = function(*arguments, **keywords)
            except BaseException as error:  # handed to the caller's thread
                outcome["error"] = error

        thread = threading.Thread(target=run, name=f"in-{self.role}", daemon=True)
        thread.start()
        thread.join()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def pids(self) -> list[int]:
        """Processes still running in this namespace."""
        result = subprocess.run(["ip", "netns", "pids", self.namespace], capture_output=True, text=True,
                                timeout=30)
        return [int(pid) for pid in result.stdout.split()]


class PrivateNetwork:
    """Hosts on one subnet behind a bridge, all in namespaces made for this run.

    `close()` stops whatever still runs in them (by PID: only processes started in
    these namespaces, which nobody else knows the names of) and deletes them.
    """

    def __init__(self, subnet: str = "198.51.100.0/24"):
        self.subnet = ipaddress.ip_network(subnet)
        self.prefix = f"tlsf{secrets.token_hex(3)}"
        self.hosts: dict[str, Host] = {}
        self._namespaces: list[str] = []
        try:
            self._switch = self._add_namespace("switch")
            _ip("-n", self._switch, "link", "add", "br0", "type", "bridge")
            _ip("-n", self._switch, "link", "set", "br0", "up")
        except Exception:
            self.close()
            raise

    @staticmethod
    def check_permitted() -> None:
        """Raises NamespacesUnavailable unless this process may create a network namespace."""
        name = f"tlsf{secrets.token_hex(3)}-probe"
        result = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise NamespacesUnavailable(f"`ip netns add` failed: {result.stderr.strip()}")
        subprocess.run(["ip", "netns", "delete", name], capture_output=True, timeout=30)

    def _add_namespace(self, role: str) -> str:
        name = f"{self.prefix}-{role}"
        _ip("netns", "add", name)
        self._namespaces.append(name)
        _ip("-n", name, "link", "set", "lo", "up")
        return name

    def add_host(self, role: str, host_number: int) -> Host:
        """A namespace for `role` with address number `host_number` on the subnet, cabled to the switch."""
        namespace = self._add_namespace(role)
        address = str(self.subnet.network_address + host_number)
        port = f"p-{role}"[:15]  # interface names are at most 15 bytes
        _ip("-n", self._switch, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", namespace)
        _ip("-n", self._switch, "link", "set", port, "master", "br0", "up")
        _ip("-n", namespace, "addr", "add", f"{address}/{self.subnet.prefixlen}", "dev", "eth0")
        _ip("-n", namespace, "link", "set", "eth0", "up")
        host = Host(role, namespace, address)
        self.hosts[role] = host
        return host

    def close(self) -> None:
        for namespace in reversed(self._namespaces):
            host = Host("leftover", namespace, "")
            for pid in host.pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            subprocess.run(["ip", "netns", "delete", namespace], capture_output=True, timeout=30)
        self._namespaces.clear()
