"""Hostile and malformed requests: never a 5xx, always the documented shape, fast,
nothing unescaped, nothing outside the index reachable."""
import json
import time
import urllib.parse

from hypothesis import HealthCheck, given, settings, strategies as st

PARAMS = ["q", "page", "per_page", "sort", "date_from", "date_to", "agency", "person", "source",
          "facet_size"]
SYNTAX = ['"', "(", ")", "*", "?", ":", "^", "~", "[", "]", "{", "}", "\\", " AND ", " OR ",
          " NOT ", "-", "<x-evil>", "&amp;", "%", "\x00", "\u200b", "công an", "cong an", "2022-13-45"]

values = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(SYNTAX), max_size=8).map("".join),
    st.integers(min_value=-10**12, max_value=10**12).map(str),
    st.sampled_from(["", "0", "1", "-1", "200", "201", "1e3", "newest", "relevance", "2017", "2017-06",
                     "2017-06-31", "9999", "NaN", "null", "[]", "{}"]),
    st.text(min_size=2000, max_size=12000, alphabet=st.sampled_from("ab \"()*:công-")),
)
query_strings = st.lists(st.tuples(st.sampled_from(PARAMS + ["unknown", "q[]"]), values), max_size=8)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def fetch(server, path, pairs):
    url = path + "?" + urllib.parse.urlencode(pairs)
    start = time.monotonic()
    status, headers, body = server.get(url)
    return status, headers, body, time.monotonic() - start


@SETTINGS
@given(pairs=query_strings)
def test_api_search_never_fails_on_any_parameters(server, pairs):
    status, headers, body, seconds = fetch(server, "/api/search", pairs)
    assert status in (200, 400), body[:300]
    assert seconds < 2.0
    assert headers["Content-Type"].startswith("application/json")
    data = json.loads(body)
    if status == 200:
        assert list(data) == ["query", "total", "page", "per_page", "took_ms", "hits", "facets",
                              "suggestion", "interpretation", "relaxed", "partial", "warnings"]
        assert isinstance(data["total"], int) and len(data["hits"]) <= data["per_page"] <= 100
        assert set(data["facets"]) == {"year", "month", "agency", "person", "source"}
    else:
        assert isinstance(data["error"], str) and data["error"]


@SETTINGS
@given(pairs=query_strings)
def test_search_page_never_fails_and_escapes_everything(server, pairs):
    status, headers, body, seconds = fetch(server, "/", pairs)
    assert status in (200, 400), body[:300]
    assert seconds < 4.0  # the page runs two searches
    assert headers["Content-Type"].startswith("text/html")
    assert "<x-evil" not in body
    assert "Traceback" not in body


def test_path_traversal_finds_nothing(server):
    for path in ["/article/../../../../etc/passwd", "/article/..%2F..%2F..%2Fetc%2Fpasswd",
                 "/api/article/../../etc/passwd", "/api/article/%2e%2e/%2e%2e/etc/passwd",
                 "/static/../../search/engine.py", "/static/..%2F..%2Fpyproject.toml"]:
        status, _, body = server.get(path)
        assert status in (400, 404), path
        assert "root:" not in body and "import" not in body and "[project]" not in body


def test_security_headers_on_every_kind_of_response(server):
    for path in ["/", "/?q=c%C3%B4ng+an", "/api/search?q=x", "/api/health", "/api/article/none",
                 "/no-such-page", "/api/search?page=0", "/static/style.css"]:
        status, headers, _ = server.get(path)
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "Traceback" not in _


def test_bounds_on_work_per_request(server):
    assert server.get_json("/api/search", {"per_page": "101"})[0] == 400
    assert server.get_json("/api/search", {"facet_size": "201"})[0] == 400
    assert server.get_json("/api/search", {"agency": ["x"] * 51})[0] == 400
    status, data = server.get_json("/api/search", {"q": "công an " * 5000})
    assert status == 200
    assert len(data["query"]) <= 10_000
