"""The web map and JSON API over a frontwatch store (FastAPI; assets vendored, no CDN)."""
