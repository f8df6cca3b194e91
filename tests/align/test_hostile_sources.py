"""Hostile and broken inputs (issue 13): endless devices and FIFOs, UTF-16, control characters,
and web servers that drip, lie about lengths, break gzip or HTTP itself. Every one is one
InputError that says what happened; a server on 127.0.0.1 answers from a bounded loop."""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from align.errors import InputError
from align.sources import file_sha256, read_source, read_text_file

STORY_EN = "Storm closes mountain pass\n\nA spring storm closed the Anzob pass on Tuesday.\n"
STORY_RU = "Буря закрыла перевал\n\nВесенняя буря во вторник закрыла Анзобский перевал.\n"
PAGE = (b"<html><head><title>Storm closes pass</title></head><body><h1>Storm closes pass</h1>"
        + b"".join(b"<p>Paragraph %d of the story says what the storm did to the road.</p>" % i
                   for i in range(40)) + b"</body></html>")


# --- local files -------------------------------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_endless_device_is_refused_once_past_the_limit(device: str) -> None:
    with pytest.raises(InputError, match="device or stream with more than the 0.001 MB limit"):
        read_source(device, max_bytes=1000)
    assert file_sha256(Path(device)) is None  # never hashed: it would never end


def test_list_files_are_read_with_the_same_limit(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="more than the 0.001 MB limit for one list of pairs"):
        read_text_file(Path("/dev/zero"), 1000, what="list of pairs")
    listed = tmp_path / "pairs.tsv"
    listed.write_bytes("a.txt\tб.txt\n".encode("utf-16"))
    assert read_text_file(listed, what="list of pairs") == "a.txt\tб.txt\n"


def _feed_fifo(path: Path, chunk: bytes, times: int) -> threading.Thread:
    """A writer that opens the FIFO and writes ``chunk`` up to ``times`` times."""

    def write() -> None:
        try:
            with open(path, "wb") as f:
                for _ in range(times):
                    f.write(chunk)
                    f.flush()
        except BrokenPipeError:  # the reader stopped: what the test wants
            pass

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return thread


def test_fifo_is_read_up_to_the_limit_only(tmp_path: Path) -> None:
    fifo = tmp_path / "endless"
    os.mkfifo(fifo)
    assert file_sha256(fifo) is None  # not opened: hashing would consume it
    writer = _feed_fifo(fifo, b"word " * 200, times=10_000)  # 10 MB if nobody stops it
    with pytest.raises(InputError, match="more than the 0.01 MB limit"):
        read_source(fifo, max_bytes=10_000)
    writer.join(timeout=10)
    assert not writer.is_alive()


def test_fifo_with_a_story_is_read(tmp_path: Path) -> None:
    """``diptych align <(curl ...) ru.txt`` passes a pipe: a short story through it is fine."""
    fifo = tmp_path / "story"
    os.mkfifo(fifo)
    writer = _feed_fifo(fifo, STORY_EN.encode(), times=1)
    assert read_source(fifo).text == STORY_EN.strip()
    writer.join(timeout=10)


def test_file_sha256_is_the_hash_of_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(STORY_EN)
    assert file_sha256(path) == hashlib.sha256(STORY_EN.encode()).hexdigest()
    assert read_source(path).file_hash == file_sha256(path)
    assert file_sha256(path, max_bytes=10) is None
    assert file_sha256(tmp_path / "missing.txt") is None


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])  # BOM, none, none
@pytest.mark.parametrize("story", [STORY_EN, STORY_RU])
def test_utf16_text_is_decoded(tmp_path: Path, encoding: str, story: str) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(story.encode(encoding))
    assert read_source(path).text == story.strip()


def test_utf16_html_without_bom_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.decode().encode("utf-16-le"))
    assert read_source(path).text.startswith("Storm closes pass\n\nParagraph 0 of the story")


def test_cp1251_still_gets_the_iconv_hint(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(STORY_RU.encode("cp1251"))
    with pytest.raises(InputError, match="not valid UTF-8 or UTF-16.*iconv -f cp1251"):
        read_source(path)


def test_control_characters_are_dropped_at_input(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    late_nul = "x" * 70_000 + "\x00"  # past the binary sniffing window
    path.write_text("Page\x0cbreak and a bell\x07 here\ufffe.\n\n" + late_nul + " end.\n")
    text = read_source(path).text
    assert text.startswith("Page break and a bell here.\n\nxxx")
    assert not {"\x00", "\x07", "\x0c", "\ufffe"} & set(text)


def test_undeclared_entity_is_kept_as_text(tmp_path: Path) -> None:
    path = tmp_path / "page.xhtml"
    path.write_bytes(b'<?xml version="1.0"?>\n' + PAGE.replace(b"Paragraph 3 ", b"&nbsp;&foo; 3 "))
    text = read_source(path).text
    assert "&foo; 3 of the story" in text


# --- web servers -------------------------------------------------------------------------------

Answer = Callable[[socket.socket], None]


def _send(data: bytes) -> Answer:
    return lambda conn: conn.sendall(data)


def _head(status: str = "200 OK", extra: str = "", length: int | None = None) -> bytes:
    size = f"Content-Length: {length}\r\n" if length is not None else ""
    return (f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n{size}{extra}"
            "Connection: close\r\n\r\n").encode()


class _Drip:
    """Sends ``head`` at once, then ``body`` a byte every ``pause`` seconds, up to ``limit``
    bytes; ``sent`` says how many went out before the client hung up."""

    def __init__(self, head: bytes, body: bytes, pause: float = 0.05, limit: int = 400) -> None:
        self.head, self.body, self.pause, self.limit = head, body, pause, limit
        self.sent = 0
        self.done = threading.Event()

    def __call__(self, conn: socket.socket) -> None:
        try:
            conn.sendall(self.head)
            for byte in self.body[: self.limit]:
                conn.sendall(bytes([byte]))
                self.sent += 1
                if self.done.wait(self.pause):
                    break
        except OSError:
            pass
        finally:
            self.done.set()


@pytest.fixture()
def server() -> Iterator[Callable[[Answer], str]]:
    """``serve(answer)`` -> the URL of a one-request server that runs ``answer`` on the socket."""
    threads: list[threading.Thread] = []
    listeners: list[socket.socket] = []

    def serve(answer: Answer) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listener.settimeout(10)
        listeners.append(listener)

        def run() -> None:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                request = b""
                while b"\r\n\r\n" not in request and len(request) < 65536:
                    block = conn.recv(4096)
                    if not block:
                        return
                    request += block
                answer(conn)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)
        return f"http://127.0.0.1:{listener.getsockname()[1]}/story.html"

    yield serve
    for listener in listeners:
        listener.close()
    for thread in threads:
        thread.join(timeout=10)


def _refused(url: str, match: str, **kwargs: float) -> InputError:
    with pytest.raises(InputError, match=match) as info:
        read_source(url, **kwargs)
    assert url in str(info.value) and "\n" not in str(info.value)
    return info.value


@pytest.mark.parametrize("part", ["body", "headers"])
def test_a_dripping_server_is_cut_off_at_the_deadline(
        server: Callable[[Answer], str], part: str) -> None:
    drip = (_Drip(_head(length=len(PAGE)), PAGE) if part == "body"
            else _Drip(b"", _head(extra="X-Pad: " + "y" * 500 + "\r\n") + PAGE))
    _refused(server(drip), r"no complete answer within 0\.5 s", timeout=0.5)
    drip.done.wait(10)
    assert drip.sent < drip.limit  # the client hung up: it did not wait for the whole drip
    drip.done.set()


@pytest.mark.parametrize("answer, message", [
    (_head(extra="Content-Encoding: gzip\r\n", length=300) + b"\x1f\x8b" + os.urandom(298),
     "compressed .gzip. but the data is broken"),
    (_head(extra="Content-Encoding: gzip\r\n", length=200) + gzip.compress(PAGE)[:200],
     "compressed .gzip. page that ends early"),
    (_head(length=len(PAGE)) + PAGE[:100], f"ended after 100 of the {len(PAGE):,} bytes"),
    (b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(150)) + b"\r\n",
     "not valid HTTP .got more than 100 headers"),
    (b"HTTP/1.1 200 OK\r\nX-Long: " + b"y" * 70_000 + b"\r\n\r\n", "header line longer than 64 KB"),
    (b"HTTP/1.1 302 Found\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\n\r\n",
     "redirects to a file: address .'file:///etc/passwd'."),
    (b"HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", "HTTP 302 .moved. without saying where"),
])
def test_broken_answers_get_their_own_line(server: Callable[[Answer], str], answer: bytes,
                                           message: str) -> None:
    _refused(server(_send(answer)), message, timeout=5)


def test_align_files_gives_its_timeout_to_every_download() -> None:
    from align.pipeline import align_files

    listener = socket.create_server(("127.0.0.1", 0))  # accepts in the kernel, never answers
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/story"
        with pytest.raises(InputError, match=r"English edition: cannot fetch .* within 0\.3 s"):
            align_files(url, url, encoder=None, timeout=0.3)  # type: ignore[arg-type]
    finally:
        listener.close()


def test_a_dns_server_that_never_answers_is_cut_off_at_the_deadline(monkeypatch) -> None:
    """getaddrinfo has no timeout of its own: the fetch gives up on it when its time is up."""
    release, answered = threading.Event(), threading.Event()
    calls: list[str] = []

    def silent_dns(host: str, *args: object, **kwargs: object) -> list:
        calls.append(host)
        release.wait(5)  # a dead resolver, until the test lets it go
        answered.set()
        raise socket.gaierror("released by the test")

    monkeypatch.setattr(socket, "getaddrinfo", silent_dns)
    try:
        with pytest.raises(InputError, match=r"cannot fetch .* within 0\.3 s") as info:
            read_source("http://news.example/story", timeout=0.3)
        assert not answered.is_set() and calls == ["news.example"]  # it did not wait for DNS
        assert "\n" not in str(info.value)
    finally:
        release.set()
