"""Doubles of the outside world for notification tests: a local push service, and the browser side of a
subscription (its key pair and auth secret, to decrypt what the push service received)."""

import base64
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from coworklib.notifications import push


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """The browser side of a subscription: its key pair and auth secret, as `PushSubscription.toJSON()` gives them."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm")
        message: dict[str, Any] = json.loads(plain)
        return message


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class PushService:
    """A push service on 127.0.0.1 that keeps what it receives and answers `status`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status = 201
        self.extra_headers: dict[str, str] = {}
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                service.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))
                )
                self.send_response(service.status)
                for name, value in service.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def endpoint(self, name: str = "abc") -> str:
        return f"{self.origin}/push/{name}"


@pytest.fixture(autouse=True)
def own_vapid_keys(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test has its own data folder, hence its own generated VAPID key, and no VAPID_PRIVATE_KEY."""
    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.delenv("VAPID_PRIVATE_KEY", raising=False)
    monkeypatch.delenv("VAPID_PRIVATE_KEY_FILE", raising=False)
    push._load_keys.cache_clear()
    yield settings.DATA_DIR
    push._load_keys.cache_clear()


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    service.thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


@pytest.fixture
def subscriber() -> Browser:
    """The browser side of a subscription (not the Playwright `browser` of conftest)."""
    return Browser()
