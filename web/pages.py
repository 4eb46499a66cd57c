"""HTML pages: the search page `/`, the article page `/article/<id>`, and the friendly
error pages (400, 404, 503, 500) for everything outside /api/.

Every page state is in the URL, with the parameters of /api/search: the page is built from
the same SearchRequest, so `/?…` and `/api/search?…` show the same results. No search
logic lives here: the engine answers, the templates render.
"""
from __future__ import annotations

import logging
import math
from urllib.parse import urlencode

from flask import Blueprint, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from search.entities import canonical_agency
from search.highlight import highlight
from search.request import InvalidRequest, SearchRequest
from search.storage import IndexNotFound

from . import engine
from .chart import build_chart

bp = Blueprint("pages", __name__)
log = logging.getLogger("timtin")

FILTERS = ("agency", "person", "source")
FACET_LABELS = {"agency": "Cơ quan", "person": "Nhân vật", "source": "Nguồn"}
SORT_LABELS = {"relevance": "Liên quan", "newest": "Mới nhất", "oldest": "Cũ nhất"}
FACET_VISIBLE = 8      # values shown before "Xem thêm"
CHIPS_MAX_SHOWN = 5    # agencies/persons shown per hit before "+N"


# -- helpers -----------------------------------------------------------------------------

def search_url(req: SearchRequest, endpoint: str = "pages.index") -> str:
    params = req.to_params()
    return url_for(endpoint) + ("?" + urlencode(params) if params else "")


def number(n: int) -> str:
    """1234567 → "1.234.567" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def fmt_date(value: str | None) -> str:
    """"2017-05-11" → "11/05/2017", "2017-05" → "tháng 05/2017", "2017" → "năm 2017"."""
    if not value:
        return ""
    if len(value) == 10:
        return f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    if len(value) == 7:
        return f"tháng {value[5:7]}/{value[:4]}"
    return f"năm {value}"


def fmt_range(date_from: str | None, date_to: str | None) -> str:
    if date_from and date_from == date_to:
        return fmt_date(date_from)
    if date_from and date_to:
        return f"{_short(date_from)} – {_short(date_to)}"
    if date_from:
        return f"từ {_short(date_from)}"
    return f"đến {_short(date_to)}"


def _short(value: str) -> str:
    return "/".join(reversed(value.split("-")))


def _toggle(req: SearchRequest, name: str, value: str, on: bool) -> SearchRequest:
    values = tuple(v for v in getattr(req, name) if v != value)
    if on:
        values += (value,)
    return req.with_(**{name: values, "page": 1})


def _selected(req: SearchRequest, name: str) -> set[str]:
    values = set(getattr(req, name))
    if name == "agency":
        values |= {canonical_agency(v) for v in values}
    return values


# -- the search page ---------------------------------------------------------------------

@bp.get("/")
def index():
    req = SearchRequest.from_params(request.args.getlist)
    eng = engine()
    result = eng.search(req)
    data = result.to_dict()
    # All months and years for the chart and the month list (one cheap extra search).
    if req.facet_size == 200:
        time_facets = data["facets"]
    else:
        time_facets = eng.search(req.with_(facet_size=200), hits=False).facets

    chart = build_chart(time_facets["month"], time_facets["year"], req.date_from, req.date_to,
                        lambda key: search_url(req.with_(date_from=key, date_to=key, page=1)))

    selected = {name: _selected(req, name) for name in FILTERS}
    facets = []
    for name in FILTERS:
        items = []
        for item in data["facets"][name]:
            on = item["value"] in selected[name]
            items.append({"value": item["value"], "count": number(item["count"]),
                          "selected": on, "zero": item["count"] == 0})
        # Ticked values first (a ticked value may count 0), then the rest by count.
        items.sort(key=lambda it: not it["selected"])
        n_visible = max(FACET_VISIBLE, sum(it["selected"] for it in items))
        visible, more = items[:n_visible], items[n_visible:]
        facets.append({"name": name, "label": FACET_LABELS[name], "visible": visible,
                       "more": more})

    years = _year_items(req, data["facets"]["year"])
    months = _month_items(req, time_facets["month"])

    chips = _chips(req)
    hits = [_hit_view(req, h, selected) for h in data["hits"]]
    last_page = max(1, math.ceil(result.total / req.per_page))
    pagination = _pagination(req, last_page) if result.total > req.per_page else None
    empty = None
    if result.total == 0:
        empty = _empty_state(req, chips)

    sorts = [{"value": s, "label": SORT_LABELS[s],
              "url": search_url(req.with_(sort=s, page=1)),
              "current": req.effective_sort == s}
             for s in ("relevance", "newest", "oldest") if s != "relevance" or req.q]
    hidden = [(k, v) for k, v in req.to_params() if k in ("sort", "per_page", "facet_size")]
    suggestion = None
    if data["suggestion"]:
        suggestion = {"text": data["suggestion"],
                      "url": search_url(req.with_(q=data["suggestion"], page=1))}
    title = f"{req.q} – tìm tin" if req.q else "tìm tin – tìm kiếm tin tức tiếng Việt"
    return render_template(
        "search.html", req=req, data=data, hits=hits, facets=facets, years=years,
        months=months, chips=chips, chart=chart, pagination=pagination, empty=empty,
        sorts=sorts, hidden=hidden, suggestion=suggestion, total=number(result.total),
        took=f"{result.took_ms:.0f}", first=(req.page - 1) * req.per_page + 1,
        last=min(req.page * req.per_page, result.total), last_page=last_page,
        beyond=result.total > 0 and req.page > last_page,
        page1=search_url(req.with_(page=1)), title=title,
        clear_all=search_url(SearchRequest(q=req.q, sort=req.sort, per_page=req.per_page,
                                           facet_size=req.facet_size)) if chips else None,
        api_url=search_url(req, "api.search"), api_label="Kết quả này dạng JSON")


def _year_items(req: SearchRequest, years: list[dict]) -> list[dict]:
    out = []
    for item in years:
        y = item["value"]
        on = req.date_from == y and req.date_to == y
        target = req.with_(date_from=None, date_to=None, page=1) if on \
            else req.with_(date_from=y, date_to=y, page=1)
        out.append({"value": y, "count": number(item["count"]), "selected": on,
                    "url": search_url(target)})
    return out


def _month_items(req: SearchRequest, months: list[dict]) -> list[dict]:
    """The months of the selected year (a date range inside one year)."""
    if not (req.date_from and req.date_to and req.date_from[:4] == req.date_to[:4]):
        return []
    year = req.date_from[:4]
    out = []
    for item in months:
        m = item["value"]
        if not m.startswith(year + "-") or not item["count"]:
            continue
        on = req.date_from == m and req.date_to == m
        target = req.with_(date_from=year, date_to=year, page=1) if on \
            else req.with_(date_from=m, date_to=m, page=1)
        out.append({"value": m, "label": f"Tháng {int(m[5:7])}", "count": number(item["count"]),
                    "selected": on, "url": search_url(target)})
    return out


def _chips(req: SearchRequest) -> list[dict]:
    chips = []
    if req.date_from or req.date_to:
        chips.append({"kind": "Thời gian", "value": fmt_range(req.date_from, req.date_to),
                      "req": req.with_(date_from=None, date_to=None, page=1)})
    for name in FILTERS:
        for value in getattr(req, name):
            chips.append({"kind": FACET_LABELS[name], "value": value,
                          "req": _toggle(req, name, value, False)})
    for chip in chips:
        chip["url"] = search_url(chip["req"])
    return chips


def _empty_state(req: SearchRequest, chips: list[dict]) -> dict:
    """What removing each filter would find (a cheap count per filter)."""
    eng = engine()
    options = []
    for chip in chips[:10]:
        total = eng.search(chip["req"].with_(facet_size=1), hits=False).total
        options.append({**chip, "total": total, "total_text": number(total)})
    options.sort(key=lambda o: -o["total"])
    return {"options": options}


def _hit_view(req: SearchRequest, hit: dict, selected: dict[str, set[str]]) -> dict:
    def entity_links(name, values):
        out = []
        for value in values[:CHIPS_MAX_SHOWN]:
            on = value in selected[name]
            out.append({"value": value, "selected": on,
                        "url": None if on else search_url(_toggle(req, name, value, True))})
        return out

    article_url = url_for("pages.article", article_id=hit["id"])
    if req.q:
        article_url += "?" + urlencode({"q": req.q})
    return {**hit, "article_url": article_url, "date_text": fmt_date(hit["date"]),
            "agency_links": entity_links("agency", hit["agencies"]),
            "person_links": entity_links("person", hit["persons"]),
            "more_entities": max(0, len(hit["agencies"]) - CHIPS_MAX_SHOWN)
            + max(0, len(hit["persons"]) - CHIPS_MAX_SHOWN),
            "source_url": search_url(_toggle(req, "source", hit["source"], True))
            if hit["source"] and hit["source"] not in selected["source"] else None}


def _pagination(req: SearchRequest, last_page: int) -> dict:
    page = min(req.page, last_page)
    window = sorted({1, last_page, *range(max(1, page - 2), min(last_page, page + 2) + 1)})
    items, prev = [], 0
    for n in window:
        if n - prev > 1:
            items.append(None)  # an ellipsis
        items.append({"n": n, "url": search_url(req.with_(page=n)), "current": n == req.page})
        prev = n
    return {"pages": items,
            "prev": search_url(req.with_(page=req.page - 1)) if 1 < req.page <= last_page + 1 else None,
            "next": search_url(req.with_(page=req.page + 1)) if req.page < last_page else None}


# -- the article page --------------------------------------------------------------------

def _safe_url(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


@bp.get("/article/<path:article_id>")
def article(article_id):
    eng = engine()
    doc = eng.article(article_id)
    if doc is None:
        return render_error(404, "Không tìm thấy bài báo",
                            f"Không có bài nào mang mã «{article_id}». Có thể bài đã bị xoá "
                            "khỏi chỉ mục, hoặc đường dẫn bị sai.")
    q = " ".join((request.args.get("q") or "").split())[:500]
    terms = eng.marks(q) if q else frozenset()
    paragraphs = [highlight(p.strip(), terms) for p in doc["body"].split("\n") if p.strip()]
    related = []
    for hit in eng.related(article_id, limit=5):
        related.append({**hit, "article_url": url_for("pages.article", article_id=hit["id"]),
                        "date_text": fmt_date(hit["date"])})
    back = search_url(SearchRequest(q=q)) if q else None
    filter_links = {
        name: [{"value": v, "url": search_url(SearchRequest(**{name: (v,)}))}
               for v in doc[key]]
        for name, key in (("agency", "agencies"), ("person", "persons"))}
    return render_template(
        "article.html", doc=doc, q=q, title_html=highlight(doc["title"], terms),
        paragraphs=paragraphs, related=related, back=back, date_text=fmt_date(doc["date"]),
        original=_safe_url(doc["url"]), filter_links=filter_links,
        source_url=search_url(SearchRequest(source=(doc["source"],))) if doc["source"] else None,
        title=f"{doc['title']} – tìm tin", req=SearchRequest(q=q),
        api_url=url_for("api.article", article_id=article_id), api_label="Bài này dạng JSON")


# -- errors: friendly pages, but JSON under /api/ ----------------------------------------

def _wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def render_error(status: int, heading: str, message: str, detail: str | None = None,
                 param: str | None = None):
    if _wants_json():
        response = jsonify({"error": detail or message})
        response.status_code = status
        return response
    html = render_template("error.html", status=status, heading=heading, message=message,
                           detail=detail, param=param, title=f"{heading} – tìm tin",
                           req=SearchRequest(q=" ".join((request.args.get("q") or "").split())[:500]))
    return html, status


@bp.app_errorhandler(InvalidRequest)
def invalid_request(e):
    return render_error(400, "Yêu cầu không hợp lệ",
                        "Một tham số trong địa chỉ không đúng định dạng. Hãy sửa lại hoặc "
                        "bắt đầu một tìm kiếm mới.", detail=str(e), param=e.param)


@bp.app_errorhandler(IndexNotFound)
def no_index(e):
    return render_error(503, "Chưa có chỉ mục",
                        "Máy chủ chưa có chỉ mục để tìm kiếm. Người quản trị cần chạy lệnh "
                        "timtin reindex để xây dựng chỉ mục, rồi tải lại trang này.",
                        detail=str(e))


@bp.app_errorhandler(HTTPException)
def http_error(e: HTTPException):
    if e.code == 404:
        if _wants_json():
            return render_error(404, "", "", detail="not found")
        return render_error(404, "Không tìm thấy trang",
                            "Trang bạn tìm không tồn tại. Hãy thử tìm kiếm bài báo bên dưới.")
    if e.code == 405:
        return render_error(405, "Phương thức không được hỗ trợ",
                            "Trang này chỉ hỗ trợ truy cập bằng GET.",
                            detail="method not allowed")
    if e.code and e.code < 500:
        return render_error(e.code, "Yêu cầu không hợp lệ",
                            "Máy chủ không thể xử lý yêu cầu này.", detail=e.name.lower())
    return _internal(e)


@bp.app_errorhandler(Exception)
def unexpected(e):
    if isinstance(e, HTTPException):
        return http_error(e)
    log.exception("error serving %s", request.full_path)
    return _internal(e)


def _internal(e):
    return render_error(500, "Đã có lỗi xảy ra",
                        "Máy chủ gặp lỗi khi xử lý yêu cầu. Lỗi đã được ghi lại; hãy thử lại "
                        "sau ít phút.", detail="internal error; it has been logged")
