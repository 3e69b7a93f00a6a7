"""The web map in a real browser (Debian's Chromium driven by Playwright): the slider moves the map to a
day, a click on a settlement opens its evidence, and hostile report text stays text."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parent.parent
SHARED_SAMPLES = REPO.parent / "shared" / "samples"
ARTIFACTS = REPO / "test-artifacts"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _need_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    msg = f"{CHROMIUM} is missing: run `bash scripts/system-deps.sh` (make test does)"
    if _in_ci():
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)


def need_pipeline() -> None:
    """Skip (fail in CI) while the extraction pipeline's parts are not all installed."""
    try:
        from frontwatch.extract.places import find_places  # noqa: F401
        from frontwatch.gazetteer import get_gazetteer  # noqa: F401
        from frontwatch.ingest import make_report, read_reports  # noqa: F401
    except ImportError as exc:
        if _in_ci():
            raise
        pytest.skip(f"extraction pipeline incomplete: {exc}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """uvicorn serving create_app(db) on a free loopback port, in a thread of the test process."""

    def __init__(self, db: str, token: str | None = None) -> None:
        import uvicorn

        from frontwatch.web.app import create_app

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(db, token=token), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _need_browser()
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="fw-chromium-")
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
            viewport={"width": 1280, "height": 860},
        )
        try:
            yield ctx
        finally:
            ctx.close()
            shutil.rmtree(profile, ignore_errors=True)


def _move_slider(page, base_url: str, day: str) -> None:  # noqa: ANN001
    first = httpx.get(f"{base_url}/api/meta").json()["first_day"]
    offset = (dt.date.fromisoformat(day) - dt.date.fromisoformat(first)).days
    slider = page.locator("#day")
    assert 0 <= offset <= int(slider.get_attribute("max")), (first, day)
    slider.fill(str(offset))  # sets the range input and fires input/change, as a drag would
    page.wait_for_selector(f'body[data-loaded-day="{day}"]', timeout=15_000)
    assert page.locator("#day-label").text_content() == day


def _open_map(ctx, url: str):  # noqa: ANN001, ANN202
    page = ctx.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "/")
    page.wait_for_selector("body[data-loaded-day]", timeout=15_000)
    return page, dialogs, errors


def test_hostile_text_stays_text_on_the_map(browser, tmp_path: Path) -> None:  # noqa: ANN001
    from test_report_render import IMG, SCRIPT, build_war_store

    db = tmp_path / "war.db"
    build_war_store(db).close()
    with Server(str(db)) as srv:
        page, dialogs, errors = _open_map(browser, srv.url)
        _move_slider(page, srv.url, "2022-09-11")
        page.click('.fw-place[data-name="Kupiansk"]')
        panel = page.locator("#panel")
        panel.get_by_text("Spokesman", exact=False).first.wait_for(timeout=10_000)
        text = panel.inner_text()
        assert SCRIPT in text and IMG in text  # shown as the words they are
        assert panel.locator("img, script").count() == 0
        assert page.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
        assert dialogs == [] and errors == []
        page.close()


def test_izium_held_by_ukraine_on_2022_09_11_with_yermak_in_evidence(browser, tmp_path: Path) -> None:  # noqa: ANN001
    if not SHARED_SAMPLES.is_dir():
        pytest.skip("../shared/samples is absent")
    need_pipeline()
    from frontwatch.service import ingest_paths
    from frontwatch.store import open_store

    db = tmp_path / "samples.db"
    with open_store(str(db)) as store:
        summary = ingest_paths([SHARED_SAMPLES], store)
    assert summary.new >= 1 and summary.events > 0
    with Server(str(db)) as srv:
        page, dialogs, errors = _open_map(browser, srv.url)
        _move_slider(page, srv.url, "2022-09-11")
        izium = page.locator('.fw-place[data-name="Izium"]')
        izium.wait_for(timeout=10_000)
        assert izium.get_attribute("data-controller") == "UA"
        izium.click()
        page.locator("#panel").get_by_text("Yermak", exact=False).first.wait_for(timeout=10_000)
        assert page.locator("#panel h2").inner_text() == "Izium"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "webmap-izium-2022-09-11.png"))
        assert errors == [] and dialogs == []
        page.close()


def test_report_page_runs_offline_and_keeps_hostile_text_inert(browser, tmp_path: Path) -> None:  # noqa: ANN001
    from test_report_render import SCRIPT, build_war_store

    from frontwatch.report.render import write_report

    with build_war_store(tmp_path / "war.db") as store:
        html_path, _ = write_report(store, dt.date(2022, 9, 11), tmp_path / "out")
    page = browser.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(html_path.as_uri())
    page.locator('.fw-place[data-name="Izium"][data-controller="UA"]').wait_for(timeout=10_000)
    assert SCRIPT in page.locator("body").inner_text()
    assert dialogs == [] and errors == []
    assert [u for u in requests if not u.startswith("file:")] == []  # nothing fetched from the network
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-war-store.png"), full_page=True)
    page.close()
