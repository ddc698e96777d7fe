"""Outgoing HTTP never reaches this machine or its network: strict URLs, every resolved address checked,
the connection pinned to the checked address, no redirect followed, one deadline, a capped response.

Real sockets, TLS and HTTP on loopback addresses; only DNS answers are made up (`network.Resolver`).
"""

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from coworklib.core import outgoing_http
from coworklib.core.tests.network import CertificateAuthority, Listener, Resolver, Server


@pytest.fixture
def production(settings: Any) -> None:
    """Without the development allowance: loopback is refused like any other non-public address."""
    settings.DEBUG = False
    settings.TESTING = False


@pytest.fixture
def development(settings: Any) -> None:
    settings.DEBUG = False
    settings.TESTING = True


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Resolver:
    return Resolver(monkeypatch)


@pytest.fixture
def listener() -> Iterator[Listener]:
    recorder = Listener()
    yield recorder
    recorder.close()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


@pytest.fixture
def authority(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> CertificateAuthority:
    """A private CA that outgoing HTTPS trusts, alone, for the test's duration."""
    ca = CertificateAuthority(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.bundle))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    return ca


def post(url: str, timeout: float = 5, max_response_bytes: int = 10_000) -> outgoing_http.Response:
    return outgoing_http.post(
        url, body=b"hello", headers={"TTL": "60"}, timeout=timeout, max_response_bytes=max_response_bytes
    )


# --- The form of the URL ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        # IPv4 in the notations browsers and inet_aton() accept besides the dotted quad.
        "https://127.1/x",
        "https://127.0.1/x",
        "https://0x7f000001/x",
        "https://0x7f.0.0.1/x",
        "https://2130706433/x",
        "https://0177.0.0.1/x",
        "https://127.000.000.001/x",
        "https://push.example.net.0x7f/x",
        "https://push.example.net.1/x",
        # Trailing dots, empty or oversized labels, oversized names.
        "https://localhost./x",
        "https://push.example.net./x",
        "https://push..example.net/x",
        "https://.push.example.net/x",
        "https://-push.example.net/x",
        "https://" + "a" * 64 + ".example.net/x",
        "https://" + "a." * 127 + "net/x",
        # Single-label names resolve through the search domains of the local network.
        "https://intranet/x",
        # IPv6 literals, whatever they hold.
        "https://[::1]/x",
        "https://[::ffff:127.0.0.1]/x",
        "https://[::ffff:7f00:1]/x",
        "https://[64:ff9b::7f00:1]/x",
        "https://[fe80::1%25eth0]/x",
        "https://[2606:4700:4700::1111]/x",
        # User info, and the parser differentials it feeds.
        "https://user@push.example.net/x",
        "https://user:secret@push.example.net/x",
        "https://push.example.net@127.0.0.1/x",
        "https://push.example.net:443@127.0.0.1/x",
        "https://push.example.net\\@127.0.0.1/x",
        "https://127.0.0.1\\.push.example.net/x",
        "https:\\\\push.example.net/x",
        # Ports.
        "https://push.example.net:0/x",
        "https://push.example.net:65536/x",
        "https://push.example.net:99999/x",
        "https://push.example.net:/x",
        "https://push.example.net:+443/x",
        # Encodings: percent-encoded or non-ASCII hosts (IDNA is not guessed: push services are ASCII).
        "https://push%2eexample.net/x",
        "https://%31%32%37.0.0.1/x",
        "https://pûsh.example.net/x",
        "https://push.exаmple.net/x",  # a Cyrillic а
        "https://push.example.net/x%zz",
        # Whitespace, control characters, fragments, other schemes, no host.
        "https://push.example.net/a b",
        "https://push.example.net/x\n",
        " https://push.example.net/x",
        "https://push.example.net/x#fragment",
        "HTTPS://push.example.net/x",
        "ftp://push.example.net/x",
        "//push.example.net/x",
        "https:///x",
        "https://",
        "",
    ],
)
def test_a_url_that_is_not_plainly_a_public_host_is_refused(production: None, url: str) -> None:
    with pytest.raises(outgoing_http.DestinationRefused):
        outgoing_http.checked_url(url)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.255.254",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 (an address to refuse, not one to bind)
        "255.255.255.255",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "192.0.0.8",
        "192.0.2.1",
        "198.18.0.1",
    ],
)
def test_a_dotted_quad_that_is_not_public_is_refused(production: None, address: str) -> None:
    with pytest.raises(outgoing_http.DestinationRefused, match="not a public address"):
        outgoing_http.checked_url(f"https://{address}/x")


@pytest.mark.parametrize(
    ("url", "host", "port", "target"),
    [
        ("https://fcm.googleapis.com/fcm/send/dQw4:APA91b", "fcm.googleapis.com", 443, "/fcm/send/dQw4:APA91b"),
        (
            "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABk_-x~y",
            "updates.push.services.mozilla.com",
            443,
            "/wpush/v2/gAAAAABk_-x~y",
        ),
        ("https://Web.Push.Apple.com:8443/QGx?a=1&b=%2F", "web.push.apple.com", 8443, "/QGx?a=1&b=%2F"),
        ("https://xn--pss-bma.example/x", "xn--pss-bma.example", 443, "/x"),
        ("https://8.8.8.8", "8.8.8.8", 443, "/"),
    ],
)
def test_a_push_service_url_is_parsed_into_what_is_connected_to(
    production: None, url: str, host: str, port: int, target: str
) -> None:
    destination = outgoing_http.checked_url(url)

    assert (destination.scheme, destination.host, destination.port, destination.target) == ("https", host, port, target)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/push",
        "http://localhost:8080/push",
        "https://127.0.0.1/push",
        "https://localhost/push",
        "https://push.localhost/push",
    ],
)
def test_this_machine_and_plain_http_are_for_development_only(settings: Any, url: str) -> None:
    settings.DEBUG, settings.TESTING = False, False
    with pytest.raises(outgoing_http.DestinationRefused):
        outgoing_http.checked_url(url)

    settings.DEBUG = True
    assert outgoing_http.checked_url(url).host in url


@pytest.mark.parametrize("url", ["http://push.example.net/x", "http://10.0.0.1/x", "https://10.0.0.1/x"])
def test_development_allows_only_this_machine(development: None, url: str) -> None:
    with pytest.raises(outgoing_http.DestinationRefused):
        outgoing_http.checked_url(url)


def test_the_pattern_declared_to_api_clients_is_the_one_enforced() -> None:
    # ECMAScript (JSON Schema) and Rust (pydantic) read it as Python does: no look-around, no \d, no (?P<…>).
    for construct in ("(?=", "(?!", "(?<", r"\d", "(?P"):
        assert construct not in outgoing_http.URL_PATTERN


# --- Addresses ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "::1",
        "::",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:8.8.8.8",  # IPv4-mapped: refused whatever it maps
        "::127.0.0.1",  # IPv4-compatible (deprecated)
        "::8.8.8.8",
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::a00:1",  # local-use NAT64 prefix
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "fec0::1",  # site-local (deprecated)
        "ff02::1",
        "ff0e::1",
        "2001:db8::1",
        "2001::1",  # Teredo
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:808:808::1",  # 6to4 of a public address: deprecated, never a push service
        "100::1",
        "3fff::1",
        "127.0.0.1",
        "10.0.0.1",
        "100.64.0.1",
        "169.254.169.254",
        "224.0.0.251",
        "192.0.0.8",
    ],
)
def test_addresses_that_are_not_public(address: str) -> None:
    assert not outgoing_http.is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "142.250.75.234", "2606:4700:4700::1111", "2a00:1450:4007:80c::200a", "64:ff9b::808:808"]
)
def test_public_addresses(address: str) -> None:
    assert outgoing_http.is_public_address(ipaddress.ip_address(address))


# --- Resolution and connection -------------------------------------------------------------------------------


def test_a_name_that_resolves_to_this_machine_gets_no_connection(
    production: None, resolver: Resolver, listener: Listener
) -> None:
    resolver.answer("push.attacker.test", ["127.0.0.1"])

    with pytest.raises(outgoing_http.DestinationRefused, match=r"resolves to 127\.0\.0\.1, not a public address"):
        post(f"https://push.attacker.test:{listener.port}/send/abc")

    assert listener.connections() == 0
    assert resolver.lookups == ["push.attacker.test"]


@pytest.mark.parametrize(
    "answer",
    [
        ["10.0.0.7"],
        ["169.254.169.254"],
        ["::1"],
        ["::ffff:127.0.0.1"],
        ["fd00::2"],
        ["64:ff9b::7f00:1"],
        # Every answer counts, not only the first one a client would try.
        ["8.8.8.8", "127.0.0.1"],
        ["2606:4700:4700::1111", "::1"],
    ],
)
def test_a_name_with_any_address_that_is_not_public_is_refused_before_connecting(
    production: None, resolver: Resolver, listener: Listener, answer: list[str]
) -> None:
    resolver.answer("push.attacker.test", answer)

    with pytest.raises(outgoing_http.DestinationRefused, match="not a public address"):
        post(f"https://push.attacker.test:{listener.port}/send/abc")

    assert listener.connections() == 0


def test_a_name_that_does_not_resolve_is_a_connection_error_to_retry(production: None, resolver: Resolver) -> None:
    resolver.answer("push.gone.test", [])

    with pytest.raises(outgoing_http.OutgoingConnectionError, match=r"cannot resolve push\.gone\.test"):
        post("https://push.gone.test/send/abc")


def test_the_connection_goes_to_the_checked_address_even_when_the_name_is_rebound(
    development: None, resolver: Resolver, authority: CertificateAuthority
) -> None:
    # The development allowance lets any loopback address pass the check, 127.0.0.2 included: only pinning
    # the connection to the first answer keeps it away from the second one.
    service = Server("127.0.0.1", tls=authority.issue("push.rebind.test"))
    rebound = Listener("127.0.0.2", service.port)
    resolver.answer("push.rebind.test", ["127.0.0.1"], ["127.0.0.2"])
    try:
        response = post(f"https://push.rebind.test:{service.port}/send/abc?x=1")

        assert response.status == 201
        assert rebound.connections() == 0
        assert resolver.lookups == ["push.rebind.test"]
        [request] = service.received
        assert (request.method, request.path, request.body) == ("POST", "/send/abc?x=1", b"hello")
        assert request.headers["host"] == f"push.rebind.test:{service.port}"
        assert request.headers["ttl"] == "60"
        # The certificate names push.rebind.test only (no IP address): it verified against the name.
        assert service.server_names == ["push.rebind.test"]
    finally:
        service.close()
        rebound.close()


def test_the_rebinding_test_catches_a_client_that_resolves_the_name_again(
    development: None, resolver: Resolver, authority: CertificateAuthority
) -> None:
    # Negative control: check the name's addresses, then connect by name (as requests did before this module).
    service = Server("127.0.0.1", tls=authority.issue("push.rebind.test"))
    rebound = Listener("127.0.0.2", service.port)
    resolver.answer("push.rebind.test", ["127.0.0.1"], ["127.0.0.2"])
    try:
        checked = socket.getaddrinfo("push.rebind.test", service.port)
        assert all(ipaddress.ip_address(answer[4][0]).is_loopback for answer in checked)
        by_name = http.client.HTTPSConnection(
            "push.rebind.test", service.port, context=ssl.create_default_context(cafile=authority.bundle), timeout=0.5
        )
        with pytest.raises(OSError):
            by_name.request("POST", "/send/abc", body=b"hello")

        assert rebound.connections() == 1
        assert service.received == []
    finally:
        service.close()
        rebound.close()


def test_a_certificate_for_another_name_is_refused(
    development: None, resolver: Resolver, authority: CertificateAuthority
) -> None:
    service = Server("127.0.0.1", tls=authority.issue("other.example.test"))
    resolver.answer("push.rebind.test", ["127.0.0.1"])
    try:
        with pytest.raises(outgoing_http.OutgoingConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            post(f"https://push.rebind.test:{service.port}/send/abc")

        assert service.received == []
    finally:
        service.close()


def test_a_certificate_from_an_untrusted_authority_is_refused(
    development: None, resolver: Resolver, authority: CertificateAuthority, tmp_path: Any
) -> None:
    stranger = CertificateAuthority(tmp_path / "stranger")
    service = Server("127.0.0.1", tls=stranger.issue("push.rebind.test"))
    resolver.answer("push.rebind.test", ["127.0.0.1"])
    try:
        with pytest.raises(outgoing_http.OutgoingConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            post(f"https://push.rebind.test:{service.port}/send/abc")

        assert service.received == []
    finally:
        service.close()


# --- The exchange ------------------------------------------------------------------------------------------------


def test_a_redirect_is_returned_not_followed(development: None, server: Server, listener: Listener) -> None:
    server.status = 307
    server.headers = {"Location": f"http://127.0.0.1:{listener.port}/latest/meta-data"}

    response = post(f"http://127.0.0.1:{server.port}/send/abc")

    assert response.status == 307
    assert response.headers["location"].endswith("/latest/meta-data")
    assert listener.connections() == 0
    assert len(server.received) == 1


def test_the_response_body_is_returned_up_to_the_cap(development: None, server: Server) -> None:
    server.status = 400
    server.body = b'{"reason": "bad"}'

    response = post(f"http://127.0.0.1:{server.port}/send/abc")

    assert (response.status, response.reason, response.body) == (400, "Bad Request", b'{"reason": "bad"}')


def test_a_response_over_the_cap_is_refused(development: None, server: Server) -> None:
    server.body = b"x" * 100_000

    with pytest.raises(outgoing_http.ResponseTooLarge):
        post(f"http://127.0.0.1:{server.port}/send/abc", max_response_bytes=1000)


def test_a_server_that_drips_its_answer_is_cut_off_at_the_deadline(development: None) -> None:
    # Each byte comes well within any per-read timeout; only a deadline for the whole exchange ends it.
    drip = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def answer_slowly() -> None:
        connection, _address = drip.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\n")
            while not stop.wait(0.05):
                try:
                    connection.sendall(b"X")
                except OSError:
                    return

    thread = threading.Thread(target=answer_slowly, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        with pytest.raises(outgoing_http.OutgoingConnectionError, match="timed out"):
            post(f"http://127.0.0.1:{drip.getsockname()[1]}/send/abc", timeout=1)
        assert time.monotonic() - started < 3
    finally:
        stop.set()
        thread.join(5)
        drip.close()


def test_a_closed_port_is_a_connection_error(development: None) -> None:
    with socket.create_server(("127.0.0.1", 0)) as reserved:
        port = reserved.getsockname()[1]

    with pytest.raises(outgoing_http.OutgoingConnectionError, match="ConnectionRefusedError"):
        post(f"http://127.0.0.1:{port}/send/abc")
