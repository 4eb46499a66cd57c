"""The Flask front end: `create_app()` builds it; nothing happens at import time."""
from __future__ import annotations

import logging
import os

from flask import Flask

from search.engine import Engine

# Only this origin; inline SVG needs no exception. frame-ancestors: never framed.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(INDEX_DIR=os.environ.get("TIMTIN_INDEX", "index"))
    app.config.update(config or {})
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["timtin_engine"] = Engine(app.config["INDEX_DIR"],
                                             warm_up=app.config.get("WARM_UP", False))

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


def engine() -> Engine:
    from flask import current_app
    return current_app.extensions["timtin_engine"]
