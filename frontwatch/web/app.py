"""The web map and JSON API: `create_app(db_url, token=None)` serves a store over HTTP.

Routes only translate HTTP to frontwatch.report.data calls; all assets are local (no CDN), the
API is read-only unless a bearer token is configured, and request bodies are capped.
"""

import datetime as dt
import hmac
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from frontwatch.report import data as rd
from frontwatch.store.base import EventFilter, Store

HERE = Path(__file__).resolve().parent
MAX_BODY_BYTES = 1_000_000
MAX_EVENTS = 10_000
WARM_SECONDS = 3.0

# Pages load only their own scripts; images may come from the opt-in online tile layer.
CSP_PAGE = ("default-src 'self'; img-src 'self' data: https://tile.openstreetmap.org; "
            "style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
CSP_DOCS = CSP_PAGE.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")


class ReportIn(BaseModel):
    """A report to ingest (the JSON Lines input format, one object)."""

    date: dt.date
    text: str = Field(min_length=1)
    source: str | None = None
    url: str | None = None
    title: str | None = None
    id: str | None = None


class BodyLimit:
    """ASGI middleware: 413 for a request body over `limit` bytes, declared or streamed."""

    def __init__(self, app: Any, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict, receive: Callable[[], Awaitable[dict]], send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await _too_large(self.limit, scope, send)
            return
        seen = 0

        async def limited_receive() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # An HTTPException passes through FastAPI's body parsing and becomes the 413 reply.
                    raise _BodyTooLarge(413, f"request body larger than {self.limit} bytes")
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _too_large(self.limit, scope, send)


class _BodyTooLarge(HTTPException):
    pass


async def _too_large(limit: int, scope: dict, send: Callable) -> None:
    async def no_body() -> dict:
        return {"type": "http.disconnect"}

    response = JSONResponse({"detail": f"request body larger than {limit} bytes"}, status_code=413)
    await response(scope, no_body, send)


class ReplyCache:
    """Encoded JSON replies by (store data version, route, arguments), bounded in bytes, least
    recently used out first. A stored report or baseline row changes the version, so a reply is
    never served stale; requests for a reply being computed wait for it instead of redoing it."""

    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self._items: OrderedDict[tuple, bytes | None] = OrderedDict()
        self._pending: dict[tuple, threading.Event] = {}
        self._lock = threading.Lock()
        self._bytes = 0
        self.max_bytes = max_bytes

    def get(self, key: tuple, make: Callable[[], bytes | None]) -> bytes | None:
        while True:
            with self._lock:
                if key in self._items:
                    self._items.move_to_end(key)
                    return self._items[key]
                waiting = self._pending.get(key)
                if waiting is None:
                    self._pending[key] = threading.Event()
                    break
            waiting.wait()
        try:
            value = make()
            with self._lock:
                self._items[key] = value
                self._bytes += _size(value)
                while self._bytes > self.max_bytes and len(self._items) > 1:
                    _, old = self._items.popitem(last=False)
                    self._bytes -= _size(old)
            return value
        finally:
            with self._lock:
                self._pending.pop(key).set()


def _size(value: bytes | None) -> int:
    return 256 + len(value or b"")  # an empty reply (404) still costs its key


def _encode(value: Any) -> bytes:
    """Already JSON-ready data: skip FastAPI's per-field encoder, which dominates large replies."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _raw(body: bytes) -> Response:
    return Response(body, media_type="application/json")


def _place_body(store: Store, place_id: str, on: dt.date | None) -> bytes | None:
    detail = rd.place_detail_json(store, place_id, on)
    return detail.encode("utf-8") if detail is not None else None


def app_from_env() -> FastAPI:
    """The app for `FRONTWATCH_DB` (and `FRONTWATCH_TOKEN`): the factory each `serve --workers N`
    process imports (`uvicorn frontwatch.web.app:app_from_env --factory`)."""
    from frontwatch.cli.core import DEFAULT_DB

    return create_app(os.environ.get("FRONTWATCH_DB", DEFAULT_DB), token=os.environ.get("FRONTWATCH_TOKEN") or None,
                      warm_seconds=float(os.environ.get("FRONTWATCH_WARM_SECONDS", WARM_SECONDS)))


def create_app(db_url: str, token: str | None = None, warm_seconds: float = WARM_SECONDS) -> FastAPI:
    """The FastAPI app over the store at `db_url`; POST /api/reports needs `token` (none: read-only).
    At start-up it spends up to `warm_seconds` building the replies users ask for first (0: none)."""
    from frontwatch.store import open_store

    state: dict[str, Any] = {}
    replies = ReplyCache()
    day_cards = rd.DayCards()
    write_lock = threading.Lock()

    def get_store() -> Store:
        if "store" not in state:
            with write_lock:
                state.setdefault("store", open_store(db_url))
        return state["store"]

    def warm_up() -> None:
        """Before the first request: the control cache current, every day's event cards read, and
        the panels of the busiest places (default day) built, within `warm_seconds`."""
        t0 = time.monotonic()
        try:
            store = get_store()
            rd.control_on(store, dt.date.today())  # brings the control cache up to date
            version = store.data_version()
            busiest = day_cards.warm(store, version)
            for place_id, _ in busiest.most_common():
                if time.monotonic() - t0 > warm_seconds:
                    break
                cached(store, ("place", place_id, None), lambda p=place_id: _place_body(store, p, None))
        except Exception as exc:  # a server that cannot warm up still serves (and reports the error)
            logging.getLogger("frontwatch.web").warning("warm-up stopped: %s: %s", type(exc).__name__, exc)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm_seconds > 0:
            await run_in_threadpool(warm_up)
        yield
        if "store" in state:
            state.pop("store").close()

    app = FastAPI(
        title="frontwatch",
        version="0.1.0",
        description="Events, control of settlements and their evidence, extracted from dated war reporting. "
                    "This document is served offline: /openapi.json is the schema, /docs renders it with a "
                    "vendored Swagger UI.",
        docs_url=None, redoc_url=None, lifespan=lifespan,
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape on for .html
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if response.headers.get("content-type", "").startswith("text/html"):
            csp = CSP_DOCS if request.url.path == "/docs" else CSP_PAGE
            response.headers.setdefault("Content-Security-Policy", csp)
        return response

    StoreDep = Annotated[Store, Depends(get_store)]

    def cached(store: Store, key: tuple, make: Callable[[], bytes | None]) -> bytes | None:
        return replies.get((store.data_version(), *key), make)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request) -> Response:
        return templates.TemplateResponse(request, "index.html", {"title": "frontwatch map"})

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> Response:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="frontwatch API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/api/health", tags=["meta"])
    def health() -> dict[str, str]:
        """Liveness, and the trivial baseline the web benchmark compares against."""
        return {"status": "ok"}

    @app.get("/api/meta", tags=["meta"])
    def meta(store: StoreDep) -> Response:
        """Days with reports (the slider's range), record counts, styles, and whether writes are open."""

        def make() -> bytes:
            days = rd.report_days(store)
            return _encode({
                "first_day": days[0].isoformat() if days else None,
                "last_day": days[-1].isoformat() if days else None,
                "report_days": [d.isoformat() for d in days],
                "counts": store.counts(),
                "style": rd.style(),
                "writable": bool(token),
            })

        return _raw(cached(store, ("meta",), make) or b"")

    @app.get("/api/events", tags=["events"])
    def events(
        store: StoreDep,
        since: dt.date | None = None,
        until: dt.date | None = None,
        kind: Annotated[list[str] | None, Query(description="repeat for several kinds")] = None,
        place: str | None = Query(None, description="a settlement name or GeoNames id"),
        include_historical: bool = True,
        limit: int = Query(1000, ge=1, le=MAX_EVENTS),
        offset: int = Query(0, ge=0, description="skip this many events first (the next page)"),
    ) -> Response:
        """Events (contract §2) whose dates overlap [since, until], optionally by kind and place,
        in order of their day; at most `limit`, after the first `offset`."""
        flt = EventFilter(since=since, until=until, kinds=tuple(kind or ()), place=place, limit=limit,
                          include_historical=include_historical)
        version = store.data_version()

        def make() -> bytes:
            if kind or place:
                return rd.events_json(store, flt, offset).encode("utf-8")
            # A window of days (the map's slider): assembled from per-day pieces shared between windows.
            return day_cards.window(store, version, since, until, include_historical, limit, offset).encode("utf-8")

        return _raw(replies.get((version, "events", flt, offset), make) or b"[]")

    @app.get("/api/control", tags=["control"])
    def control(store: StoreDep, on: dt.date | None = None) -> Response:
        """Who holds each settlement on `on` (default: the last report day), with evidence ids (contract §3)."""
        if on is None:
            days = rd.report_days(store)
            on = days[-1] if days else dt.date.today()
        day = on
        body = cached(store, ("control", day), lambda: _encode([rd.state_dict(s) for s in rd.control_on(store, day)]))
        return _raw(body or b"[]")

    @app.get("/api/changes", tags=["control"])
    def changes(store: StoreDep, until: dt.date, since: dt.date | None = None) -> Response:
        """Settlements that changed hands between `since` (default: the previous report day) and `until`."""
        since = since or rd.previous_report_day(store, until)
        body = cached(store, ("changes", since, until), lambda: _encode(rd.control_changes(store, since, until)))
        return _raw(body or b"[]")

    @app.get("/api/places/{place_id}", tags=["control"])
    def place(store: StoreDep, place_id: str, on: dt.date | None = None) -> Response:
        """A settlement (GeoNames id or name): its control timeline, events with evidence and claims."""
        body = cached(store, ("place", place_id, on), lambda: _place_body(store, place_id, on))
        if body is None:
            raise HTTPException(404, f"no events at a place called or numbered {place_id!r}")
        return _raw(body)

    def require_token(authorization: Annotated[str | None, Header()] = None) -> None:
        if not token:
            raise HTTPException(403, "this server is read-only: start it with FRONTWATCH_TOKEN set to accept reports")
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})

    @app.post("/api/reports", tags=["reports"], status_code=201, dependencies=[Depends(require_token)])
    def post_report(store: StoreDep, body: ReportIn) -> JSONResponse:
        """Ingest one report: extract its events and store them (a duplicate changes nothing)."""
        from frontwatch.ingest import make_report
        from frontwatch.service import ingest_reports

        report = make_report(body.text, body.date, source=body.source, url=body.url, title=body.title,
                             id=body.id, origin="api")
        with write_lock:  # one extraction-and-store at a time; reads go on meanwhile
            summary = ingest_reports([report], store)
        if summary.rejected:
            raise HTTPException(422, "; ".join(r.reason for r in summary.rejections) or "report rejected")
        result = {"report_id": report.report_id, "status": "new" if summary.new else "duplicate",
                  "events": summary.events}
        return JSONResponse(result, status_code=201 if summary.new else 200)

    return app
