"""A team on one desk: people with roles and tokens, who changed what, no lost update."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tm.store import TM

OWNER = "s3cret-owner-token-0123456789"


def _people(db: Path) -> dict[str, str]:
    with TM.open(db) as tm:
        return {name: tm.add_user(name, role) for name, role in
                (("rita", "reader"), ("tom", "translator"), ("ada", "admin"))}


def _writes(client, bearer: str) -> list[tuple[str, str]]:
    """Every route that may change the memory (from the app's OpenAPI description), plus a
    write sent to a page's address."""
    from tm.web.security import READ_POSTS, SAFE_METHODS

    paths = client.get("/api/openapi.json", headers=bearer).json()["paths"]
    routes = [(m.upper(), p.replace("{unit_id}", "1").replace("{doc_id}", "1")
               .replace("{name}", "tom"))
              for p, item in paths.items() for m in item
              if m.upper() not in SAFE_METHODS and p not in READ_POSTS]
    assert len(routes) >= 8, routes
    return routes + [("POST", "/units/1"), ("POST", "/documents")]


def _auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_roles_decide_what_a_token_may_do(client_for, memory: Path) -> None:
    tokens = _people(memory)
    client = client_for(memory)  # loopback, no --token: people's tokens are asked all the same
    for path in ("/", "/units/1", "/api/health", "/api/units/1", "/api/users"):
        assert client.get(path).status_code == 401, path
        assert client.get(path, headers=_auth("not-a-token")).status_code == 401, path
    page = client.get("/units/1", headers={"accept": "text/html"})
    assert page.status_code == 401 and 'name=token type=password' in page.text
    reader, translator, admin = (_auth(tokens[n]) for n in ("rita", "tom", "ada"))
    assert client.get("/api/units/1", headers=reader).status_code == 200
    assert client.get("/api/search?q=oil", headers=reader).status_code == 200
    for method, path in _writes(client, admin):
        got = client.request(method, path, headers=reader, json={})
        assert got.status_code == 403, (method, path, got.text)
        assert "rita is a reader" in got.json()["error"]
    for method, path in _writes(client, admin):
        if method == "DELETE" or path.startswith("/api/users"):
            got = client.request(method, path, headers=translator, json={})
            assert got.status_code == 403, (method, path)
    assert client.get("/api/users", headers=translator).status_code == 403
    with TM.open(memory) as tm:
        assert tm.get_unit(1) is not None and len(tm.users()) == 3  # nothing changed
    edited = client.patch("/api/units/1", headers=translator, json={"en": "Oil rose."})
    assert edited.status_code == 200 and edited.json()["changed_by"] == "tom"
    assert client.delete("/api/units/2", headers=admin).status_code == 200
    made = client.post("/api/users", headers=admin, json={"name": "una", "role": "reader"})
    assert made.status_code == 200
    assert client.get("/api/health", headers=_auth(made.json()["token"])).status_code == 200


def test_tokens_are_kept_only_as_hashes(memory: Path) -> None:
    tokens = _people(memory)
    data = memory.read_bytes() + memory.with_name(memory.name + "-wal").read_bytes() \
        if memory.with_name(memory.name + "-wal").exists() else memory.read_bytes()
    with sqlite3.connect(memory) as conn:
        rows = conn.execute("SELECT * FROM users").fetchall()
    for token in tokens.values():
        assert token.encode() not in data
        assert all(token not in map(str, row) for row in rows)
    assert len(rows) == 3


def test_a_page_asks_once_and_the_browser_keeps_the_token(client_for, memory: Path) -> None:
    tokens = _people(memory)
    client = client_for(memory)
    signed = client.get(f"/units/1?token={tokens['rita']}", follow_redirects=False)
    assert signed.status_code == 303 and signed.headers["location"] == "/units/1"
    assert "HttpOnly" in signed.headers["set-cookie"]
    assert "Max-Age" not in signed.headers["set-cookie"]  # the browser session only
    assert client.get("/units/1").status_code == 200  # the cookie, from now on


def test_the_owners_token_still_opens_a_desk_with_people(client_for, memory: Path) -> None:
    _people(memory)
    client = client_for(memory, token=OWNER)
    assert client.delete("/api/units/3", headers=_auth(OWNER)).status_code == 200


def test_an_edit_or_delete_naming_an_older_version_is_refused(client_for, memory: Path) -> None:
    tokens = _people(memory)
    client = client_for(memory)
    tom, ada = _auth(tokens["tom"]), _auth(tokens["ada"])
    first = client.get("/api/units/1", headers=tom).json()
    assert first["version"] == 1
    ok = client.patch("/api/units/1", headers=ada, json={"en": "Oil went up.", "version": 1})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    late = client.patch("/api/units/1", headers=tom, json={"en": "Oil rose by 5%.",
                                                           "version": 1})
    assert late.status_code == 409
    body = late.json()
    assert body["changed_by"] == "ada" and body["changed"] == ok.json()["changed"]
    assert f"changed by ada at {body['changed']}" in body["error"]
    gone = client.delete("/api/units/1?version=1", headers=ada)
    assert gone.status_code == 409 and "changed by ada" in gone.json()["error"]
    now = client.get("/api/units/1", headers=tom).json()
    assert now["en"] == "Oil went up." and now["version"] == 2  # nothing changed
    history = client.get("/api/units/1/history", headers=tom).json()
    assert len(history) == 1 and history[0]["edited_by"] == "ada"
    over = client.patch("/api/units/1", headers=tom, json={"en": "Oil rose by 5%.",
                                                           "version": 2})
    assert over.status_code == 200 and over.json()["changed_by"] == "tom"
    history = client.get("/api/units/1/history", headers=tom).json()
    assert [h["edited_by"] for h in history] == ["tom", "ada"]
    assert client.delete("/api/units/1?version=3", headers=ada).status_code == 200


def test_an_editor_save_over_a_unit_changed_meanwhile_is_refused(client_for,
                                                                  memory: Path) -> None:
    """The probe of the issue: an editor opened on a document, a colleague edits unit 5, the
    editor saves: refused (409) naming the colleague, unit 5 kept with its history."""
    tokens = _people(memory)
    client = client_for(memory)
    tom, ada = _auth(tokens["tom"]), _auth(tokens["ada"])
    opened = client.get("/api/align/documents/1", headers=tom).json()
    assert opened["version"] == 1 and len(opened["seen"]) == 6
    fifth = opened["seen"][4][0]
    assert client.patch(f"/api/units/{fifth}", headers=ada,
                        json={"en": "The museum opens at 9 a.m."}).status_code == 200
    body = {k: opened[k] for k in ("src", "tgt", "beads", "version", "seen")} | {"doc_id": 1}
    body["beads"] = body["beads"][:3]  # the editor's result drops the last three units
    body["src"], body["tgt"] = body["src"][:3], body["tgt"][:3]
    refused = client.post("/api/align/save", headers=tom, json=body)
    assert refused.status_code == 409, refused.text
    assert refused.json()["changed_by"] == "ada" and refused.json()["id"] == fifth
    with TM.open(memory) as tm:
        assert tm.count_units() == 6 and tm.edits(fifth) == 1
    reopened = client.get("/api/align/documents/1", headers=tom).json()
    body.update(version=reopened["version"], seen=reopened["seen"])
    saved = client.post("/api/align/save", headers=tom, json=body)
    assert saved.status_code == 200 and saved.json()["version"] == 2
    late = client.post("/api/align/save", headers=ada, json={**body, "version": 1})
    assert late.status_code == 409 and late.json()["what"] == "document"
    assert "changed by tom" in late.json()["error"]


def test_review_still_finds_a_local_desk_with_people(client_for, memory: Path) -> None:
    _people(memory)
    client = client_for(memory)
    assert client.get("/api/align/memory").json()["db"] == str(memory)  # review's probe
    assert client.get("/api/align/documents/1").status_code == 401
    shared = client_for(memory, token=OWNER)
    assert shared.get("/api/align/memory").status_code == 401
