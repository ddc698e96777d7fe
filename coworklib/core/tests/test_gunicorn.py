"""gunicorn as ./run and production start it (config/gunicorn.conf.py), on a free port of 127.0.0.1."""

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def gunicorn_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        COWORKLIB_TESTING="true",
        COWORKLIB_DATA_DIR=str(tmp_path_factory.mktemp("gunicorn-data")),
    )
    command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--config", "config/gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--no-control-socket"]
    server = subprocess.Popen(command, cwd=REPO, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    message = server.stderr.read().decode() if server.stderr else "gunicorn did not start"
                    raise RuntimeError(message) from None
                time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=15)


def request(port: int, method: str, path: str) -> tuple[http.client.HTTPResponse, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def test_the_server_header_does_not_name_gunicorn(gunicorn_port: int) -> None:
    response, _body = request(gunicorn_port, "GET", "/static/img/logo.svg")

    assert response.status == 200
    assert response.getheader("Server") == "Coworklib"
    assert "gunicorn" not in str(response.headers).lower()
    assert response.getheader("Permissions-Policy", "").startswith("camera=(self)")


def test_head_on_the_api_through_gunicorn_has_the_get_headers_and_no_body(gunicorn_port: int) -> None:
    got, body = request(gunicorn_port, "GET", "/api/v1/openapi.json")

    response, head_body = request(gunicorn_port, "HEAD", "/api/v1/openapi.json")

    assert response.status == 200
    assert head_body == b""
    assert response.getheader("Content-Length") == str(len(body)) == got.getheader("Content-Length")
