"""The TXT lookup of domain verification: the wire format, built by hand here
(RFC 1035 §4.1), and real UDP exchanges with a stand-in name server on 127.0.0.1."""

import socket
import struct
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coworklib.organizations.domains import (
    DEFAULT_NAMESERVER,
    DnsLookupError,
    encode_txt_question,
    lookup_txt_records,
    parse_txt_response,
    system_nameserver,
)

NAME = "_coworklib-verification.acme.test"
QUESTION = encode_txt_question(NAME)
QUERY_ID = 0x1A2B
TXT, CNAME, IN = 16, 5, 1
RESPONSE, TRUNCATED, RECURSION = 0x8000, 0x0200, 0x0180  # RECURSION: desired and available


def txt_data(*strings: bytes) -> bytes:
    return b"".join(bytes([len(chunk)]) + chunk for chunk in strings)


def record(data: bytes, *, record_type: int = TXT, owner: bytes = b"\xc0\x0c") -> bytes:
    """An answer; the owner defaults to a compression pointer to the question's name (offset 12)."""
    return owner + struct.pack("!HHIH", record_type, IN, 300, len(data)) + data


def reply(
    *answers: bytes, query_id: int = QUERY_ID, flags: int = RESPONSE | RECURSION, question: bytes = QUESTION
) -> bytes:
    return struct.pack("!6H", query_id, flags, 1, len(answers), 0, 0) + question + b"".join(answers)


def parse(message: bytes) -> list[str]:
    return parse_txt_response(message, query_id=QUERY_ID, question=QUESTION)


# --- The question ------------------------------------------------------------------------


def test_the_question_is_encoded_as_length_prefixed_labels_then_type_and_class() -> None:
    assert encode_txt_question("a.bc.") == b"\x01a\x02bc\x00" + struct.pack("!HH", TXT, IN)


@pytest.mark.parametrize("name", ["a" * 64 + ".test", "acme..test", ".".join(["a" * 60] * 5)])
def test_a_name_dns_cannot_hold_is_refused(name: str) -> None:
    with pytest.raises(ValueError):
        encode_txt_question(name)


def test_looking_up_a_name_dns_cannot_hold_finds_nothing_without_asking() -> None:
    assert lookup_txt_records("a" * 64 + ".test", nameserver="192.0.2.1") == []


# --- Parsing replies ------------------------------------------------------------------------


def test_a_txt_record_is_read() -> None:
    message = reply(record(txt_data(b"coworklib-verification=abc123")))

    assert parse(message) == ["coworklib-verification=abc123"]


def test_the_strings_of_one_record_are_joined_and_records_kept_apart() -> None:
    message = reply(record(txt_data(b"coworklib-", b"verification=abc")), record(txt_data(b"v=spf1 -all")))

    assert parse(message) == ["coworklib-verification=abc", "v=spf1 -all"]


def test_an_empty_txt_record_is_an_empty_string() -> None:
    assert parse(reply(record(txt_data(b"")))) == [""]


def test_cnames_leading_to_the_records_are_skipped() -> None:
    target = b"\x06target\x04acme\x04test\x00"
    message = reply(
        record(target, record_type=CNAME),
        # The TXT record's owner is the CNAME's target, written out in full.
        record(txt_data(b"coworklib-verification=abc"), owner=target),
    )

    assert parse(message) == ["coworklib-verification=abc"]


def test_bytes_that_are_not_utf8_do_not_break_parsing() -> None:
    assert parse(reply(record(txt_data(b"caf\xe9")))) == ["caf\ufffd"]


def test_no_answer_is_no_record() -> None:
    assert parse(reply()) == []


def test_a_name_that_does_not_exist_has_no_record() -> None:
    assert parse(reply(flags=RESPONSE | RECURSION | 3)) == []


@pytest.mark.parametrize(
    ("message", "why"),
    [
        (reply(flags=RESPONSE | RECURSION | 2), "server failure"),
        (reply(flags=RESPONSE | RECURSION | 5), "refused"),
        (reply(record(txt_data(b"x")), flags=RESPONSE | RECURSION | TRUNCATED), "truncated"),
        (reply(record(txt_data(b"x")), query_id=QUERY_ID + 1), "another query's id"),
        (reply(record(txt_data(b"x")), flags=RECURSION), "a query, not a reply"),
        (reply(question=encode_txt_question("_coworklib-verification.evil.test")), "another question"),
        (reply(record(txt_data(b"x")))[:11], "shorter than a header"),
        (reply(record(b"\x05ab")), "a string longer than its record"),
        (reply(record(txt_data(b"abc")))[:-1], "a record longer than the reply"),
        (reply(record(txt_data(b"abc")))[: len(reply()) + 5], "cut inside a record header"),
        (reply(record(txt_data(b"abc"), owner=b"\x03abc")), "a name running off the end"),
        (reply(record(txt_data(b"abc"), owner=b"\x50abc\x00")), "a label longer than 63"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_an_unusable_reply_is_an_error(message: bytes, why: str) -> None:
    with pytest.raises(DnsLookupError):
        parse(message)


def test_the_answer_count_cannot_make_parsing_read_past_the_end() -> None:
    message = bytearray(reply(record(txt_data(b"abc"))))
    message[7] = 200  # claims 200 answers, holds one

    with pytest.raises(DnsLookupError):
        parse(bytes(message))


# --- The system's name server ------------------------------------------------------------------------


def test_the_first_nameserver_of_resolv_conf_is_used(tmp_path: Path) -> None:
    resolv_conf = tmp_path / "resolv.conf"
    resolv_conf.write_text("# generated\nsearch acme.test\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n")

    assert system_nameserver(resolv_conf) == "192.0.2.53"


def test_without_resolv_conf_the_local_resolver_is_asked(tmp_path: Path) -> None:
    assert system_nameserver(tmp_path / "missing") == DEFAULT_NAMESERVER
    (tmp_path / "empty").write_text("options edns0\n")
    assert system_nameserver(tmp_path / "empty") == DEFAULT_NAMESERVER


# --- Over UDP, with a stand-in name server ------------------------------------------------------------------------

Answer = Callable[[bytes], list[bytes]]


@pytest.fixture
def name_server() -> Iterator[Callable[[Answer], int]]:
    """Starts a one-query name server on 127.0.0.1 that replies what `answer(query)` returns; gives its port."""
    sockets: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def start(answer: Answer) -> int:
        server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        sockets.append(server)

        def serve() -> None:
            try:
                query, client = server.recvfrom(512)
            except OSError:
                return
            for datagram in answer(query):
                server.sendto(datagram, client)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        threads.append(thread)
        return int(server.getsockname()[1])

    yield start
    for server in sockets:
        server.close()
    for thread in threads:
        thread.join(timeout=5)


def _answering(*records: bytes) -> Answer:
    def answer(query: bytes) -> list[bytes]:
        (query_id,) = struct.unpack_from("!H", query)
        return [reply(*records, query_id=query_id, question=query[12:])]

    return answer


def test_the_records_come_back_over_udp(name_server: Callable[[Answer], int]) -> None:
    port = name_server(_answering(record(txt_data(b"coworklib-verification=abc"))))

    assert lookup_txt_records(NAME, nameserver="127.0.0.1", port=port) == ["coworklib-verification=abc"]


def test_the_query_asks_for_txt_records_with_recursion(name_server: Callable[[Answer], int]) -> None:
    seen: list[bytes] = []

    def answer(query: bytes) -> list[bytes]:
        seen.append(query)
        return _answering()(query)

    port = name_server(answer)
    lookup_txt_records(NAME, nameserver="127.0.0.1", port=port)

    _query_id, flags, questions, answers, authority, additional = struct.unpack_from("!6H", seen[0])
    assert (flags, questions, answers, authority, additional) == (0x0100, 1, 0, 0, 0)
    assert seen[0][12:] == QUESTION


def test_a_reply_to_another_query_is_ignored(name_server: Callable[[Answer], int]) -> None:
    def answer(query: bytes) -> list[bytes]:
        (query_id,) = struct.unpack_from("!H", query)
        stale = reply(record(txt_data(b"forged")), query_id=(query_id + 1) % 65536, question=query[12:])
        return [stale, *_answering(record(txt_data(b"genuine")))(query)]

    port = name_server(answer)

    assert lookup_txt_records(NAME, nameserver="127.0.0.1", port=port) == ["genuine"]


def test_a_silent_name_server_is_an_error_after_the_timeout(name_server: Callable[[Answer], int]) -> None:
    port = name_server(lambda query: [])

    with pytest.raises(DnsLookupError):
        lookup_txt_records(NAME, nameserver="127.0.0.1", port=port, timeout=0.2)


def test_a_name_server_address_that_is_not_an_address_is_an_error() -> None:
    with pytest.raises(DnsLookupError):
        lookup_txt_records(NAME, nameserver="dns.example.test")
