"""One person, one facet value: a short form merged into the full name it stands for
across the archive, a short form kept apart when it could be several persons."""
import json

import pytest

from search.engine import Engine
from search.indexer import reindex
from search.request import SearchRequest


def _article(i: int, body: str) -> dict:
    return {"id": f"p-{i}", "title": f"Tin số {i}", "body": body, "date": "2024-01-0" + str(1 + i % 9)}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("persons")
    rows = [_article(i, "Tổng thống Mỹ Donald Trump cho biết sẽ gặp các nhà lãnh đạo châu Âu.")
            for i in range(3)]
    rows += [_article(10 + i, "Ông Trump nói với các phóng viên tại Nhà Trắng rằng ông sẽ ký.")
             for i in range(2)]
    rows += [_article(20 + i, "Đại tá Nguyễn Văn Hải, Trưởng Công an huyện, cho biết vụ việc.")
             for i in range(3)]
    rows += [_article(30 + i, "Thượng tá Trần Thanh Hải, Phó Giám đốc Công an tỉnh, cho biết.")
             for i in range(3)]
    rows += [_article(40 + i, "Theo ông Hải, Trưởng Công an xã, vụ việc đang được điều tra.")
             for i in range(3)]
    (root / "c.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                  encoding="utf-8")
    reindex([root / "c.jsonl"], root / "index", full=True, workers=1, report=lambda p: None)
    return Engine(root / "index")


def test_a_short_form_counts_as_the_full_name(engine):
    persons = {f["value"]: f["count"] for f in engine.search(SearchRequest()).facets["person"]}
    assert persons["Donald Trump"] == 5 and "Trump" not in persons


def test_a_filter_on_either_form_finds_both(engine):
    short = engine.search(SearchRequest(person=("Trump",)))
    full = engine.search(SearchRequest(person=("Donald Trump",)))
    assert short.total == full.total == 5
    assert all(h["persons"] == ["Donald Trump"] for h in short.hits)
    assert [f["value"] for f in short.facets["person"]][:1] == ["Donald Trump"]


def test_an_ambiguous_short_form_stays_apart(engine):
    persons = {f["value"]: f["count"] for f in engine.search(SearchRequest()).facets["person"]}
    assert persons.get("Nguyễn Văn Hải") == 3 and persons.get("Trần Thanh Hải") == 3
    assert persons.get("Hải") == 3
