"""The Flask front end: `create_app()` builds it; nothing happens at import time."""
from __future__ import annotations

import logging
import os

from flask import Flask

from search.engines import engine_url, open_engine

# Only this origin; inline SVG needs no exception. frame-ancestors: never framed.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(INDEX_DIR=os.environ.get("TIMTIN_INDEX", "index"))
    app.config.update(config or {})
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    # ENGINE: an engine URL (search/engines.py); an INDEX_DIR given in config means that
    # Whoosh index; otherwise TIMTIN_ENGINE, then TIMTIN_INDEX.
    url = app.config.get("ENGINE") or (f"whoosh:{config['INDEX_DIR']}" if config and "INDEX_DIR" in config
                                       else engine_url(None, app.config["INDEX_DIR"]))
    app.extensions["timtin_engine"] = open_engine(url, warm_up=app.config.get("WARM_UP", False))

    from . import api, pages
    app.register_blueprint(api.bp)
    app.register_blueprint(pages.bp)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    logging.getLogger("timtin").setLevel(logging.INFO)
    return app


def engine():
    """The app's engine (search/engines.py): Whoosh or a cluster, the same calls."""
    from flask import current_app
    return current_app.extensions["timtin_engine"]
