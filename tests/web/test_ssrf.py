"""A shared server fetches no URL that leads into its own network (SSRF), unless told to."""

from __future__ import annotations

import importlib
import socket
from pathlib import Path

import pytest

from align.errors import InputError
from align.sources.fetch import checked_address
from tm.service import PrivateAddress

fetch = importlib.import_module("align.sources.fetch")  # the module, not the function


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fc00::5", "::ffff:127.0.0.1", "ff02::1",
])
def test_private_loopback_link_local_and_multicast_addresses_are_refused(address: str) -> None:
    with pytest.raises(PrivateAddress, match="own network"):
        checked_address(address, 80)


def test_a_public_address_passes() -> None:
    assert checked_address("93.184.216.34", 443) == "93.184.216.34"


def test_every_address_of_a_name_is_checked(monkeypatch) -> None:
    """A name with one public and one private address is refused: the connection could go
    to either."""
    def resolve(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in ("93.184.216.34", "192.168.0.10")]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(PrivateAddress, match="192.168.0.10"):
        checked_address("mixed.example", 80)


def test_a_silent_dns_server_does_not_hold_a_fetch_past_its_timeout(monkeypatch) -> None:
    import threading

    release, answered = threading.Event(), threading.Event()

    def silent(host: str, *args: object, **kwargs: object) -> list[tuple]:
        release.wait(5)
        answered.set()
        raise socket.gaierror("released by the test")

    monkeypatch.setattr(socket, "getaddrinfo", silent)
    try:
        with pytest.raises(InputError, match=r"cannot fetch 'http://news.example/a'"):
            fetch.fetch("http://news.example/a", timeout=0.3, max_bytes=1000, public_only=True)
        assert not answered.is_set()  # it gave up on the resolver, not the other way round
    finally:
        release.set()


def test_shared_server_refuses_urls_of_its_own_network(client_for, memory: Path,
                                                       news_site: str) -> None:
    client = client_for(memory, token="t" * 24)  # as `diptych serve --host 0.0.0.0`
    auth = {"Authorization": "Bearer " + "t" * 24}
    port = news_site.rsplit(":", 1)[1]
    for url in (f"{news_site}/lake-ferry.en.html", f"http://localhost:{port}/lake-ferry.en.html",
                f"http://[::1]:{port}/x.html"):
        resp = client.post("/api/pretranslate", json={"url": url}, headers=auth)
        assert resp.status_code == 400, url
        error = resp.json()["error"]
        assert "own network" in error and "--allow-private-urls" in error
    allowed = client_for(memory, token="t" * 24, private_urls=True)
    resp = allowed.post("/api/pretranslate", json={"url": f"{news_site}/lake-ferry.en.html"},
                        headers=auth)
    assert resp.status_code == 200 and len(resp.json()["segments"]) > 3


def test_serve_allows_private_urls_on_loopback_or_when_told(memory: Path, monkeypatch) -> None:
    """What `diptych serve` passes to the app: loopback serves its own machine's pages."""
    import uvicorn

    from tm.web import cli

    seen: list[bool] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append(
        app.app.state.settings.private_urls))
    for host, allow in (("127.0.0.1", False), ("0.0.0.0", False), ("0.0.0.0", True)):
        cli.serve(memory, host=host, workers=1, allow_private_urls=allow, echo=False)
    assert seen == [True, False, True]


@pytest.fixture()
def redirecting_site():
    """A page, and a redirect from a 'public' name to the same server by its loopback address."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/go":
                self.send_response(302)
                self.send_header("Location", f"http://127.0.0.1:{self.server.server_port}/page")
                self.end_headers()
                return
            body = b"<html><body><p>Ferry news from the lake.</p></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()
    server.server_close()


def test_the_checked_address_is_the_one_connected_to_and_redirects_are_checked(
        redirecting_site: int, monkeypatch) -> None:
    """'news.example' passes the check as if it were public (its address is this machine's,
    for the test); it is never looked up again (no DNS here), and its redirect to 127.0.0.1 is
    checked like a first request."""
    real_resolve, real_check = fetch.resolve, fetch.check_public
    looked_up: list[str] = []

    def resolve(host: str, port: int, seconds: float) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1"] if host == "news.example" else real_resolve(host, port, seconds)

    monkeypatch.setattr(fetch, "resolve", resolve)
    monkeypatch.setattr(fetch, "check_public", lambda host, ips: ips if host == "news.example"
                        else real_check(host, ips))
    page = fetch.fetch(f"http://news.example:{redirecting_site}/page", timeout=5,
                       max_bytes=10_000, public_only=True)
    assert b"Ferry news" in page.data and page.media_type == "text/html"
    with pytest.raises(PrivateAddress, match="'127.0.0.1' is an address of the server's own"):
        fetch.fetch(f"http://news.example:{redirecting_site}/go", timeout=5, max_bytes=10_000,
                    public_only=True)
    with pytest.raises(InputError, match="more than the .* limit"):
        fetch.fetch(f"http://news.example:{redirecting_site}/page", timeout=5, max_bytes=10,
                    public_only=True)
    assert set(looked_up) == {"news.example", "127.0.0.1"}


def test_the_editor_fetches_under_the_same_address_policy(client_for, memory: Path,
                                                          news_site: str) -> None:
    """Issue 18 finding 1: `POST /api/align` on a shared read-only desk fetched an internal
    page through align's reader, which had no address check."""
    token = "t" * 24
    client = client_for(memory, token=token, read_only=True)
    auth = {"Authorization": "Bearer " + token}
    resp = client.post("/api/align", headers=auth, json={
        "en": {"url": f"{news_site}/lake-ferry.en.html"},
        "ru": {"url": f"{news_site}/lake-ferry.ru.html"}})
    assert resp.status_code == 400
    assert "own network" in resp.json()["error"] and "Ferry" not in resp.text


def test_a_page_sent_a_byte_a_second_does_not_outlast_the_deadline_of_a_public_fetch(
        monkeypatch) -> None:
    """Issue 18 finding 4: pre-translate's fetch looked at the clock only between 64 KB reads.
    The drip comes from this machine, let through as if it were a public address."""
    import threading
    import time

    from tm import service

    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: 100000\r\n\r\n")
            while not stop.wait(0.05):
                try:
                    conn.sendall(b"x")
                except OSError:
                    return

    threading.Thread(target=drip, daemon=True).start()
    monkeypatch.setattr(fetch, "check_public", lambda host, ips: ips)
    started = time.monotonic()
    try:
        with pytest.raises(InputError, match=r"no complete answer within 0\.5 s"):
            service.read_article(f"http://127.0.0.1:{listener.getsockname()[1]}/a",
                                 kind=service.ArticleKind.url, timeout=0.5, private_urls=False)
        assert time.monotonic() - started < 5  # not the 100 s the drip would take
    finally:
        stop.set()
        listener.close()


def test_no_module_but_the_fetcher_opens_an_http_connection() -> None:
    """Issue 25 item 3: one HTTP client in the product (align/sources/fetch.py)."""
    import re

    import align
    import tm

    opens = re.compile(r"\b(urllib\.request|http\.client|urlopen|create_connection|"
                       r"socket\.socket\(|HTTPConnection)|\b(import|from) (requests|httpx|"
                       r"aiohttp|urllib3|pycurl)\b")
    offenders = []
    for package in (align, tm):
        for path in Path(package.__file__).parent.rglob("*.py"):
            if path.name == "fetch.py" and path.parent.name == "sources":
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                if opens.search(code) and not code.lstrip().startswith(('"', "'")):
                    offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == []
