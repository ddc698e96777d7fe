"""Doubles of the outside world for outgoing HTTP: a DNS that answers what a test needs, listening sockets
that record who connected, a certificate authority, and an HTTP(S) server on a loopback address.

Only the resolver is a stand-in (`socket.getaddrinfo`, for the names a test chooses); connections,
TLS and HTTP are real, over loopback.
"""

import datetime
import socket
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_real_getaddrinfo = socket.getaddrinfo


class Resolver:
    """Answers for the names it was given, one answer per lookup, the last one repeated; other names resolve
    for real. `lookups` lists the names asked, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.answers: dict[str, list[Sequence[str]]] = {}
        self.lookups: list[str] = []
        monkeypatch.setattr(socket, "getaddrinfo", self._getaddrinfo)

    def answer(self, name: str, *addresses_per_lookup: Sequence[str]) -> None:
        self.answers[name] = list(addresses_per_lookup)

    def _getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in self.answers:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        self.lookups.append(name)
        queue = self.answers[name]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port), 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port)))
            for address in addresses
        ]


class Listener:
    """A listening TCP socket that never answers: `connections()` says how many clients reached it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.socket = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind((host, port))
        self.socket.listen(16)
        self.socket.setblocking(False)
        self.port: int = self.socket.getsockname()[1]
        self._accepted: list[socket.socket] = []

    def connections(self) -> int:
        # A client's connect() returns once the kernel queued the connection, so it is here to accept.
        while True:
            try:
                connection, _address = self.socket.accept()
            except BlockingIOError:
                return len(self._accepted)
            self._accepted.append(connection)

    def close(self) -> None:
        for connection in self._accepted:
            connection.close()
        self.socket.close()


@dataclass
class CertificateAuthority:
    """A private CA; `issue` makes a server certificate for host names (DNS names only, no IP address)."""

    folder: Path
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))

    def __post_init__(self) -> None:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Coworklib test CA")])
        now = datetime.datetime.now(datetime.UTC)
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self.key, hashes.SHA256())
        )
        self.folder.mkdir(parents=True, exist_ok=True)
        self.bundle = self.folder / "ca.pem"
        self.bundle.write_bytes(self.certificate.public_bytes(serialization.Encoding.PEM))

    def issue(self, *names: str) -> ssl.SSLContext:
        """A server TLS context presenting a certificate for `names`, signed by this CA."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        chain = self.folder / f"{names[0]}.pem"
        chain.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            + certificate.public_bytes(serialization.Encoding.PEM)
        )
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(chain)
        return context


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Server:
    """An HTTP server on a loopback address (HTTPS with `tls`) that keeps what it receives and answers
    `status`, `headers` and `body`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, tls: ssl.SSLContext | None = None) -> None:
        self.received: list[Request] = []
        # The TLS server name (SNI) of each handshake.
        self.server_names: list[str | None] = []
        self.status = 201
        self.headers: dict[str, str] = {}
        self.body = b""
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {name.lower(): value for name, value in self.headers.items()}
                server.received.append(Request("POST", self.path, headers, body))
                self.send_response(server.status)
                for name, value in server.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(server.body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer((host, port), Handler)
        self.port: int = self.http.server_address[1]
        if tls is not None:

            def remember_server_name(connection: ssl.SSLObject | ssl.SSLSocket, name: str | None, _: Any) -> None:
                self.server_names.append(name)

            tls.sni_callback = remember_server_name
            self.http.socket = tls.wrap_socket(self.http.socket, server_side=True)
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
