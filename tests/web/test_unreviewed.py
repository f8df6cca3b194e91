"""Issue 21: the API and the desk show "unreviewed alignment" on a weak aligned unit."""

from __future__ import annotations

from pathlib import Path

from tests.tm.test_weak_mark import _memory


def test_the_api_and_the_desk_show_the_mark(tmp_path: Path, client_for) -> None:  # type: ignore[no-untyped-def]
    db = _memory(tmp_path)
    client = client_for(db)
    hits = client.get("/api/search", params={"q": "gas prices", "mode": "concordance"}).json()
    assert hits["hits"][0]["unreviewed"] == "unreviewed alignment, 0.62"
    unit = client.get(f"/api/units/{hits['hits'][0]['id']}").json()
    assert unit["unreviewed"] == "unreviewed alignment, 0.62"
    page = client.get(f"/units/{hits['hits'][0]['id']}").text
    assert "unreviewed alignment, 0.62" in page


def test_the_api_confirms_a_unit(tmp_path: Path, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(_memory(tmp_path))
    hit = client.get("/api/search", params={"q": "gas prices", "mode": "concordance"}).json()
    unit_id = hit["hits"][0]["id"]
    done = client.post(f"/api/units/{unit_id}/confirm")
    assert done.status_code == 200 and done.json()["unreviewed"] is None
    assert client.post("/api/units/999/confirm").status_code == 404
