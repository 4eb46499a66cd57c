"""The HTML pages through the real `timtin serve`: status codes, escaping, the error pages,
security headers, the article page, and `/?…` agreeing with `/api/search?…`."""
from __future__ import annotations

import html
import re
import urllib.parse

import pytest
from markupsafe import escape

HIT_LINK = re.compile(r'<h3 class="hit-title"><a href="([^"]+)"')
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; alert(1); '",
    "</title><svg onload=alert(1)>",
    "{{ 7*7 }} {% raw %}",
]


def article_ids(body: str) -> list[str]:
    """Article ids of the result list, in order, from the page's links."""
    out = []
    for href in HIT_LINK.findall(body):
        path = urllib.parse.urlsplit(html.unescape(href)).path
        assert path.startswith("/article/")
        out.append(urllib.parse.unquote(path[len("/article/"):]))
    return out


@pytest.fixture(scope="session")
def busy_agency(server):
    """An agency with several articles about police, found through the API."""
    _, data = server.get_json("/api/search", {"q": "công an", "facet_size": 50})
    agencies = [a for a in data["facets"]["agency"] if a["count"] >= 3]
    assert len(agencies) >= 2
    return agencies[0]["value"], agencies[1]["value"]


def test_home_page(server):
    status, headers, body = server.get("/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert '<html lang="vi">' in body
    assert re.search(r'<input id="q" name="q" type="search"[^>]*autofocus', body)
    assert '<form id="sf"' in body and 'method="get"' in body
    assert "<svg" in body  # the time chart over all articles


def test_security_headers(server):
    for path in ("/", "/?q=c%C3%B4ng+an", "/article/lam-dong/bat-khan-cap-6-nghi-can", "/nope"):
        _, headers, _ = server.get(path)
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"


def test_no_inline_script_or_style_and_no_other_host(server):
    _, _, body = server.get("/", {"q": "công an"})
    assert not re.search(r"<script(?![^>]*\bsrc=\"/static/)", body)  # only our own file
    assert " style=" not in body and "<style" not in body
    assert not re.search(r'(?:src|href)="(?:https?:)?//', body)
    _, headers, css = server.get("/static/style.css")
    assert headers["Content-Type"].startswith("text/css")
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    status, _, js = server.get("/static/app.js")
    assert status == 200 and "http" not in js


def test_results_match_api(server):
    params = {"q": "công an", "sort": "newest", "per_page": 7, "page": 2}
    _, _, body = server.get("/", params)
    _, api = server.get_json("/api/search", params)
    assert api["total"] > 14
    assert article_ids(body) == [h["id"] for h in api["hits"]]
    assert f"<b>{api['total']:,}</b>".replace(",", ".") in body
    # The page links to the same results as JSON, with the same query string.
    api_link = re.search(r'<a href="(/api/search\?[^"]+)">', body).group(1)
    assert server.get_json(html.unescape(api_link))[1]["hits"] == api["hits"]


def test_filters_match_api(server, busy_agency):
    a1, a2 = busy_agency
    params = [("q", "công an"), ("agency", a1), ("agency", a2)]
    _, api = server.get_json("/api/search", params)
    status, _, body = server.get("/", params)
    assert status == 200
    assert article_ids(body) == [h["id"] for h in api["hits"]]
    # Both ticked, with the API's counts, and as chips above the results.
    for facet in api["facets"]["agency"]:
        if facet["value"] in (a1, a2):
            label = re.search(r'<label class="check is-selected[^"]*">\s*<input type="checkbox" '
                              r'form="sf" name="agency" value="' + re.escape(html.escape(facet["value"]))
                              + r'" checked>\s*<span class="name">[^<]*</span>'
                              r'<span class="count">(\d[\d.]*)</span>', body)
            assert label, facet
            assert int(label.group(1).replace(".", "")) == facet["count"]
    chips = re.findall(r'<a class="chip" href="([^"]+)"', body)
    assert len(chips) == 2
    removed = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(html.unescape(chips[0])).query))
    assert removed["agency"] == a2 and removed["q"] == "công an"


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_query_is_escaped(server, q):
    status, _, body = server.get("/", {"q": q})
    assert status == 200
    assert str(escape(q)) in body  # shown as text (and a template in it is not run)
    if str(escape(q)) != q:
        assert q not in body
    assert "<script>alert" not in body and "<img src=x" not in body and "<svg onload" not in body
    status, _, body = server.get("/article/lam-dong/bat-khan-cap-6-nghi-can", {"q": q})
    assert status == 200 and str(escape(q)) in body
    assert "<script>alert" not in body and "<img src=x" not in body and "<svg onload" not in body


def test_hostile_filters_are_escaped(server):
    evil = '<b onmouseover="x">Bộ</b>'
    status, _, body = server.get("/", {"agency": evil, "person": evil, "date_from": "2017"})
    assert status == 200
    assert evil not in body
    assert str(escape(evil)) in body


@pytest.mark.parametrize("params, param", [
    ({"page": "abc"}, "page"),
    ({"per_page": "1000"}, "per_page"),
    ({"sort": "best"}, "sort"),
    ({"date_from": "2017-13"}, "date_from"),
    ({"date_from": "2020", "date_to": "2019"}, "date_from"),
    ({"facet_size": "0"}, "facet_size"),
])
def test_invalid_parameters_page(server, params, param):
    status, headers, body = server.get("/", {"q": "<i>x</i>", **params})
    assert status == 400
    assert headers["Content-Type"].startswith("text/html")
    assert "Yêu cầu không hợp lệ" in body and f"<code>{param}</code>" in body
    assert "Traceback" not in body and "<i>x</i>" not in body
    status, data = server.get_json("/api/search", params)  # the API keeps its JSON errors
    assert status == 400 and param in data["error"]


def test_not_found_pages(server):
    for path in ("/nope", "/article/no-such-article", "/article/a/b/c", "/static/nope.css"):
        status, headers, body = server.get(path)
        assert status == 404, path
        assert headers["Content-Type"].startswith("text/html")
        assert "Không tìm thấy" in body and "Traceback" not in body
    for path in ("/api/nope", "/api/article/no-such-article", "/api"):
        status, headers, body = server.get(path)
        assert status == 404, path
        assert headers["Content-Type"].startswith("application/json"), path


def test_api_method_not_allowed_stays_json(server):
    import urllib.request, urllib.error
    req = urllib.request.Request(server.url + "/api/search", data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 405
    assert e.value.headers["Content-Type"].startswith("application/json")


def test_no_index_page(tmp_path):
    """No index yet: a friendly 503 telling to run `timtin reindex` (the API: JSON 503)."""
    from web import create_app
    client = create_app({"INDEX_DIR": str(tmp_path / "empty")}).test_client()
    r = client.get("/?q=x")
    assert r.status_code == 503
    body = r.get_data(as_text=True)
    assert "timtin reindex" in body and "Chưa có chỉ mục" in body
    assert client.get("/article/x").status_code == 503
    r = client.get("/api/search?q=x")
    assert r.status_code == 503 and r.is_json


def test_article_page(server):
    _, api = server.get_json("/api/search", {"q": "bắt khẩn cấp nghi can"})
    article_id = api["hits"][0]["id"]
    assert "/" in article_id  # the Lâm Đồng seed article: an id with a slash
    status, _, body = server.get(f"/article/{article_id}", {"q": "nghi can"})
    assert status == 200
    _, doc = server.get_json(f"/api/article/{article_id}")
    assert html.escape(doc["title"].split()[0]) in body
    assert "<mark>nghi</mark>" in body.lower() or "<mark>nghi can</mark>" in body.lower()
    assert body.count("<p>") >= len([p for p in doc["body"].split("\n") if p.strip()])
    assert "Bài liên quan" in body
    related = re.findall(r'<ol class="related-list">(.*?)</ol>', body, re.S)
    assert related and 1 <= related[0].count("<li>") <= 5
    for agency in doc["agencies"]:
        assert "/?" + urllib.parse.urlencode({"agency": agency}) in html.unescape(body)
    assert 'href="/?q=nghi+can"' in body  # back to the results
    # Without q: nothing marked.
    _, _, plain = server.get(f"/article/{article_id}")
    assert "<mark>" not in plain


def test_article_original_link_only_http(server):
    _, api = server.get_json("/api/search", {"sort": "newest", "per_page": 100})
    with_url = [h for h in api["hits"] if h["url"]]
    assert with_url  # the newest articles (crawlnews-, edunews-) carry their URL
    _, _, body = server.get(f"/article/{with_url[0]['id']}")
    assert html.escape(with_url[0]["url"]) in body and 'rel="noopener noreferrer nofollow"' in body


def test_chart_bars_link_to_date_ranges(server):
    _, _, body = server.get("/", {"q": "công an"})
    svg = re.search(r'<svg class="chart-svg".*?</svg>', body, re.S).group()
    bars = re.findall(r'<a class="bar[^"]*" href="([^"]+)" aria-label="(?:Tháng|Năm) ([^:]+): '
                      r'([\d.]+) bài"', svg)
    assert bars
    href, label, count = max(bars, key=lambda b: int(b[2].replace(".", "")))
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(html.unescape(href)).query)
    assert params["date_from"] == params["date_to"]
    _, api = server.get_json("/api/search", params)
    assert api["total"] == int(count.replace(".", ""))
    # A selected year lists its months in the sidebar and draws them.
    status, _, body = server.get("/", params)
    assert status == 200 and ("Tháng " in body)


def test_pagination_and_beyond_last_page(server):
    _, _, body = server.get("/", {"q": "công an"})
    assert 'rel="next"' in body and 'aria-current="page"' in body
    _, api = server.get_json("/api/search", {"q": "công an"})
    last = -(-api["total"] // 10)
    status, _, body = server.get("/", {"q": "công an", "page": last + 5})
    assert status == 200 and "vượt quá số trang" in body


def test_empty_state_offers_filters_to_remove(server, busy_agency):
    status, _, body = server.get("/", {"q": "công an", "agency": busy_agency[0],
                                       "date_from": "1990", "date_to": "1991"})
    assert status == 200
    assert "Không tìm thấy bài nào" in body
    assert "Bỏ «" in body and "Bỏ tất cả bộ lọc" in body


def test_suggestion(server):
    _, api = server.get_json("/api/search", {"q": "Lâm Đồnh"})
    _, _, body = server.get("/", {"q": "Lâm Đồnh"})
    assert api["suggestion"]
    assert "Có phải bạn muốn tìm" in body and html.escape(api["suggestion"]) in body


def test_interpretation_and_relaxed_notes(server):
    _, api = server.get_json("/api/search", {"q": "cong an tinh lam dong"})
    _, _, body = server.get("/", {"q": "cong an tinh lam dong"})
    assert api["interpretation"]
    assert f'Kết quả cho: <strong lang="vi">{html.escape(api["interpretation"])}</strong>' in body
    _, _, accented = server.get("/", {"q": "công an tỉnh Lâm Đồng"})
    assert "Kết quả cho:" not in accented and "hầu hết các từ" not in accented
    q = "vì sao công an tỉnh Lâm Đồng bắt khẩn cấp nghi can giết người tại Đà Lạt"
    _, _, relaxed = server.get("/", {"q": q})
    assert "hầu hết các từ" in relaxed
