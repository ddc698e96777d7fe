"""Outgoing HTTP to URLs people give us (web push services; any later integration): never into our own network.

Whoever chooses a URL we post to chooses where our server connects, so every
such request goes through `post`:

- `checked_url` parses strictly, with one grammar (`URL_PATTERN`, which the
  API schemas declare too): `https://`, then a DNS name (ASCII letters, digits
  and hyphens; labels of 1 to 63 characters, at least two of them, the last
  one starting with a letter; 253 characters at most) or a canonical
  dotted-quad IPv4 address, an optional port from 1 to 65535, and a path and
  query made of RFC 3986 characters. There is no user info, fragment,
  backslash, percent-encoding or non-ASCII in the host, no trailing dot, no
  IPv6 literal (a service has a name; its AAAA records are checked below), and
  nothing a resolver or a browser would read as a number (`127.1`,
  `0x7f000001`, `2130706433`, `0177.0.0.1`). We connect to what we parsed
  ourselves, never to what another URL parser makes of the string.
- At send time the name is resolved once; unless every address it resolves to
  is public (`is_public_address`), nothing is sent. The connection then goes
  to one of those very addresses, with TLS SNI, certificate verification and
  the Host header of the name: an answer that changes after the check (DNS
  rebinding) cannot move it. No redirect is followed (the caller gets the 3xx),
  one deadline bounds the whole exchange, and the response body is capped.

Development allowance: with `DEBUG` or `TESTING` on, loopback addresses count
as allowed, and plain http is accepted to `localhost` or a 127.x.x.x address
(local test servers). Never in production.

Certificates are checked against the system's trust store, or the one that
`SSL_CERT_FILE` / `SSL_CERT_DIR` name. No proxy is used.
"""

import http.client
import io
import ipaddress
import os
import re
import socket
import ssl
import time
from collections.abc import Buffer, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, cast

from django.conf import settings

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Every top-level domain starts with a letter; requiring it leaves nothing numeric that an IPv4 parser would
# take for an address in another notation (`127.1`, `0x7f000001`, `2130706433`).
_TOP_LABEL = r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_PCHAR = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
# Valid as a Python, ECMAScript (JSON Schema) and Rust (pydantic) regular expression alike: no look-around,
# no \d (Unicode digits in Rust). Groups: scheme, host, port, path, query.
URL_PATTERN: Final = (
    rf"^(https?)://((?:{_LABEL}\.)+{_TOP_LABEL}|localhost|(?:{_OCTET}\.){{3}}{_OCTET})"
    rf"(?::([0-9]{{1,5}}))?(/(?:{_PCHAR}|/)*)?(\?(?:{_PCHAR}|[/?])*)?$"
)
_URL: Final = re.compile(URL_PATTERN)
_IPV4_LITERAL: Final = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}")
MAX_HOST_LENGTH: Final = 253
DEFAULT_PORTS: Final = {"http": 80, "https": 443}

# Special-purpose ranges (IANA registries) refused whatever this Python's `is_global` says: before 3.12.4 and
# 3.13 it counted multicast, NAT64, 6to4, site-local and several of these as global.
_NOT_PUBLIC_V4: Final = tuple(
    ipaddress.IPv4Network(network)
    for network in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
)
# Global unicast is 2000::/3; inside it, protocol assignments (Teredo, ORCHID…), documentation and 6to4.
_GLOBAL_UNICAST_V6: Final = ipaddress.IPv6Network("2000::/3")
_NOT_PUBLIC_V6: Final = tuple(
    ipaddress.IPv6Network(network) for network in ("2001::/23", "2001:db8::/32", "2002::/16", "3fff::/20")
)
# RFC 6052: a DNS64 resolver answers this prefix + the IPv4 address, and the NAT64 gateway connects to that.
_NAT64_WELL_KNOWN: Final = ipaddress.IPv6Network("64:ff9b::/96")


class OutgoingHTTPError(Exception):
    """Nothing usable came back. The message is one line, safe to log (it never holds the URL's path)."""


class DestinationRefused(OutgoingHTTPError):
    """The URL, or an address its host resolves to, is not one we send to. Permanent: do not retry."""


class OutgoingConnectionError(OutgoingHTTPError):
    """Resolving, connecting, TLS, sending or reading failed or ran out of time. It may work later."""


class ResponseTooLarge(OutgoingHTTPError):
    """The response body is longer than the caller accepts."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str  # in lower case
    port: int
    target: str  # path and query, as sent in the request line

    @property
    def host_header(self) -> str:
        return self.host if self.port == DEFAULT_PORTS[self.scheme] else f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: Mapping[str, str]  # names in lower case
    body: bytes


def _development() -> bool:
    return bool(settings.DEBUG or settings.TESTING)


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether `address` is on the public internet: not loopback, private, link-local, unique-local,
    site-local, multicast, unspecified, reserved, documentation, shared (CGNAT), IPv4-mapped or -compatible,
    6to4, nor a NAT64 address of any of those."""
    if isinstance(address, ipaddress.IPv6Address):
        if address in _NAT64_WELL_KNOWN:
            return is_public_address(ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF))
        return (
            address in _GLOBAL_UNICAST_V6
            and address.is_global
            and not any(address in network for network in _NOT_PUBLIC_V6)
        )
    return address.is_global and not any(address in network for network in _NOT_PUBLIC_V4)


def _allowed(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if is_public_address(address):
        return True
    # `is_loopback` is False for ::ffff:127.0.0.1 on this Python but not on later ones: only the plain forms.
    loopback = address in ipaddress.IPv4Network("127.0.0.0/8") or address == ipaddress.IPv6Address("::1")
    return loopback and _development()


def checked_url(url: str) -> Destination:
    """Where a request to `url` would go, or `DestinationRefused` for a URL we never send to.

    Checks the form and, for a literal IPv4 host, the address; a name's addresses are checked when `post`
    resolves it (they can change until then).
    """
    match = _URL.fullmatch(url)
    if match is None:
        raise DestinationRefused(
            "not an https:// URL made of a host name or dotted-quad IPv4 address, an optional port, a path and a query"
        )
    scheme, host, port_text, path, query = match.groups()
    host = host.lower()
    port = int(port_text) if port_text else DEFAULT_PORTS[scheme]
    if not 1 <= port <= 65535:
        raise DestinationRefused(f"port {port} is out of range")
    if len(host) > MAX_HOST_LENGTH:
        raise DestinationRefused(f"the host name is longer than {MAX_HOST_LENGTH} characters")
    literal = ipaddress.IPv4Address(host) if _IPV4_LITERAL.fullmatch(host) else None
    development = _development()
    if (host == "localhost" or host.endswith(".localhost")) and not development:
        raise DestinationRefused(f"{host} names this machine")
    if literal is not None and not _allowed(literal):
        raise DestinationRefused(f"{literal} is not a public address")
    local_host = host == "localhost" or (literal is not None and literal.is_loopback)
    if scheme == "http" and not (development and local_host):
        raise DestinationRefused("plain http is only for a local server in development")
    return Destination(scheme=scheme, host=host, port=port, target=(path or "/") + (query or ""))


def _resolved(destination: Destination) -> list[tuple[socket.AddressFamily, tuple[str, int]]]:
    """The addresses to connect to, each one checked; one resolution, never repeated for this request."""
    if _IPV4_LITERAL.fullmatch(destination.host):
        candidates = [(socket.AF_INET, (destination.host, destination.port))]
    else:
        try:
            answers = socket.getaddrinfo(
                destination.host, destination.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except (OSError, UnicodeError) as exc:
            raise OutgoingConnectionError(f"cannot resolve {destination.host}: {exc}") from None
        candidates = [
            (family, (str(sockaddr[0]), int(sockaddr[1])))
            for family, _type, _proto, _name, sockaddr in answers
            if family in (socket.AF_INET, socket.AF_INET6)
        ]
    if not candidates:
        raise OutgoingConnectionError(f"{destination.host} has no address")
    for _family, (text, _port) in candidates:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            raise DestinationRefused(f"{destination.host} resolves to {text!r}, not an IP address") from None
        # Every answer, not only the first: the order of answers is the resolver's, hence the attacker's.
        if not _allowed(address):
            raise DestinationRefused(f"{destination.host} resolves to {address}, not a public address")
    return candidates


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


@lru_cache(maxsize=4)
def _tls_context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    """A client context that verifies certificates and host names; built once per trust store (tens of ms)."""
    context = ssl.create_default_context(cafile=cafile, capath=capath)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _connected(
    destination: Destination, candidates: list[tuple[socket.AddressFamily, tuple[str, int]]], deadline: float
) -> socket.socket:
    """A socket connected to the first checked address that answers, TLS-wrapped for `https`."""
    last_error: OSError | None = None
    for family, sockaddr in candidates:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(_remaining(deadline))
            # The address itself, not the name: nothing is resolved a second time.
            sock.connect(sockaddr)
        except OSError as exc:
            sock.close()
            last_error = exc
            continue
        if destination.scheme == "http":
            return sock
        context = _tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        try:
            sock.settimeout(_remaining(deadline))
            # SNI and certificate check for the name we were given, over the socket to the address we checked.
            return context.wrap_socket(sock, server_hostname=destination.host)
        except OSError:
            sock.close()
            raise
    raise last_error or OSError("no address to connect to")


class _DeadlineReader(io.RawIOBase):
    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Buffer) -> int:
        self._sock.settimeout(_remaining(self._deadline))
        return self._sock.recv_into(buffer)


class _DeadlineSocket:
    """What `http.client` uses of a socket (sendall, makefile, close), each wait bounded by one deadline.

    A socket timeout alone bounds each wait, not their sum: a server dripping a byte at a time would hold
    the caller for as long as it likes.
    """

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(_remaining(self._deadline))
        self._sock.sendall(data)

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        # `post` closes the socket once the body is read: http.client closes its socket as soon as it has
        # the headers of a `Connection: close` response, then reads the body from the file it made of it.
        pass


class _PinnedConnection(http.client.HTTPConnection):
    # Never opens a connection of its own: that would resolve the name again (and maybe get another answer).
    auto_open = 0


def post(url: str, *, body: bytes, headers: Mapping[str, str], timeout: float, max_response_bytes: int) -> Response:
    """POST `body` to `url` and return the response, whatever its status (redirects are not followed).

    Raises `DestinationRefused` for a URL or an address we do not send to (nothing was sent),
    `OutgoingConnectionError` when resolving, connecting, TLS or the exchange failed or took more than
    `timeout` seconds in all, `ResponseTooLarge` for a body over `max_response_bytes`.
    """
    destination = checked_url(url)
    deadline = time.monotonic() + timeout
    candidates = _resolved(destination)
    try:
        sock = _connected(destination, candidates, deadline)
        try:
            connection = _PinnedConnection(destination.host, destination.port)
            # http.client only calls sendall, makefile and close on it.
            connection.sock = cast(socket.socket, _DeadlineSocket(sock, deadline))
            connection.request(
                "POST", destination.target, body=body, headers={"Host": destination.host_header, **headers}
            )
            response = connection.getresponse()
            content = bytearray()
            while len(content) <= max_response_bytes:
                chunk = response.read(max_response_bytes + 1 - len(content))
                if not chunk:
                    break
                content += chunk
            response.close()
        finally:
            sock.close()
    except (OSError, http.client.HTTPException) as exc:
        raise OutgoingConnectionError(f"{destination.host}: {type(exc).__name__}: {exc}") from None
    if len(content) > max_response_bytes:
        raise ResponseTooLarge(f"{destination.host} answered more than {max_response_bytes} bytes")
    return Response(
        status=response.status,
        reason=response.reason,
        headers={name.lower(): value for name, value in response.getheaders()},
        body=bytes(content),
    )
