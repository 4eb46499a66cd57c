"""The JSON search endpoint on a real index served by a real `timtin serve`."""
import json
import threading
from collections import Counter

import numpy as np
import pytest

from search.analysis import fold, syllables
from search.dates import date_range
from search.facets import FacetColumn, top_values

SEED_TITLE = "Bắt khẩn cấp 6 nghi can vụ giết người, gây rối trật tự công cộng"
SEED_ID = "lam-dong/bat-khan-cap-6-nghi-can"


def search(server, **params):
    status, data = server.get_json("/api/search", params)
    assert status == 200, data
    return data


def all_hits(server, **params):
    """Every hit of a query, page by page."""
    hits, page = [], 1
    while True:
        data = search(server, per_page=100, page=page, **params)
        hits += data["hits"]
        if len(hits) >= data["total"] or not data["hits"]:
            return hits, data
        page += 1


def folded_text(server, article_id):
    _, doc = server.get_json(f"/api/article/{article_id}")
    return " " + " ".join(fold(s) for s in syllables(doc["title"] + " " + doc["body"])) + " "


def test_response_shape(server):
    data = search(server, q="công an")
    assert list(data) == ["query", "total", "page", "per_page", "took_ms", "hits", "facets", "suggestion",
                          "interpretation", "relaxed", "partial", "warnings"]
    assert data["partial"] is False and data["warnings"] == []
    assert set(data["facets"]) == {"year", "month", "agency", "person", "source"}
    hit = data["hits"][0]
    assert list(hit) == ["id", "title", "title_html", "snippet_html", "date", "source", "url",
                         "author", "agencies", "persons", "score"]
    assert len(hit["snippet_html"].replace("<mark>", "").replace("</mark>", "")) <= 302


def test_unaccented_and_mixed_queries_find_what_the_accented_query_finds(server):
    accented = search(server, q="công an tỉnh Lâm Đồng")
    assert accented["total"] > 0
    for q in ("cong an tinh lam dong", "công an tinh lam dong", "CONG AN Tinh Lam Dong"):
        assert search(server, q=q)["total"] == accented["total"]


def test_exact_diacritics_rank_above_folded_only_matches(server):
    data = search(server, q="bão", per_page=100)
    exact = []
    for h in data["hits"]:
        _, doc = server.get_json(f"/api/article/{h['id']}")
        exact.append("bão" in syllables(doc["title"] + " " + doc["body"]))
    assert True in exact and False in exact
    # Every article with the word as typed comes before those matching only when folded.
    assert exact == sorted(exact, reverse=True)


def test_exact_title_and_unaccented_title_find_the_article_first(server):
    assert search(server, q=SEED_TITLE)["hits"][0]["id"] == SEED_ID
    assert search(server, q=fold(SEED_TITLE))["hits"][0]["id"] == SEED_ID


def test_phrase_exclusion_and_or(server):
    phrase, _ = all_hits(server, q='"giết người"')
    assert phrase
    for h in phrase:
        assert " giet nguoi " in folded_text(server, h["id"])
    loose = search(server, q="giết người")["total"]
    assert loose >= len(phrase)

    with_lam = search(server, q="công an")["total"]
    excluded, _ = all_hits(server, q="công an -Lâm")
    assert 0 < len(excluded) < with_lam
    for h in excluded:
        assert " lam " not in folded_text(server, h["id"])

    a, b = search(server, q="bóng đá")["total"], search(server, q="Lâm Đồng")["total"]
    either = search(server, q="bóng đá OR Lâm Đồng")["total"]
    assert max(a, b) <= either <= a + b


def test_empty_query_browses_everything_oldest_first(server, test_articles):
    data = search(server, per_page=100)
    assert data["total"] == len(test_articles) + 1
    starts = [date_range(h["date"])[0] for h in data["hits"] if h["date"]]
    assert starts == sorted(starts)


def test_sort_orders(server):
    newest, _ = all_hits(server, q="công an", sort="newest")
    keys = [date_range(h["date"])[1] if h["date"] else -1 for h in newest]
    assert keys == sorted(keys, reverse=True)
    oldest, _ = all_hits(server, q="công an", sort="oldest")
    dated = [h for h in oldest if h["date"]]
    assert oldest[: len(dated)] == dated  # undated last
    starts = [date_range(h["date"])[0] for h in dated]  # oldest: by the start of each date
    assert starts == sorted(starts)


def test_pagination_covers_every_hit_once(server):
    hits, data = all_hits(server, q="tỉnh")
    assert len(hits) == data["total"] == len({h["id"] for h in hits})
    page2 = search(server, q="tỉnh", page=2, per_page=5)
    assert [h["id"] for h in page2["hits"]] == [h["id"] for h in hits[5:10]]
    beyond = search(server, q="tỉnh", page=1000)
    assert beyond["hits"] == [] and beyond["total"] == data["total"]


def test_each_filter_alone(server):
    base, _ = all_hits(server, q="công an")
    agency = Counter(a for h in base for a in h["agencies"]).most_common(1)[0][0]
    hits, _ = all_hits(server, q="công an", agency=agency)
    assert hits and all(agency in h["agencies"] for h in hits)
    assert len(hits) == sum(agency in h["agencies"] for h in base)

    person = Counter(p for h in base for p in h["persons"]).most_common(1)[0][0]
    hits, _ = all_hits(server, q="công an", person=person)
    assert len(hits) == sum(person in h["persons"] for h in base) > 0

    source = Counter(h["source"] for h in base if h["source"]).most_common(1)[0][0]
    hits, _ = all_hits(server, q="công an", source=source)
    assert len(hits) == sum(h["source"] == source for h in base) > 0

    hits, _ = all_hits(server, q="công an", date_from="2017-06", date_to="2017-06-30")
    assert hits and all(h["date"] and h["date"].startswith("2017-06") for h in hits)
    hits, _ = all_hits(server, q="công an", date_from="2021")
    assert hits and all(h["date"] and h["date"] >= "2021" for h in hits)


def test_agency_filter_by_surface_form_matches_canonical(server):
    canonical = search(server, agency="Ủy ban nhân dân tỉnh Lâm Đồng")["total"]
    assert canonical > 0
    assert search(server, agency="UBND tỉnh Lâm Đồng")["total"] == canonical


def brute_force_facets(base, selected):
    """Facet counts computed from the hits themselves: each facet ignores its own filter."""
    def keep(h, skip):
        for name, values in selected.items():
            if name == skip or not values:
                continue
            have = h["agencies"] if name == "agency" else h["persons"] if name == "person" else [h["source"]]
            if not set(values) & set(have):
                return False
        return True
    counts = {}
    for facet in ("agency", "person", "source"):
        c = Counter()
        for h in base:
            if keep(h, facet):
                vals = h["agencies"] if facet == "agency" else h["persons"] if facet == "person" else [h["source"]]
                c.update(v for v in set(vals) if v)
        counts[facet] = c
    c = Counter()
    for h in base:
        if keep(h, None) and h["date"]:
            c[h["date"][:4]] += 1
    counts["year"] = c
    return counts


def test_multi_select_facet_counts_match_brute_force(server):
    base, _ = all_hits(server, q="tỉnh")
    top_agencies = [a for a, _ in Counter(a for h in base for a in h["agencies"]).most_common(2)]
    source = Counter(h["source"] for h in base if h["source"]).most_common(1)[0][0]
    selected = {"agency": top_agencies, "source": [source]}
    data = search(server, q="tỉnh", agency=top_agencies, source=source, facet_size=200)
    expected = brute_force_facets(base, selected)
    for facet in ("agency", "person", "source", "year"):
        got = {v["value"]: v["count"] for v in data["facets"][facet]}
        want = dict(expected[facet])
        assert all(want.get(k, 0) == v for k, v in got.items()), facet
        # The 200 largest counts are returned (plus selected values, here among them).
        assert len(got) == min(200, len(want)), facet
        if len(want) > 200:
            assert min(got.values()) >= sorted(want.values(), reverse=True)[199]
    # Two agencies OR-ed, AND-ed with the source.
    assert data["total"] == sum(1 for h in base if set(top_agencies) & set(h["agencies"])
                                and h["source"] == source)


def test_selected_values_are_always_listed_and_date_facets_in_order(server):
    data = search(server, q="tỉnh", agency="Không Có Cơ Quan Này", facet_size=1)
    assert {"value": "Không Có Cơ Quan Này", "count": 0} in data["facets"]["agency"]
    assert data["total"] == 0
    months = [v["value"] for v in search(server, facet_size=200)["facets"]["month"]]
    assert months == sorted(months)
    assert len(search(server, facet_size=3)["facets"]["agency"]) == 3


def test_undated_articles_are_in_results_but_not_in_date_facets(server):
    data = search(server, per_page=100, sort="newest", facet_size=200)
    undated = data["total"] - sum(v["count"] for v in data["facets"]["year"])
    assert undated > 0
    assert search(server, date_from="1900")["total"] == data["total"] - undated


def test_highlighting_marks_matches_and_hides_underscores(server):
    hit = search(server, q="công an")["hits"][0]
    assert "<mark>" in hit["title_html"] + hit["snippet_html"]
    assert "_" not in hit["snippet_html"].replace("&#", "")


def test_script_in_query_is_escaped(server):
    data = search(server, q='<script>alert("x")</script> công an')
    assert data["query"] == '<script>alert("x")</script> công an'
    for h in data["hits"]:
        assert "<script" not in h["title_html"] + h["snippet_html"]


def test_suggestion_for_a_typo(server):
    data = search(server, q="Lâm Đồnh")
    assert data["total"] < 3
    assert data["suggestion"] == "Lâm Đồng"
    assert search(server, q="Lâm Đồng")["suggestion"] is None


@pytest.mark.parametrize("params,word", [
    ({"page": "0"}, "page"), ({"page": "x"}, "page"), ({"per_page": "101"}, "per_page"),
    ({"per_page": "0"}, "per_page"), ({"sort": "best"}, "sort"), ({"date_from": "2022-13"}, "date_from"),
    ({"date_to": "hôm qua"}, "date_to"), ({"facet_size": "500"}, "facet_size"),
    ({"date_from": "2022", "date_to": "2021"}, "date_from"),
])
def test_invalid_parameters_are_400_with_error(server, params, word):
    status, data = server.get_json("/api/search", params)
    assert status == 400
    assert word in data["error"]


def test_unknown_parameters_are_ignored_and_long_queries_work(server):
    assert server.get_json("/api/search", {"q": "công an", "foo": "bar"})[0] == 200
    status, data = server.get_json("/api/search", {"q": "công an " * 1250})
    assert status == 200 and "total" in data
    status, data = server.get_json("/api/search", {"q": '" ( ) * ? : ^ ~ [ ] { } \\ AND OR NOT -'})
    assert status == 200


def test_article_endpoint(server):
    status, doc = server.get_json(f"/api/article/{SEED_ID}")
    assert status == 200
    assert list(doc) == ["id", "title", "date", "source", "category", "url", "author", "body",
                         "agencies", "persons"]
    assert doc["title"] == SEED_TITLE and doc["date"] == "2017-05-09"
    status, data = server.get_json("/api/article/no/such/id")
    assert status == 404 and "error" in data


def test_health(server, test_articles):
    status, data = server.get_json("/api/health")
    assert status == 200
    assert data["status"] == "ok" and data["articles"] == len(test_articles) + 1
    assert data["indexed_at"]


def test_month_or_day_zero_is_invalid(server):
    for value in ("2022-00", "2022-05-00", "2022-00-05"):
        status, data = server.get_json("/api/search", {"date_from": value})
        assert status == 400 and "date_from" in data["error"]


def test_interpretation_and_relaxed_fields(server):
    data = search(server, q="cong an tinh lam dong")
    assert data["interpretation"] and fold(data["interpretation"]) == "cong an tinh lam dong"
    assert data["interpretation"] != "cong an tinh lam dong"
    assert search(server, q="công an tỉnh Lâm Đồng")["interpretation"] is None
    assert data["relaxed"] is False
    long = search(server, q="vì sao công an tỉnh Lâm Đồng bắt khẩn cấp nghi can giết người tại Đà Lạt")
    assert long["relaxed"] is True and long["total"] >= 10
    hits, _ = all_hits(server, q=long["query"])
    assert len(hits) == long["total"]


def test_cli_json_has_interpretation_and_relaxed(index_dir):
    from conftest import run_timtin
    out = run_timtin("search", "dong dat", "--json", "--index", index_dir)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert "interpretation" in data and "relaxed" in data


def test_facet_counts_every_path_agrees_with_counting_pairs():
    """Single-valued columns count per document, others per pair or per document's run."""
    rng = np.random.default_rng(15)
    n = 400
    for per_doc in (1, 3):
        docs = np.sort(rng.integers(0, n, 300 * per_doc)).astype(np.int32)
        docs = np.unique(docs) if per_doc == 1 else docs
        vals = rng.integers(0, 7, docs.size).astype(np.int32)
        column = FacetColumn("x", [str(v) for v in range(7)], {}, docs, vals)
        for share in (0.01, 0.05, 0.5, 1.0):
            mask = rng.random(n) < share
            expected = np.bincount(vals[mask[docs]], minlength=7)
            assert column.counts(mask).tolist() == expected.tolist()


def test_top_values_are_the_largest_counts_then_the_first_values():
    rng = np.random.default_rng(15)
    for n in (30, 3000):  # a date facet's few values, a name facet's many
        values = [f"v{i:04d}" for i in range(n)]
        index = {v: i for i, v in enumerate(values)}
        column = FacetColumn("x", values, index, np.zeros(0, np.int32), np.zeros(0, np.int32))
        for size in (1, 5, 20, 200):
            counts = np.where(rng.random(n) < 0.5, rng.geometric(0.4, n), 0)
            expected = sorted(((-int(c), v) for v, c in zip(values, counts) if c))[:size]
            got = top_values(column, counts, size, selected=("v0003", "nope"))
            assert [(-item["count"], item["value"]) for item in got
                    if item["value"] not in ("v0003", "nope")] == \
                [e for e in expected if e[1] != "v0003"]
            assert {"value": "nope", "count": 0} in got
            assert {"value": "v0003", "count": int(counts[3])} in got
