"""Snippets are found in one pass (issue 15) and are still the snippets they were.

tests/data/snippets_before.jsonl.gz holds, for the benchmark and relevance queries (as
typed and without diacritics), the snippets the earlier window search (every window
against every match) gave on articles of the shipped sample corpus."""
import gzip
import json
from pathlib import Path

import pytest

from search.highlight import snippet, terms_for

ROOT = Path(__file__).resolve().parent.parent
BEFORE = ROOT / "tests" / "data" / "snippets_before.jsonl.gz"


@pytest.fixture(scope="module")
def bodies():
    with gzip.open(ROOT / "corpus" / "news-sample.jsonl.gz", "rt", encoding="utf-8") as f:
        return {a["id"]: a["body"] for a in map(json.loads, f)}


def test_snippets_are_the_snippets_of_before(bodies):
    with gzip.open(BEFORE, "rt", encoding="utf-8") as f:
        cases = [json.loads(line) for line in f]
    assert len(cases) >= 300
    differ = [c["query"] + " / " + c["id"] for c in cases
              if str(snippet(bodies[c["id"]], terms_for(tuple(w) for w in c["words"]))) != c["snippet_html"]]
    assert not differ, f"{len(differ)} of {len(cases)} snippets changed: {differ[:5]}"


def test_snippet_prefers_the_window_with_more_distinct_words():
    body = ("công an " * 60) + "lời " * 100 + "Công an tỉnh Nghệ An bắt giữ " + "lời " * 100
    html = str(snippet(body, terms_for([("công", "an"), ("nghệ", "an")])))
    assert "<mark>Nghệ An</mark>" in html and "<mark>Công an</mark>" in html
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= 302


@pytest.mark.parametrize("text", ["", " ", "\n\n", "  Công  an\n\ntỉnh  ", "a\tb", "a\u00a0 b",
                                  "x\u3000y\u2028z", "a \u200b b", " \n lời \n "])
def test_one_line_is_split_and_join(text):
    from search.highlight import _one_line
    assert _one_line(text) == " ".join(text.split())


def test_fold_text_keeps_every_offset():
    from search.highlight import _FOLD, _fold_text
    text = "Công an Đà Nẵng 😀 ẰẮ x\U0001F600y Ωmega ﬁ"
    folded = _fold_text(text)
    assert folded.startswith("cong an da nang 😀 aa x\U0001F600y")
    assert folded == "".join(_FOLD.get(ord(c), c) for c in text)


@pytest.mark.parametrize("text", ["", "a & b", "<mark>\"x\" 'y'</mark>", "&amp;&lt;",
                                  "Công an > tỉnh"])
def test_escape_is_markupsafes(text):
    from markupsafe import escape
    from search.highlight import _escape
    assert _escape(text) == str(escape(text))
