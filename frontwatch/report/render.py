"""The daily situation report: one self-contained HTML page (map, chart, evidence) and Markdown.

HTML goes through Jinja2 with autoescape on; Markdown through an environment whose finalize hook
escapes every value, so a report's `<script>` stays text in both.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from frontwatch.report.charts import timeline_svg
from frontwatch.report.data import SituationData, gather_situation, style
from frontwatch.store.base import Store

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
VENDOR = STATIC / "vendor"
BORDERS = VENDOR / "borders" / "countries-50m-region.geojson"

STANCE_WORDS = {"asserted": "states", "claimed": "claims", "witnessed": "saw", "hedged": "reports (unconfirmed)",
                "denied": "denies"}
SIDE_NAMES = {"UA": "Ukrainian side", "RU": "Russian side", "neutral": "Neutral / third parties", None: "Unattributed"}


def json_for_script(value: Any) -> Markup:
    """JSON safe inside <script>: '<', '>' and '&' become \\u escapes so no data closes the tag."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def _vendor_js(path: Path) -> Markup:
    text = re.sub(r"//# sourceMappingURL=.*", "", path.read_text(encoding="utf-8"))
    if "</script" in text.lower():  # vendored code is ours to trust, but never let it end the tag early
        raise ValueError(f"{path} contains </script")
    return Markup(text)


def _vendor_css(path: Path) -> Markup:
    text = re.sub(r"/\*# sourceMappingURL=.*?\*/", "", path.read_text(encoding="utf-8"))
    return Markup(text.replace("</style", "<\\/style"))


def md_escape(value: Any) -> Any:
    """Markdown cell-safe text: HTML specials as entities, no table-breaking pipes or newlines."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    if not isinstance(value, str):
        return value
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"\s*\n\s*", " ", text)
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", text)


def md_url(url: str | None) -> Markup:
    """A link for a Markdown autolink: only http(s), and nothing that ends the <...>."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return Markup("")
    return Markup(url.replace("<", "%3C").replace(">", "%3E").replace(" ", "%20").replace("\n", ""))


def _filters(env: Environment) -> None:
    env.filters["stance_word"] = lambda s: STANCE_WORDS.get(s, s)
    env.filters["side_name"] = lambda s: SIDE_NAMES.get(s, s)
    env.filters["ctrl_label"] = lambda c: style()["controllers"].get(c, {}).get("label", c or "unknown")
    env.filters["md_url"] = md_url


def html_env() -> Environment:
    env = Environment(loader=PackageLoader("frontwatch.report", "templates"),
                      autoescape=select_autoescape(["html", "j2"], default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    _filters(env)
    return env


def md_env() -> Environment:
    env = Environment(loader=PackageLoader("frontwatch.report", "templates"), autoescape=False,
                      finalize=md_escape, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    _filters(env)
    return env


def _context(data: SituationData) -> dict[str, Any]:
    return {"d": data, "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "style": style()}


def render_html(data: SituationData) -> str:
    map_data = {"states": data.states, "events": data.events, "style": style()}
    ctx = _context(data) | {
        "chart": timeline_svg(data.per_day),
        "leaflet_css": _vendor_css(VENDOR / "leaflet" / "leaflet.css"),
        "fwmap_css": _vendor_css(STATIC / "fwmap.css"),
        "leaflet_js": _vendor_js(VENDOR / "leaflet" / "leaflet.js"),
        "fwmap_js": _vendor_js(STATIC / "fwmap.js"),
        "borders_json": json_for_script(BORDERS.read_text(encoding="utf-8")),
        "map_json": json_for_script(map_data),
    }
    return html_env().get_template("report.html.j2").render(ctx)


def render_markdown(data: SituationData) -> str:
    return md_env().get_template("report.md.j2").render(_context(data))


def write_report(store: Store, on: dt.date, out_dir: str | Path) -> list[Path]:
    """Write situation-YYYY-MM-DD.html and .md into `out_dir`; returns the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = gather_situation(store, on)
    html_path = out / f"situation-{on.isoformat()}.html"
    md_path = out / f"situation-{on.isoformat()}.md"
    html_path.write_text(render_html(data), encoding="utf-8")
    md_path.write_text(render_markdown(data), encoding="utf-8")
    return [html_path, md_path]
