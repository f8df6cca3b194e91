"""Safe by default: the token, read-only, cross-site writes, loopback Host, request sizes."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

TOKEN = "s3cret-token-for-tests-0123456789"
WRITES = [("PATCH", "/api/units/1", {"en": "changed"}), ("POST", "/api/units/1/undo", None),
          ("DELETE", "/api/units/1", None), ("DELETE", "/api/documents/1", None)]


def _write_routes(client) -> list[tuple[str, str]]:
    """Every API route that may change the memory, from the app's own OpenAPI description
    (the pages are all GET)."""
    from tm.web.security import READ_POSTS, SAFE_METHODS

    paths = client.get("/api/openapi.json").json()["paths"]
    return [(m.upper(), p.replace("{unit_id}", "1").replace("{doc_id}", "1"))
            for p, item in paths.items() for m in item
            if m.upper() not in SAFE_METHODS and p not in READ_POSTS]


def test_with_a_token_every_page_and_api_call_needs_it(client_for, memory: Path) -> None:
    client = client_for(memory, token=TOKEN)
    for path in ("/", "/documents", "/documents/1", "/units/1", "/pretranslate",
                 "/api/health", "/api/search?q=oil", "/api/docs", "/api/openapi.json",
                 "/static/desk.js"):
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers={"authorization": "Bearer wrong"}).status_code == 401
        ok = client.get(path, headers={"authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200, path
    assert client.patch("/api/units/1", json={"en": "x"}).status_code == 401
    assert "error" in client.get("/api/health").json()


def test_token_in_the_address_sets_a_strict_httponly_cookie(client_for, memory: Path) -> None:
    client = client_for(memory, token=TOKEN)
    first = client.get(f"/documents?token={TOKEN}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/documents"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/api/health").status_code == 200  # the cookie now signs requests in
    client.cookies.clear()
    api = client.get(f"/api/health?token={TOKEN}", follow_redirects=False)
    assert api.status_code == 200  # an API client gets its answer, not a redirect


def test_read_only_refuses_every_write_but_reads_and_drafts(client_for, memory: Path) -> None:
    client = client_for(memory, read_only=True)
    routes = _write_routes(client)
    assert {(m, p) for m, p, _ in WRITES} <= set(routes)
    for method, path in routes:
        resp = client.request(method, path, json={"en": "changed"})
        assert resp.status_code == 403, (method, path)
        assert "read-only" in resp.json()["error"]
    assert client.get("/api/units/1").json()["en"] == "Oil prices rose by 5% in May."
    assert client.post("/api/pretranslate", json={"text": "Oil prices rose by 5% in May."}
                       ).status_code == 200
    assert "read-only" in client.get("/").text


@pytest.mark.parametrize("headers", [
    {"origin": "http://evil.example"},
    {"referer": "http://evil.example/page.html"},
    {"sec-fetch-site": "cross-site"},
    {"origin": "http://127.0.0.1:9999"},  # another port is another origin
])
@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_cross_site_writes_are_refused(client, headers, method: str, path: str, body) -> None:
    resp = client.request(method, path, json=body, headers=headers)
    assert resp.status_code == 403 and "refused" in resp.json()["error"]
    assert client.get("/api/units/1").json()["origin"] == "aligned"


def test_same_origin_writes_pass(client) -> None:
    resp = client.patch("/api/units/1", json={"en": "Oil prices rose."},
                        headers={"origin": "http://127.0.0.1:8765", "sec-fetch-site": "same-origin"})
    assert resp.status_code == 200


def test_without_a_token_only_loopback_names_are_answered(client) -> None:
    """A web page cannot read the memory by pointing its own name at 127.0.0.1."""
    assert client.get("/", headers={"host": "attacker.example:8765"}).status_code == 403
    assert client.get("/api/health", headers={"host": "localhost:8765"}).status_code == 200


def test_oversize_requests_are_refused(client_for, memory: Path) -> None:
    client = client_for(memory, max_body=10_000)
    big = {"text": "Oil prices rose. " * 2_000}
    resp = client.post("/api/pretranslate", json=big)
    assert resp.status_code == 413 and "too large" in resp.json()["error"]

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"x" * 1_000

    resp = client.post("/api/pretranslate", content=chunks(),
                       headers={"content-type": "application/json"})
    assert resp.status_code == 413


def test_memory_text_is_escaped_in_pages(client_for, hostile_memory: Path) -> None:
    client = client_for(hostile_memory)
    doc = client.get("/documents/2").text
    for raw in ("<script>window", "<img src=x", "<svg onload"):
        assert raw not in doc
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in doc
    csp = client.get("/").headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp


# ------------------------------------------------------------------ a real server
def test_real_server_on_all_interfaces_needs_the_token(serve, memory: Path) -> None:
    server = serve(memory, "--host", "0.0.0.0", "--token", TOKEN)
    for path in ("/", "/api/health", "/api/search?q=oil"):
        assert httpx.get(server.base + path).status_code == 401
        resp = httpx.get(server.base + path, headers={"authorization": f"Bearer {TOKEN}"})
        assert resp.status_code == 200
    code, err = server.stop()
    assert code in (0, -15), err  # uvicorn re-raises SIGTERM once it has shut down
    assert f"?token={TOKEN}" in err and "stopped serving" in err and "Traceback" not in err


def test_real_server_generates_a_token_when_shared(serve, memory: Path) -> None:
    server = serve(memory, "--host", "0.0.0.0")
    assert httpx.get(server.base + "/api/health").status_code == 401
    _, err = server.stop()
    token = err.split("?token=")[1].split()[0]
    assert len(token) >= 16


def test_real_server_read_only(serve, memory: Path) -> None:
    server = serve(memory, "--read-only")
    for method, path, body in WRITES:
        assert httpx.request(method, server.base + path, json=body).status_code == 403
    assert httpx.get(server.base + "/api/units/1").json()["origin"] == "aligned"
    resp = httpx.post(server.base + "/api/pretranslate", content=b"x" * 6_000_000,
                      headers={"content-type": "application/json"})
    assert resp.status_code == 413
    _, err = server.stop()
    assert "stopped serving" in err and "Traceback" not in err
