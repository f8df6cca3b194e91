"""The product's one HTTP client: one web page over http(s) under one deadline, a size limit,
few redirects, an address policy and clear errors. Nothing else in ``align`` or ``tm`` opens an
HTTP connection (a test reads the sources for it).

Standard library only (``urllib``). ``timeout`` bounds the whole download by the wall clock,
DNS included: the name is resolved in a thread given the time that is left, every connection
gets the time that is left as its socket timeout, and a watchdog shuts the sockets when the time
is up, so a server that drips its headers or body a byte at a time is cut off too.

``public_only`` is the address policy of a server fetching for someone else (SSRF): every
address the host name resolves to is checked (no private, loopback, link-local, multicast,
reserved or unspecified address, IPv4-mapped IPv6 included) and the connection goes to the
address that was checked, so a second DNS answer cannot differ from the first (rebinding); each
redirect is checked the same way, and proxies from the environment are not used. Without it
(a user fetching for themselves) proxies from the environment apply.

Every failure is an :class:`InputError` that names the URL, says what went wrong (unknown host,
HTTP 404, timeout, too large, cut short, not a web page, a private address) and what to do.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urljoin, urlsplit

from align.errors import InputError

USER_AGENT = "diptych/0.1 (+https://pypi.org/project/diptych; article aligner)"
MAX_REDIRECTS = 5
TEXT_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown",
})

_GENERIC_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})
_BLOCK = 1 << 14
"""Bytes asked of the socket at once; a read returns what has arrived, never waits for more."""
_REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


class PrivateAddress(InputError):
    """A URL whose host is (or resolves to) an address inside the fetching server's network."""


@dataclass(frozen=True)
class Page:
    """The bytes of a fetched page, its media type and declared charset, and the final URL."""

    url: str
    data: bytes
    media_type: str
    charset: str | None


def is_url(source: str) -> bool:
    """True for ``http://`` and ``https://`` addresses."""
    return bool(re.match(r"(?i)https?://", source))



class _Deadline:
    """The wall-clock end of one fetch: sockets opened under it are shut when it passes."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        """Seconds left; :class:`TimeoutError` when none are."""
        left = self.at - time.monotonic()
        if left <= 0 or self.expired:
            raise TimeoutError
        return left

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        try:  # the plain socket's shutdown, also for TLS: a blocked read returns at once
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


def resolve(host: str, port: int, seconds: float) -> list[str]:
    """The addresses ``host`` resolves to, or :class:`TimeoutError` after ``seconds``.

    ``getaddrinfo`` has no timeout of its own (a dead DNS server holds it for the system's
    retries, 20 s and more), so it runs in a daemon thread that is left behind when time is up.
    Errors are the resolver's own (:class:`socket.gaierror`).
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            box["error"] = exc

    worker = threading.Thread(target=run, name="diptych-dns", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TimeoutError(f"no DNS answer for '{host}' within {seconds:g} s")
    if "error" in box:
        raise box["error"]
    return [str(info[4][0]) for info in box["infos"]]


def check_public(host: str, addresses: list[str]) -> list[str]:
    """``addresses`` (what ``host`` resolved to) when every one is a public address;
    :class:`PrivateAddress` naming the first that is not (a name with one public and one
    private address is refused: the connection could go to either)."""
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            which = f"'{host}'" if host.strip("[]") == address else f"'{host}' ({address})"
            raise PrivateAddress(
                f"{which} is an address of the server's own network, which this server does"
                " not fetch; paste the article's text instead (or start the server with"
                " --allow-private-urls)")
    return addresses


def checked_address(host: str, port: int, seconds: float = 20.0) -> str:
    """The first public address of ``host`` after checking all of them
    (:func:`check_public`); the DNS answer must come within ``seconds``."""
    try:
        addresses = resolve(host, port, seconds)
    except (socket.gaierror, UnicodeError):
        raise InputError(f"host '{host}' not found (DNS); check the address") from None
    if not addresses:
        raise InputError(f"host '{host}' not found (DNS); check the address")
    return check_public(host, addresses)[0]


class _Watched:
    """A connection that gets the time left as its timeout, resolves its host within it
    (checking the addresses under ``public_only``) and puts its socket under watch."""

    sock: socket.socket
    timeout: float | None

    def __init__(self, *args: Any, deadline: _Deadline, public_only: bool, **kwargs: Any) -> None:
        self._deadline = deadline
        self._public_only = public_only
        super().__init__(*args, **kwargs)
        self._create_connection = self._connect_in_time

    def _connect_in_time(self, address: tuple[str, int], timeout: float | None = None,
                         source_address: tuple[str, int] | None = None) -> socket.socket:
        host, port = address
        error: OSError = OSError(f"'{host}' has no address")
        ips = resolve(host, port, self._deadline.left())
        for ip in check_public(host, ips) if self._public_only else ips:
            try:
                return socket.create_connection((ip, port), self._deadline.left(), source_address)
            except TimeoutError:
                raise
            except OSError as exc:  # the next address, as socket.create_connection does
                error = exc
        raise error

    def connect(self) -> None:
        self.timeout = self._deadline.left()
        super().connect()  # type: ignore[misc]
        self._deadline.watch(self.sock)


class _HTTPConnection(_Watched, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline, public_only: bool) -> None:
        super().__init__()
        self._connection = functools.partial(_HTTPConnection, deadline=deadline,
                                             public_only=public_only)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline, public_only: bool) -> None:
        super().__init__()
        self._connection = functools.partial(_HTTPSConnection, deadline=deadline,
                                             public_only=public_only)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req,
                            context=self._context)  # type: ignore[attr-defined]


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows at most :data:`MAX_REDIRECTS` redirects, only to http(s), and says why not."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, url: str) -> None:
        self.url = url

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        location = headers.get("Location") or headers.get("URI")
        if not location:
            fp.close()
            raise InputError(
                f"'{self.url}' answered HTTP {code} (moved) without saying where to (no Location"
                " header); open it in a browser and pass the address it ends at"
            )
        target = urljoin(req.full_url, location.strip())
        scheme = urlsplit(target).scheme.lower()
        if scheme not in ("http", "https"):
            fp.close()
            raise InputError(
                f"'{self.url}' redirects to a {scheme or 'non-web'}: address ('{target[:200]}'),"
                " which diptych does not follow; save the page and pass the file instead"
            )
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _media_type(headers: Message) -> tuple[str, str | None]:
    media = (headers.get_content_type() or "").lower()
    charset = headers.get_content_charset()
    return media, charset


def _read_body(resp: http.client.HTTPResponse, url: str, *, max_bytes: int,
               deadline: _Deadline) -> bytes:
    """Read the body a block at a time, refusing more than ``max_bytes`` (after decompression)
    and a body that ends before its ``Content-Length`` or its gzip stream does."""
    gzip = (resp.headers.get("Content-Encoding") or "").strip().lower() in ("gzip", "x-gzip")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
    parts: list[bytes] = []
    size = received = 0
    while block := resp.read1(_BLOCK):
        deadline.left()
        received += len(block)
        if inflate is not None:
            block = inflate.decompress(block, max_bytes + 1 - size)
        parts.append(block)
        size += len(block)
        if size > max_bytes:
            raise InputError(
                f"'{url}' is larger than the {max_bytes / 1e6:g} MB limit for one page;"
                " raise the limit (--max-size) or save the article as a file"
            )
    deadline.left()  # a socket shut by the watchdog reads as the end of the body
    length = resp.headers.get("Content-Length", "").strip()
    chunked = "chunked" in (resp.headers.get("Transfer-Encoding") or "").lower()
    if length.isdigit() and not chunked and received < int(length):
        raise InputError(
            f"'{url}' ended after {received:,} of the {int(length):,} bytes it announced (the"
            " connection was cut); try again, or save the page and pass the file"
        )
    if inflate is not None and not inflate.eof:
        raise InputError(
            f"'{url}' sent a compressed (gzip) page that ends early (the download was cut);"
            " try again, or save the page and pass the file"
        )
    return b"".join(parts)


def fetch(url: str, *, timeout: float = 20.0, max_bytes: int = 10_000_000,
          public_only: bool = False, types: frozenset[str] = TEXT_TYPES) -> Page:
    """GET ``url`` and return its body; raises :class:`InputError` when the page cannot be had.

    ``timeout`` bounds the whole download, DNS and redirects included (seconds of wall-clock
    time); ``public_only`` refuses hosts with a non-public address (:class:`PrivateAddress`);
    ``types`` are the media types accepted (web pages and text by default).
    """
    if not is_url(url):
        raise InputError(f"'{url}' is not an http(s) address")
    host = urlsplit(url).hostname
    if not host:
        raise InputError(f"'{url}' has no host name; check the address")
    deadline = _Deadline(timeout)
    handlers: list[urllib.request.BaseHandler] = [
        _HTTPHandler(deadline, public_only), _HTTPSHandler(deadline, public_only),
        _Redirects(url)]
    if public_only:  # a proxy would connect for us, to whatever address it resolves
        handlers.insert(0, urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(url, headers={
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,*/*;q=0.1",
        "Accept-Encoding": "gzip",
        "Accept-Language": "en,ru;q=0.9",
    })
    try:
        with opener.open(request, timeout=timeout) as resp:
            media = _check_headers(resp, url, max_bytes, types)
            data = _read_body(resp, url, max_bytes=max_bytes, deadline=deadline)
            return Page(resp.geturl(), data, media, resp.headers.get_content_charset())
    except Exception as exc:  # every failure becomes one line that names the URL
        if isinstance(exc, InputError) and not deadline.expired:
            raise
        raise _failure(exc, url, host, timeout, expired=deadline.expired) from None
    finally:
        deadline.cancel()


def _check_headers(resp: http.client.HTTPResponse, url: str, max_bytes: int,
                   types: frozenset[str]) -> str:
    """The page's media type, once it is known to be text of an acceptable size."""
    media, _ = _media_type(resp.headers)
    if media in _GENERIC_TYPES and re.search(
            r"\.(txt|text|md|markdown|html?|xhtml)$", urlsplit(url).path, re.IGNORECASE):
        media = ""  # a text file served as bytes: decided by its suffix and content
    if media and media not in types:
        raise InputError(
            f"'{url}' is not a web page or text ({media}); pass the address of an HTML"
            " article, or convert the document to text first"
        )
    length = resp.headers.get("Content-Length", "").strip()
    if length.isdigit() and int(length) > max_bytes:
        raise InputError(
            f"'{url}' is {int(length) / 1e6:.1f} MB, more than the {max_bytes / 1e6:g} MB"
            " limit for one page; raise the limit (--max-size) or save the article as a file"
        )
    return media


def _failure(exc: Exception, url: str, host: str, timeout: float, *, expired: bool
             ) -> InputError:
    """The one line that says why ``url`` could not be had."""
    if expired or isinstance(exc, TimeoutError):
        why = f"no complete answer within {timeout:g} s; try again later or raise --timeout"
    elif isinstance(exc, urllib.error.HTTPError):
        why = _http_error(exc)
    elif isinstance(exc, urllib.error.URLError):
        why = _reason(exc.reason, host, timeout)
    elif isinstance(exc, http.client.LineTooLong):
        why = "the server sent a header line longer than 64 KB (not a web server?)"
    elif isinstance(exc, http.client.IncompleteRead):
        why = "the page ended early (the connection was cut); try again"
    elif isinstance(exc, http.client.RemoteDisconnected):
        why = "the server closed the connection without an answer; try again later"
    elif isinstance(exc, http.client.HTTPException):
        why = f"the server's answer is not valid HTTP ({exc or type(exc).__name__})"
    elif isinstance(exc, zlib.error):
        why = "the page is sent compressed (gzip) but the data is broken; try again later"
    elif isinstance(exc, (OSError, ValueError)):
        why = f"{exc}; check the address and your connection"
    else:
        raise exc
    return InputError(f"cannot fetch '{url}': {why}")


def _http_error(exc: urllib.error.HTTPError) -> str:
    exc.close()
    if exc.code in _REDIRECT_CODES:
        return (f"it redirects more than {MAX_REDIRECTS} times (or in a loop); open it in a"
                " browser and pass the final address")
    hint = {
        404: "page not found; check the address",
        410: "the page was removed",
        401: "the page needs a login; save it from a browser and pass the file",
        403: "access refused; save the page from a browser and pass the file",
        429: "too many requests; wait and try again",
    }.get(exc.code, "try again later, or save the page and pass the file")
    return f"HTTP {exc.code} {exc.reason} ({hint})"


def _reason(reason: object, host: str, timeout: float) -> str:
    if isinstance(reason, socket.gaierror):
        return f"host '{host}' not found (DNS); check the address and your connection"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"no answer within {timeout:g} s; try again later or raise --timeout"
    if isinstance(reason, ConnectionRefusedError):
        return f"connection refused by '{host}'; check the address (and port)"
    if isinstance(reason, ssl.SSLError):
        return f"secure connection failed ({reason}); check the address or the system's certificates"
    return f"{reason}; check the address and your connection"
