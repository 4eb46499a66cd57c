"""What a query finds and in what order: word matching, unaccented queries read as Vietnamese,
proximity, relaxed long queries, phrase highlighting. On a real index of real articles
(tests/data/relevance_articles.jsonl.gz: earthquakes, pollution, storms, floods, the
North–South railway, Nghệ An, copper prices…) plus a spread of the shipped sample."""
from __future__ import annotations

import gzip
import json
import re

import pytest

from conftest import ROOT, sample_articles
from search.analysis import fold, syllables
from search.engine import Engine
from search.indexer import reindex
from search.request import SearchRequest
from search.segment import segment

ARTICLES = ROOT / "tests" / "data" / "relevance_articles.jsonl.gz"
# Two made-up articles whose titles differ only in their diacritics.
TWINS = [
    {"id": "twin-exact", "title": "Động đất làm rung chuyển thủ đô", "date": "2017-06-01",
     "body": "Trận động đất mạnh làm rung chuyển thủ đô vào sáng nay, người dân hoảng hốt."},
    {"id": "twin-folded", "title": "Đồng đạt làm rung chuyển thủ đô", "date": "2017-06-02",
     "body": "Giá đồng đạt đỉnh, thị trường kim loại làm rung chuyển thủ đô tài chính."},
]
# A headline with the short name, and a source that titles its articles with their lead.
HEADLINE_AND_LEAD = [
    {"id": "headline", "title": "Lã Văn Khiêm lần đầu đá chính cho Gangwon", "date": "2017-07-02",
     "body": "Tiền vệ Mạc Lã Văn Khiêm có lần đầu đá chính cho Gangwon tại giải K-League. "
             "Mạc Lã Văn Khiêm chơi 70 phút trước khi rời sân, HLV khen Mạc Lã Văn Khiêm chơi tốt."},
    {"id": "lead", "date": "2021-04-20",
     "title": "Chiều 18/4, đội bóng phố núi dưới sự dẫn dắt của huấn luyện viên trưởng đã xuất sắc "
              "đánh bại đội khách trên sân nhà với những bàn thắng của Nguyễn Văn Tú, Mạc Lã Văn "
              "Khiêm và Vũ Văn Thanh trong hiệp hai",
     "body": "Trận đấu diễn ra sôi nổi, khán giả phố núi ăn mừng chiến thắng đến khuya."},
]


# The same words, the query's phrase in the lead of one and at the end of the other.
_FILLER = ("Người dân trong vùng cho biết mùa nước năm nay về sớm hơn mọi năm, nhiều hộ đã "
           "chuẩn bị ghe xuồng và lương thực để ứng phó. ") * 6
LEAD_AND_END = [
    {"id": "in-lead", "title": "Tin buổi sáng ở xã ven sông", "date": "2017-07-01",
     "body": "Tình trạng nạo vét lòng kênh gây bức xúc. " + _FILLER},
    {"id": "at-end", "title": "Tin buổi chiều ở xã ven sông", "date": "2017-07-02",
     "body": _FILLER + "Tình trạng nạo vét lòng kênh gây bức xúc."},
]


def relevance_articles() -> list[dict]:
    with gzip.open(ARTICLES, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope="session")
def rel_engine(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("relevance-corpus")
    chosen = {a["id"]: a for a in sample_articles()[::10]}
    chosen.update((a["id"], a) for a in relevance_articles() + TWINS + HEADLINE_AND_LEAD + LEAD_AND_END)
    with open(corpus / "news.jsonl", "w", encoding="utf-8") as f:
        for a in chosen.values():
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    index = tmp_path_factory.mktemp("relevance-index")
    reindex([corpus], index, workers=2, report=lambda p: None)
    return Engine(index)


def run(engine, q, **params):
    return engine.search(SearchRequest(q=q, **params))


def all_ids(engine, q):
    ids, page = [], 1
    while True:
        result = run(engine, q, per_page=100, page=page)
        ids += [h["id"] for h in result.hits]
        if len(ids) >= result.total or not result.hits:
            return ids, result
        page += 1


def text_of(engine, article_id) -> str:
    doc = engine.article(article_id)
    return doc["title"] + "\n" + doc["body"]


def folded(text: str) -> str:
    return " " + " ".join(fold(s) for s in syllables(text)) + " "


def test_a_word_matches_only_where_its_syllables_stand_together(rel_engine):
    # Articles with "công ty" and "án" (or "an" elsewhere) but never "công an" together.
    apart = [a for a in relevance_articles()
             if " cong ty " in folded(a["title"] + " " + a["body"])
             and " an " in folded(a["body"]) and " cong an " not in folded(a["title"] + " " + a["body"])]
    assert apart
    ids, _ = all_ids(rel_engine, "công an")
    assert ids
    for article_id in ids:
        assert " cong an " in folded(text_of(rel_engine, article_id))
    assert not {a["id"] for a in apart} & set(ids)


def test_an_article_segmented_differently_from_the_query_still_matches(rel_engine):
    """A pair of syllables that pyvi joins into one word in the query but not in the article
    (or the other way round) matches all the same."""
    found = 0
    for article in relevance_articles():
        for paragraph in article["body"].split("\n")[:3]:
            tokens = segment(paragraph)
            for a, b in zip(tokens, tokens[1:]):
                if "_" in a or "_" in b or not (a.isalpha() and b.isalpha()):
                    continue
                query = f"{a} {b}"
                if segment(query) != [f"{a}_{b}"]:
                    continue  # pyvi must read the query as one word, the article as two
                ids, _ = all_ids(rel_engine, query)
                assert article["id"] in ids, query
                found += 1
                break
        if found >= 5:
            break
    assert found >= 5


def test_diacritics_as_typed_rank_an_exact_title_first(rel_engine):
    for q in ("Động đất làm rung chuyển thủ đô", "động đất làm rung chuyển"):
        ids = [h["id"] for h in run(rel_engine, q).hits]
        assert ids.index("twin-exact") < ids.index("twin-folded")
    ids = [h["id"] for h in run(rel_engine, "Đồng đạt làm rung chuyển thủ đô").hits]
    assert ids[0] == "twin-folded"


def test_a_lead_used_as_title_weighs_less_than_a_headline(rel_engine):
    # The name stands whole in the lead-title only, but the headline's article is about him.
    ids = [h["id"] for h in run(rel_engine, "Mạc Lã Văn Khiêm").hits]
    assert ids.index("headline") < ids.index("lead")


def test_the_query_in_the_lead_ranks_above_it_at_the_end(rel_engine):
    ids = [h["id"] for h in run(rel_engine, "nạo vét lòng kênh").hits]
    assert ids.index("in-lead") < ids.index("at-end")


def test_unaccented_queries_are_read_as_vietnamese(rel_engine):
    for q, word in (("dong dat", "động đất"), ("o nhiem moi truong", "ô nhiễm môi trường")):
        result = run(rel_engine, q)
        assert result.interpretation == word
        for hit in result.hits[:5]:
            assert word in text_of(rel_engine, hit["id"]).lower(), (q, hit["title"])
    # Every reading is still found: the copper price article matches "dong dat" too.
    ids, _ = all_ids(rel_engine, "dong dat")
    assert "crawlnews-e665fd95b122929a7656602dcaa6a7ee" in ids


def test_interpretation_is_null_for_accented_or_unclear_queries(rel_engine):
    assert run(rel_engine, "động đất").interpretation is None
    assert run(rel_engine, "Philippines").interpretation is None  # nothing to add
    assert run(rel_engine, "").interpretation is None


def test_a_numbered_storm_ranks_first(rel_engine):
    hits = run(rel_engine, "bão số 2").hits
    assert hits and re.search(r"bão số 2\b", text_of(rel_engine, hits[0]["id"]).lower())
    # "số 2" stands together: storm number 1 or 5 only fills a relaxed result, after.
    complete = [" so 2 " in folded(text_of(rel_engine, h["id"])) for h in hits]
    assert complete == sorted(complete, reverse=True)


def test_the_whole_query_as_a_phrase_ranks_above_scattered_words(rel_engine):
    hits = run(rel_engine, "ô nhiễm môi trường", per_page=20).hits
    first = [" o nhiem moi truong " in folded(text_of(rel_engine, h["id"])) for h in hits]
    assert first[0] and first == sorted(first, reverse=True)


def test_a_long_question_is_relaxed_and_finds_the_railway(rel_engine):
    q = "vì sao tàu cao tốc Bắc Nam chậm triển khai"
    ids, result = all_ids(rel_engine, q)
    assert result.relaxed and result.total == len(ids) > 0
    railway = {a["id"] for a in relevance_articles()
               if "đường sắt tốc độ cao" in (a["title"] + a["body"]).lower()}
    assert railway & set(ids[:5])
    # Complete matches, if any, come before the partial ones: a short query is not relaxed.
    assert run(rel_engine, "động đất").relaxed is False


def test_phrases_are_highlighted_whole(rel_engine):
    hits = run(rel_engine, "công an", per_page=50).hits
    marked = [m for h in hits for m in re.findall(r"<mark>(.*?)</mark>", h["title_html"] + h["snippet_html"])]
    assert marked
    assert all(fold(m).replace(" ", "") == "congan" for m in marked), set(marked)


def test_quoted_phrases_exclusion_and_or_keep_their_meaning(rel_engine):
    ids, _ = all_ids(rel_engine, '"động đất mạnh"')
    assert ids and all(" dong dat manh " in folded(text_of(rel_engine, i)) for i in ids)
    quakes, _ = all_ids(rel_engine, "động đất")
    without, _ = all_ids(rel_engine, "động đất -Philippines")
    assert 0 < len(without) < len(quakes)
    assert not any("philippines" in text_of(rel_engine, i).lower() for i in without)
    either, _ = all_ids(rel_engine, "động đất OR lũ lụt")
    floods, _ = all_ids(rel_engine, "lũ lụt")
    assert set(either) == set(quakes) | set(floods)


def test_a_title_typed_as_a_query_finds_its_article_first(rel_engine):
    """Known-item search, with the title's diacritics and without them."""
    articles = relevance_articles()
    same = {}
    for a in articles + TWINS:
        same.setdefault(fold(a["title"]), set()).add(a["id"])
    for a in articles[::2]:
        k = len(same[fold(a["title"])])
        for q in (a["title"], fold(a["title"])):
            ids = [h["id"] for h in run(rel_engine, q, per_page=k).hits]
            assert a["id"] in ids, q
