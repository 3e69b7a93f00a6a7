"""Web API: events with filters, control on a day, a place's timeline and evidence, read-only without
a token, bearer token for POST, body size limit, offline docs, and security headers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_report_render import IMG, SCRIPT, build_war_store

from frontwatch.web.app import MAX_BODY_BYTES, create_app


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("web") / "war.db"
    build_war_store(path).close()
    return str(path)


@pytest.fixture(scope="module")
def client(db: str) -> Iterator[TestClient]:
    with TestClient(create_app(db)) as c:
        yield c


def test_events_filters(client: TestClient) -> None:
    all_events = client.get("/api/events").json()
    assert len(all_events) == 5
    shelling = client.get("/api/events", params={"kind": "shelling"}).json()
    assert [e["location"]["name"] for e in shelling] == ["Kharkiv"] and shelling[0]["fatalities"] == 3
    by_place = client.get("/api/events", params={"place": "kupiansk"}).json()
    assert {e["kind"] for e in by_place} == {"entered"} and len(by_place) == 2
    by_id = client.get("/api/events", params={"place": "707292"}).json()
    assert {e["location"]["name"] for e in by_id} == {"Izium"}
    first_day = client.get("/api/events", params={"since": "2022-09-09", "until": "2022-09-09"}).json()
    assert [e["event_id"] for e in first_day] == ["r1-1"]
    two_kinds = client.get("/api/events", params=[("kind", "shelling"), ("kind", "entered")]).json()
    assert len(two_kinds) == 3
    assert client.get("/api/events", params={"since": "not-a-date"}).status_code == 422


def test_control_on_a_day(client: TestClient) -> None:
    before = {s["place"]: s["controller"] for s in client.get("/api/control", params={"on": "2022-09-09"}).json()}
    after = {s["place"]: s for s in client.get("/api/control", params={"on": "2022-09-11"}).json()}
    assert before.get("Izium") == "RU"
    assert after["Izium"]["controller"] == "UA" and after["Izium"]["id"] == "707292"
    assert after["Izium"]["evidence"]
    assert after["Kupiansk"]["controller"] == "contested"


def test_changes(client: TestClient) -> None:
    changes = client.get("/api/changes", params={"until": "2022-09-11"}).json()
    izium = next(c for c in changes if c["place"] == "Izium")
    assert (izium["from"], izium["to"]) == ("RU", "UA")


def test_place_timeline_and_evidence(client: TestClient) -> None:
    p = client.get("/api/places/707292", params={"on": "2022-09-11"}).json()
    assert p["name"] == "Izium" and p["state"]["controller"] == "UA"
    assert [t["controller"] for t in p["timeline"]][-1] == "UA"
    claimants = {c["claimant"] for e in p["events"] for c in e["claims"]}
    assert "Andriy Yermak" in claimants
    yermak = next(e for e in p["events"] if e["claims"][0]["claimant"] == "Andriy Yermak")
    assert yermak["report"]["source"] == "Reuters" and yermak["report"]["url"] == "https://example.org/izium"
    assert client.get("/api/places/Izium").json()["id"] == "707292"
    missing = client.get("/api/places/Atlantis")
    assert missing.status_code == 404 and "Atlantis" in missing.json()["detail"]


def test_api_returns_hostile_strings_as_data_and_drops_javascript_urls(client: TestClient) -> None:
    events = client.get("/api/events", params={"place": "Kupiansk"}).json()
    hostile = next(e for e in events if e["report_id"] == "r3")
    assert SCRIPT in hostile["evidence"][0]["text"] and IMG in hostile["claims"][0]["claimant"]
    assert hostile["report"]["url"] is None  # javascript: never reaches the page as a link
    r = client.get("/api/events")
    assert r.headers["content-type"].startswith("application/json")


def test_map_page_and_assets_are_local(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text
    for asset in ("/static/vendor/leaflet/leaflet.js", "/static/vendor/leaflet/leaflet.css", "/static/fwmap.js",
                  "/static/app.js", "/static/vendor/borders/countries-50m-region.geojson"):
        assert client.get(asset).status_code == 200, asset
    app_js = client.get("/static/app.js").text + client.get("/static/fwmap.js").text
    assert ".innerHTML" not in app_js  # data goes in with textContent only


def test_docs_are_offline(client: TestClient) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/events", "/api/control", "/api/places/{place_id}", "/api/reports"} <= set(paths)


def test_read_only_without_token(client: TestClient) -> None:
    r = client.post("/api/reports", json={"date": "2022-09-12", "text": "Shelling in Kharkiv."})
    assert r.status_code == 403 and "read-only" in r.json()["detail"]


def test_token_required_and_body_limit(db: str) -> None:
    with TestClient(create_app(db, token="t0ken")) as c:
        body = {"date": "2022-09-12", "text": "Shelling in Kharkiv."}
        assert c.post("/api/reports", json=body).status_code == 401
        assert c.post("/api/reports", json=body, headers={"Authorization": "Bearer nope"}).status_code == 401
        big = {"date": "2022-09-12", "text": "x" * (MAX_BODY_BYTES + 10)}
        r = c.post("/api/reports", json=big, headers={"Authorization": "Bearer t0ken"})
        assert r.status_code == 413

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must count streamed bytes
            for _ in range(12):
                yield b" " * 100_000

        r = c.post("/api/reports", content=chunks(), headers={"Authorization": "Bearer t0ken",
                                                               "Content-Type": "application/json"})
        assert r.status_code == 413


def test_post_report_ingests_with_token(tmp_path: Path) -> None:
    from test_browser import need_pipeline

    need_pipeline()
    db = tmp_path / "post.db"
    build_war_store(db).close()
    with TestClient(create_app(str(db), token="t0ken")) as c:
        auth = {"Authorization": "Bearer t0ken"}
        body = {"date": "2022-09-12", "text": "Russian artillery shelled Kupiansk on Monday, killing two civilians, "
                                              "the regional governor said.", "source": "Test wire"}
        r = c.post("/api/reports", json=body, headers=auth)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "new"
        again = c.post("/api/reports", json=body, headers=auth)
        assert again.status_code == 200 and again.json()["status"] == "duplicate"
        assert "2022-09-12" in c.get("/api/meta").json()["report_days"]
        assert c.post("/api/reports", json={"date": "nope", "text": "x"}, headers=auth).status_code == 422


def test_serve_binds_loopback_by_default() -> None:
    import inspect

    from frontwatch.cli.publish import serve

    assert inspect.signature(serve).parameters["host"].default == "127.0.0.1"
