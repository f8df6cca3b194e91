"""What every request passes before it reaches a page or the API (one ASGI middleware).

- **Host**: without a token the server answers only to ``127.0.0.1``, ``localhost`` and ``[::1]``
  (a web page cannot reach it through DNS rebinding).
- **Token**: when set (always with a non-loopback ``--host``), every request needs it:
  ``Authorization: Bearer T``, the ``diptych_token`` cookie, or ``?token=T`` once, which sets
  that cookie (HttpOnly, SameSite=Strict) and redirects a page to its address without it
  (an API call with ``?token=T`` is answered directly).
- **Writes** (any method but GET/HEAD/OPTIONS, except the read-only POSTs in
  :data:`READ_POSTS`): refused with 403 under ``--read-only``, and refused when they come from
  another site (``Sec-Fetch-Site``, ``Origin`` or ``Referer`` naming another origin).
- **Size**: a request body over ``max_body`` bytes gets 413, counted as it arrives.
- **People** (once ``diptych users add`` has defined any): every request needs a person's token
  (the same three ways; the ``--token`` still works, as an admin), even on loopback, and the
  person's role must allow the route (:func:`required_role`): readers look up, translators
  also add, edit, review and save, admins also delete, import and manage people. A browser
  asking for a page without one gets a form that asks once; the token then lives in the
  session cookie. Writes are recorded under the person's name (:mod:`tm.store.actor`).
Refusals are JSON ``{"error": message}`` (a short HTML page for a browser asking for a page).
"""

from __future__ import annotations

import hmac
import html
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from tm.errors import Unavailable

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "diptych_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_POSTS = frozenset({"/api/pretranslate", "/api/pretranslate/draft", "/api/align",
                        "/api/translate", "/api/translate/segment", "/api/translate/download"})
"""POST routes that change nothing (allowed under --read-only; still origin-checked)."""
HEADERS = (
    (b"content-security-policy", (b"default-src 'self'; img-src 'self' data:; object-src 'none';"
     b" base-uri 'none'; frame-ancestors 'none'; form-action 'self'")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)
"""Sent with every page: no inline script runs even if a bug let markup through."""
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
ROLES = ("reader", "translator", "admin")
ADMIN_PATHS = ("/api/users", "/api/import")
"""Routes only admins may use, whatever the method (people's names and roles are theirs)."""
LOCAL_PROBES = frozenset({"/api/align/memory"})
"""Asked by ``diptych review`` on this computer (which memory does the desk serve?): without
a --token the desk answers only on loopback, so these need no person's token."""
Person = tuple[str, str]
"""``(name, role)``."""


def required_role(method: str, path: str) -> str:
    """The least role a request needs: deleting, importing and managing people is an admin's,
    any other change a translator's, looking up (and the read-only POSTs) a reader's."""
    if method == "DELETE" or path.startswith(ADMIN_PATHS):
        return "admin"
    if method in SAFE_METHODS or path in READ_POSTS:
        return "reader"
    return "translator"


@dataclass(frozen=True)
class Policy:
    token: str | None = None
    read_only: bool = False
    max_body: int = 5_000_000
    people: Callable[[str], Person | None] | None = None
    """The person a token belongs to (tm.web.backend.Backend.user_for_token)."""
    has_people: Callable[[], bool] | None = None
    """Whether any person is defined (then every request needs one's token)."""


class TooLarge(Exception):
    pass


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def own_path(path: str) -> str:
    """``path`` as a redirect target that stays on this server: percent-encoded (ASCII, so a
    non-Latin-1 path cannot break the header) with one leading slash, so ``//evil.example/x``
    or ``/\\evil.example`` (which browsers read as another host) become paths of the desk."""
    quoted = quote(path, safe="/-._~!$&'()*+,;=:@%", errors="surrogatepass")
    return "/" + quoted.lstrip("/")


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class Guard:
    """The middleware; see the module docstring."""

    def __init__(self, app: ASGIApp, policy: Policy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        method, path = scope["method"], scope["path"]
        wants_html = "text/html" in headers.get("accept", "") and not path.startswith("/api/")
        try:
            decided, reply = await self._person(scope, headers, method, path)
        except Unavailable as exc:  # the memory's server is down or every connection busy
            await _refuse(send, 503, str(exc), wants_html)
            return
        if not decided:
            reply = self._check(scope, headers, method, path)
        if reply is not None:
            status, message, extra = reply
            await _refuse(send, status, message, wants_html, extra)
            return
        length = headers.get("content-length", "0") or "0"
        if not length.isdigit():
            await _refuse(send, 400, f"bad Content-Length {length!r}", wants_html)
            return
        size = int(length)
        if size > self.policy.max_body:
            await _refuse(send, 413, f"request too large ({size} bytes; the limit is"
                          f" {self.policy.max_body})", wants_html)
            return
        await self._forward(scope, receive, send, wants_html)

    async def _person(self, scope: Scope, headers: dict[str, str], method: str, path: str
                      ) -> tuple[bool, tuple[int, str, list[tuple[bytes, bytes]]] | None]:
        """With people defined: who sends this request, and may they: ``(True, refusal or
        None)``; ``(False, None)`` without people (:meth:`_check` decides)."""
        import anyio.to_thread

        from tm.store import actor

        policy = self.policy
        if policy.people is None or policy.has_people is None or (
                path in LOCAL_PROBES and policy.token is None) or \
                not await anyio.to_thread.run_sync(policy.has_people):
            return False, None
        person: Person | None = None
        given = _given(scope, headers)
        for g in filter(None, given):
            if policy.token and hmac.compare_digest(g.encode(), policy.token.encode()):
                person = (actor.login_name(), "admin")
            else:
                person = await anyio.to_thread.run_sync(policy.people, g)
            if person is not None:
                break
        if person is None:
            return True, (401, ("this desk needs your token: `diptych users token NAME` gives"
                                " one; send it as 'Authorization: Bearer TOKEN'"),
                          [(b"x-sign-in", b"1")])
        name, role = person
        need = required_role(method, path)
        if ROLES.index(role) < ROLES.index(need):
            return True, (403, f"{name} is a {role}: this needs a {need}", [])
        actor.set_actor(name)
        scope.setdefault("state", {})["user"] = name
        scope["state"]["role"] = role
        return True, (self._sign_in(scope, method, path, given[2])
                      or self._write(scope, headers, method, path))

    @staticmethod
    def _sign_in(scope: Scope, method: str, path: str,
                 token: str | None) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        """A page opened with ``?token=T``: the token goes to the session cookie and the page
        is opened again without it."""
        if not token or method != "GET" or path.startswith("/api/"):
            return None
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
        where = path + ("?" + rest if rest else "")
        return 303, "signed in", [
            (b"location", where.encode("latin-1")),
            (b"set-cookie", f"{COOKIE}={token}; HttpOnly; SameSite=Strict;"
             f" Path=/".encode("latin-1"))]

    def _check(self, scope: Scope, headers: dict[str, str], method: str,
               path: str) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        policy = self.policy
        if policy.token is None:
            if _host_name(headers.get("host", "")).lower() not in LOOPBACK:
                return 403, ("this server answers only at 127.0.0.1 or localhost; start it with"
                             " --host and a token to share it"), []
        else:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            cookie = SimpleCookie(headers.get("cookie", ""))
            bearer = headers.get("authorization", "")
            given = [bearer[7:].strip() if bearer[:7].lower() == "bearer " else None,
                     cookie[COOKIE].value if COOKIE in cookie else None, query.get("token")]
            if not any(g and hmac.compare_digest(g.encode(), policy.token.encode())
                       for g in given):
                return 401, ("this server needs its token: open the address it printed"
                             " (…/?token=…) or send 'Authorization: Bearer TOKEN'"), []
            if query.get("token") and method == "GET" and not path.startswith("/api/"):
                rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
                where = own_path(path) + ("?" + rest if rest else "")
                return 303, "signed in", [
                    (b"location", where.encode("ascii")),
                    (b"set-cookie", f"{COOKIE}={policy.token}; HttpOnly; SameSite=Strict;"
                     f" Path=/".encode("latin-1"))]
        return self._write(scope, headers, method, path)

    def _write(self, scope: Scope, headers: dict[str, str], method: str,
               path: str) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        """A change must come from this site, and is refused under --read-only."""
        policy = self.policy
        if method in SAFE_METHODS:
            return None
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return 403, "cross-site request refused", []
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower()
        origin = headers.get("origin") or (_origin_of(headers["referer"])
                                           if headers.get("referer") else None)
        if origin is not None and origin.lower() != own:
            return 403, f"cross-origin request from {origin} refused", []
        if policy.read_only and path not in READ_POSTS:
            return 403, "this server is read-only (--read-only): nothing can be changed", []
        return None

    async def _forward(self, scope: Scope, receive: Receive, send: Send,
                       wants_html: bool) -> None:
        """Run the app, counting the body as it arrives; past the limit the app's reply (it
        may have turned the error into a 400) is replaced by a 413."""
        seen = 0
        state = {"started": False, "over": False}
        limit = self.policy.max_body
        message_413 = f"request too large (the limit is {limit} bytes)"

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    state["over"] = True
                    raise TooLarge
            return message

        async def tracked(message: Message) -> None:
            if message["type"] == "http.response.start":
                if state["over"]:
                    state["started"] = True
                    await _refuse(send, 413, message_413, wants_html)
                    return
                state["started"] = True
                message["headers"] = [*message.get("headers", []), *HEADERS]
            elif state["over"]:
                return  # the body of the replaced reply
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except TooLarge:
            if not state["started"]:
                await _refuse(send, 413, message_413, wants_html)


def _given(scope: Scope, headers: dict[str, str]) -> list[str | None]:
    """The tokens a request carries: bearer header, session cookie, ``?token=``."""
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    cookie = SimpleCookie(headers.get("cookie", ""))
    bearer = headers.get("authorization", "")
    return [bearer[7:].strip() if bearer[:7].lower() == "bearer " else None,
            cookie[COOKIE].value if COOKIE in cookie else None, query.get("token")]


SIGN_IN = ("<form method=get><label>Your token <input name=token type=password"
           " autocomplete=current-password autofocus required></label>"
           " <button>Sign in</button></form>")
"""What a page without a person's token shows: the token, once, for this browser session."""


async def _refuse(send: Send, status: int, message: str, wants_html: bool,
                  extra: list[tuple[bytes, bytes]] | None = None) -> None:
    if wants_html:
        form = SIGN_IN if (b"x-sign-in", b"1") in (extra or []) else ""
        body = (f"<!doctype html><meta charset=utf-8><title>diptych: {status}</title>"
                f"<p>{html.escape(message)}</p>{form}").encode()
        kind = b"text/html; charset=utf-8"
    else:
        body = json.dumps({"error": message}).encode()
        kind = b"application/json"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
