"""Closed to internal addresses: what a fetch may connect to.

Feed URLs, the redirects their servers send, and endorsement Sources (URLs taken from
outsiders' feed entries) are untrusted. Any of them may name 127.0.0.1, a private
network, or 169.254.169.254 (the cloud metadata service on CI runners). So every
connection, at every redirect hop, goes through `AddressGuard.connect`: it resolves the
host once, refuses the connection unless every address is public (or in a range the
settings open, `EMINENCE_PULL_ALLOW_ADDRESSES`), and connects to an address it
checked. There is no second lookup that could answer differently (DNS rebinding).

Refused: loopback, private (RFC 1918 and the other special-purpose ranges),
link-local, shared/CGNAT (100.64.0.0/10), multicast, unspecified, reserved, IPv6
unique-local, and those same addresses inside IPv6 forms that carry an IPv4 address
(IPv4-mapped, NAT64, 6to4, Teredo).

`resolve` and `open` are attributes so tests can stub the resolver and the connect
step: a test of a refusal must fail, not send a packet, if the guard is broken. The
suite's resolver answers only `localhost`: no test sends a DNS query either.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
from collections.abc import Iterable

from eminence_model.settings import SettingsError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
SHARED = ipaddress.ip_network("100.64.0.0/10")  # CGNAT; Python does not call it private
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedAddress(OSError):
    """A connection the guard would not make; the message says which address and why."""


def embedded_ipv4(ip: IPAddress) -> tuple[ipaddress.IPv4Address, str] | None:
    """The IPv4 address an IPv6 form carries, and the form's name."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped:
        return ip.ipv4_mapped, "IPv4-mapped"
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF), "NAT64"
    if ip.sixtofour:
        return ip.sixtofour, "6to4"
    if ip.teredo:
        return ip.teredo[1], "Teredo"
    return None


def why_internal(ip: IPAddress) -> str | None:
    """What kind of non-public address ip is, or None for a public one."""
    inner = embedded_ipv4(ip)
    if inner is not None:
        why = why_internal(inner[0])
        return f"the {inner[1]} form of {inner[0]}, {why}" if why else None
    checks = (
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address (where cloud metadata services answer)"),
        (ip.version == 4 and ip in SHARED, "a shared (CGNAT) address"),
        (ip.is_multicast, "a multicast address"),
        (ip.version == 6 and ip in ipaddress.ip_network("fc00::/7"), "a unique-local IPv6 address"),
        (ip.is_private, "a private address"),
        (ip.is_reserved, "a reserved address"),
        (not ip.is_global, "not a public address"),
    )
    return next((why for hit, why in checks if hit), None)


def parse_networks(values: Iterable[str]) -> tuple:
    """Networks from settings ('127.0.0.1', '10.0.0.0/8', '::1'); SettingsError names a bad one."""
    networks = []
    for value in values:
        value = value.strip()
        if not value:
            continue
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise SettingsError([f"EMINENCE_PULL_ALLOW_ADDRESSES: {value!r} is not an address or "
                                 "network (e.g. 10.20.0.0/16)"]) from None
    return tuple(networks)


class AddressGuard:
    # The two steps that touch the network; tests replace them (on the class for the
    # whole suite's resolver, on an instance for one refusal test).
    resolve = staticmethod(socket.getaddrinfo)
    open = staticmethod(socket.create_connection)

    def __init__(self, allow: Iterable = ()):
        self.allow = tuple(allow)

    def refusal(self, ip: IPAddress) -> str | None:
        inner = embedded_ipv4(ip)
        candidates = [ip, inner[0]] if inner else [ip]
        if any(c in net for c in candidates for net in self.allow if c.version == net.version):
            return None
        why = why_internal(ip)
        return f"refused: {ip} is {why}" if why else None

    def addresses(self, host: str, port: int) -> list[IPAddress]:
        """The host's addresses, each one checked; RefusedAddress if any is internal (a
        name that resolves to both kinds is a rebinding attempt or a misconfiguration)."""
        named = True
        try:
            found, named = [ipaddress.ip_address(host.strip("[]"))], False
        except ValueError:
            try:
                infos = self.resolve(host, port, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                raise OSError(f"cannot resolve {host}: {exc.strerror or exc}") from None
            found = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0])
                                       for info in infos))
        for ip in found:
            refused = self.refusal(ip)
            if refused:
                raise RefusedAddress(f"{refused} ({host} resolves to it)" if named else refused)
        return found

    def connect(self, host: str, port: int, timeout: float, source_address=None) -> socket.socket:
        """A connected socket to one of the host's checked addresses."""
        last: OSError | None = None
        for ip in self.addresses(host, port):
            try:
                return self.open((str(ip), port), timeout, source_address)
            except OSError as exc:
                last = exc
        raise last or OSError(f"no address for {host}")


class GuardedHTTPConnection(http.client.HTTPConnection):
    """http.client's connection, connecting only through the guard (set `guard` on it
    before its first request; there is no default, so a forgotten one fails loudly)."""

    guard: AddressGuard

    raw_sock: socket.socket | None = None

    def connect(self):
        self.sock = self.guard.connect(self.host, self.port, self.timeout, self.source_address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # Kept for the fetcher's deadline: http.client drops `sock` when the response will
        # close the connection (no length), while the response still reads from it.
        self.raw_sock = self.sock


class GuardedHTTPSConnection(http.client.HTTPSConnection, GuardedHTTPConnection):
    """TLS over a guarded connection: HTTPSConnection.connect wraps what the guarded
    connect() made (certificate checked against the host name, as ever)."""
