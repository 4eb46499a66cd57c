"""The JSON API: /api/search, /api/article/<id>, /api/health."""
from __future__ import annotations

import logging

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import HTTPException

from search.request import InvalidRequest, SearchRequest
from search.storage import IndexNotFound

from . import engine

bp = Blueprint("api", __name__, url_prefix="/api")
log = logging.getLogger("timtin")


def _error(status: int, message: str):
    response = jsonify({"error": message})
    response.status_code = status
    return response


@bp.errorhandler(InvalidRequest)
def invalid(e):
    return _error(400, str(e))


@bp.errorhandler(IndexNotFound)
def no_index(e):
    return _error(503, str(e))


@bp.errorhandler(HTTPException)
def http_error(e):
    return _error(e.code, e.description if e.code not in (404, 405) else e.name.lower())


@bp.errorhandler(Exception)
def unexpected(e):
    log.exception("error serving %s", request.full_path)
    return _error(500, "internal error; it has been logged")


@bp.get("/search")
def search():
    req = SearchRequest.from_params(request.args.getlist)
    return jsonify(engine().search(req).to_dict())


@bp.get("/article/<path:article_id>")
def article(article_id):
    doc = engine().article(article_id)
    if doc is None:
        return _error(404, f"no article with id {article_id!r}")
    return jsonify(doc)


@bp.get("/health")
def health():
    try:
        return jsonify(engine().health())
    except IndexNotFound as e:
        response = jsonify({"status": "no index", "error": str(e), "articles": 0,
                            "indexed_at": None})
        response.status_code = 503
        return response
