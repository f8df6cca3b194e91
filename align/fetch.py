"""Fetch one web page over http(s): timeouts, a size limit, few redirects, clear errors.

Standard library only (``urllib``). Every failure is an :class:`InputError` that names the URL,
says what went wrong (unknown host, HTTP 404, timeout, too large, not a web page) and what to do.
"""

from __future__ import annotations

import re
import socket
import ssl
import time
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from email.message import Message
from typing import IO
from urllib.parse import urlsplit

from align.errors import InputError

USER_AGENT = "diptych/0.1 (+https://pypi.org/project/diptych; article aligner)"
MAX_REDIRECTS = 5
TEXT_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "text/plain", "text/markdown", "text/x-markdown",
})

_GENERIC_TYPES = frozenset({"application/octet-stream", "binary/octet-stream"})


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


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows at most :data:`MAX_REDIRECTS` redirects, and only to http(s)."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        scheme = urlsplit(newurl).scheme.lower()
        if scheme not in ("http", "https"):
            raise InputError(
                f"'{req.full_url}' redirects to a {scheme or 'relative'}: address ('{newurl}'),"
                " which diptych does not follow; save the page and pass the file instead"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _media_type(headers: Message) -> tuple[str, str | None]:
    media = (headers.get_content_type() or "").lower()
    charset = headers.get_content_charset()
    return media, charset


def _read_limited(resp: IO[bytes], url: str, *, max_bytes: int, deadline: float,
                  gzip: bool) -> bytes:
    """Read the body in blocks, refusing more than ``max_bytes`` (after decompression)."""
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzip else None
    parts: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise TimeoutError
        block = resp.read(1 << 16)
        if not block:
            break
        if inflate is not None:
            block = inflate.decompress(block, max_bytes + 1 - size)
        parts.append(block)
        size += len(block)
        if size > max_bytes:
            raise InputError(
                f"'{url}' is larger than the {max_bytes / 1e6:g} MB limit for one page;"
                " raise the limit (--max-size) or save the article as a file"
            )
    return b"".join(parts)


def fetch(url: str, *, timeout: float = 20.0, max_bytes: int = 10_000_000) -> Page:
    """GET ``url`` and return its body; raises :class:`InputError` when the page cannot be had.

    ``timeout`` bounds each network wait and the whole download (seconds).
    """
    if not is_url(url):
        raise InputError(f"'{url}' is not an http(s) address")
    host = urlsplit(url).hostname
    if not host:
        raise InputError(f"'{url}' has no host name; check the address")
    opener = urllib.request.build_opener(_Redirects())
    request = urllib.request.Request(url, headers={
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,*/*;q=0.1",
        "Accept-Encoding": "gzip",
        "Accept-Language": "en,ru;q=0.9",
    })
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as resp:
            media, charset = _media_type(resp.headers)
            if media in _GENERIC_TYPES and re.search(
                    r"\.(txt|text|md|markdown|html?|xhtml)$", urlsplit(url).path, re.IGNORECASE):
                media = ""  # a text file served as bytes: decided by its suffix and content
            if media and media not in TEXT_TYPES:
                raise InputError(
                    f"'{url}' is not a web page or text ({media}); pass the address of an HTML"
                    " article, or convert the document to text first"
                )
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise InputError(
                    f"'{url}' is {int(length) / 1e6:.1f} MB, more than the"
                    f" {max_bytes / 1e6:g} MB limit for one page; raise the limit (--max-size)"
                    " or save the article as a file"
                )
            gzip = (resp.headers.get("Content-Encoding") or "").lower() == "gzip"
            data = _read_limited(resp, url, max_bytes=max_bytes, deadline=deadline, gzip=gzip)
            return Page(resp.geturl(), data, media, charset)
    except InputError:
        raise
    except urllib.error.HTTPError as exc:
        if 300 <= exc.code < 400:
            raise InputError(
                f"'{url}' redirects more than {MAX_REDIRECTS} times (or in a loop);"
                " open it in a browser and pass the final address"
            ) from None
        hint = {
            404: "page not found; check the address",
            410: "the page was removed",
            401: "the page needs a login; save it from a browser and pass the file",
            403: "access refused; save the page from a browser and pass the file",
            429: "too many requests; wait and try again",
        }.get(exc.code, "try again later, or save the page and pass the file")
        raise InputError(f"cannot fetch '{url}': HTTP {exc.code} {exc.reason} ({hint})") from None
    except urllib.error.URLError as exc:
        raise InputError(f"cannot fetch '{url}': {_reason(exc.reason, host, timeout)}") from None
    except TimeoutError:
        raise InputError(
            f"cannot fetch '{url}': no complete answer within {timeout:g} s; try again later or"
            " raise --timeout"
        ) from None
    except (ConnectionError, OSError, ValueError) as exc:
        raise InputError(f"cannot fetch '{url}': {exc}; check the address and your connection"
                         ) from None


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
