"""Fetching an article's page on behalf of someone else (the web server's pre-translate form).

A shared server must not become a way into the network behind it (SSRF): unless private
addresses are allowed, every address the host name resolves to is checked (no private,
loopback, link-local, multicast, reserved or unspecified address) and the connection goes to the
address that was checked, so a second DNS answer cannot differ from the first (rebinding). Each
redirect is checked the same way; proxies from the environment are not used.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from align.sources.fetch import resolve
from tm.errors import TMError

MAX_REDIRECTS = 5


class PrivateAddress(TMError):
    """A URL whose host is (or resolves to) an address inside the server's own network."""


def checked_address(host: str, port: int, seconds: float = 20.0) -> str:
    """The first address ``host`` resolves to, after checking all of them; the DNS answer
    must come within ``seconds`` (:class:`TimeoutError`)."""
    try:
        addresses = resolve(host, port, seconds)
    except (socket.gaierror, UnicodeError):
        raise TMError(f"host '{host}' not found (DNS); check the address") from None
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
    if not addresses:
        raise TMError(f"host '{host}' not found (DNS); check the address")
    return addresses[0]


def _seconds(timeout: float | None) -> float:
    """A connection's timeout (urllib's, or None for the global default) as a DNS limit."""
    return timeout if isinstance(timeout, (int, float)) else 20.0


class _HTTP(http.client.HTTPConnection):
    def connect(self) -> None:
        address = checked_address(self.host, self.port, seconds=_seconds(self.timeout))
        self.sock = socket.create_connection((address, self.port), self.timeout)


class _HTTPS(http.client.HTTPSConnection):
    _tls = ssl.create_default_context()

    def connect(self) -> None:
        address = checked_address(self.host, self.port, seconds=_seconds(self.timeout))
        sock = socket.create_connection((address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_HTTP, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(_HTTPS, req)


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise TMError(f"'{req.full_url}' redirects to '{newurl[:200]}', which is not an"
                          " http(s) address; paste the article's text instead")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_public(url: str, *, timeout: float, max_bytes: int) -> tuple[bytes, str, str | None]:
    """GET ``url`` from a public address only: (body, media type, declared charset)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _HTTPHandler,
                                         _HTTPSHandler, _Redirects)
    request = urllib.request.Request(url, headers={"User-Agent": "diptych (pre-translate)"})
    deadline = time.monotonic() + timeout
    try:
        with opener.open(request, timeout=timeout) as resp:
            parts: list[bytes] = []
            size = 0
            while block := resp.read(1 << 16):
                size += len(block)
                if size > max_bytes:
                    raise TMError(f"'{url}' is larger than {max_bytes / 1e6:g} MB; paste the"
                                  " article's text instead")
                if time.monotonic() > deadline:
                    raise TimeoutError
                parts.append(block)
            return (b"".join(parts), resp.headers.get_content_type().lower(),
                    resp.headers.get_content_charset())
    except urllib.error.HTTPError as exc:
        raise TMError(f"cannot fetch '{url}': HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise TMError(f"cannot fetch '{url}': {exc.reason}") from None
    except TimeoutError:
        raise TMError(f"cannot fetch '{url}': no complete answer within {timeout:g} s") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise TMError(f"cannot fetch '{url}': {exc}") from None
