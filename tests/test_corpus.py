"""Corpus readers: the seed's plain-text format, JSON Lines, and bad input."""
import gzip
import json

import pytest

from search.corpus import Article, CorpusNotFound, Problem, read_corpus

from conftest import SEED_STYLE

# The seed article's layout (header, lead marker, paragraphs, byline in capitals),
# with sentences in its style.
SEED_LIKE = """ date 2022-12 • Khởi tố đối tượng lừa đảo chiếm đoạt tài sản

(LĐ online) - Ngày 26/12, Công an tỉnh Lâm Đồng cho biết đã khởi tố bị can Phạm S. về tội lừa đảo.
Đại tá Nguyễn Quang Thống, Phó Giám đốc Công an tỉnh, cho biết vụ việc đã được báo cáo Bộ Công an.
Ảnh: Hiện trường vụ việc
THỤY TRANG
"""


def read(*paths):
    items = list(read_corpus(paths))
    return ([i for i in items if isinstance(i, Article)],
            [i for i in items if isinstance(i, Problem)])


def test_seed_format_header_lead_marker_and_byline(tmp_path):
    (tmp_path / "lam-dong").mkdir()
    path = tmp_path / "lam-dong" / "khoi-to.txt"
    path.write_text(SEED_LIKE, encoding="utf-8")
    [article], problems = read(tmp_path)
    assert problems == []
    assert article.id == "lam-dong/khoi-to"
    assert article.title == "Khởi tố đối tượng lừa đảo chiếm đoạt tài sản"
    assert article.source == "LĐ online"
    assert article.author == "THỤY TRANG"
    assert article.body.startswith("Ngày 26/12, Công an tỉnh Lâm Đồng")
    assert "THỤY TRANG" not in article.body and "(LĐ online)" not in article.body
    # A month-precision header takes its day from the lead.
    assert article.date == "2022-12-26"


def test_month_date_without_day_in_lead_keeps_month_precision(tmp_path):
    (tmp_path / "a.txt").write_text(" date 2022-12 • Tiêu đề\n\nNội dung không có ngày.\n",
                                    encoding="utf-8")
    [article], _ = read(tmp_path)
    assert article.date == "2022-12"


def test_shipped_seed_format_article_reads(tmp_path):
    [article], problems = read(SEED_STYLE)
    assert problems == []
    assert article.id == "bat-khan-cap-6-nghi-can"
    assert article.title.startswith("Bắt khẩn cấp 6 nghi can")
    assert article.date == "2017-05-09"  # "Chiều tối 9.5" in the lead


def test_jsonl_and_gzip(tmp_path):
    rows = [{"id": "a1", "title": "Tin một", "body": "Nội dung một", "date": "2021-04-05",
             "source": "Dân Trí", "url": "https://x.vn/1", "category": "Xã hội"},
            {"id": "a2", "title": "Tin hai", "body": "Nội dung hai", "author": "An"}]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    with gzip.open(tmp_path / "b.jsonl.gz", "wt", encoding="utf-8") as f:
        f.write(json.dumps({"id": "b1", "title": "T", "body": "B", "date": "2020"}) + "\n")
    articles, problems = read(tmp_path)
    assert problems == []
    assert [a.id for a in articles] == ["a1", "a2", "b1"]
    assert articles[0].source == "Dân Trí" and articles[0].date == "2021-04-05"
    assert articles[1].author == "An" and articles[1].date is None
    assert articles[2].date == "2020"


def test_text_is_nfc_and_html_entities_are_decoded(tmp_path):
    decomposed = "Co\u0302ng an"  # "Công an" in NFD
    row = {"id": "x", "title": "Người t&ocirc;ng xe", "body": decomposed + " \u200b<b>x</b>"}
    (tmp_path / "a.jsonl").write_text(json.dumps(row))
    [article], _ = read(tmp_path)
    assert article.title == "Người tông xe"
    assert article.body == "Công an <b>x</b>"


def test_bad_input_is_reported_and_skipped_and_good_articles_kept(tmp_path):
    good = lambda i: json.dumps({"id": f"g{i}", "title": f"Tốt {i}", "body": "Nội dung"})
    lines = [good(1), "{not json", "[1, 2]", json.dumps({"id": "m", "title": "Thiếu body"}),
             json.dumps({"id": "t", "title": "T", "body": "B", "date": ["2022"]}),
             json.dumps({"id": "d", "title": "Ngày sai", "body": "B", "date": "2022-13-45"}),
             good(2)]
    (tmp_path / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_bytes(good(3).encode() + b"\n\xff\xfe{bad}\n" + good(4).encode())
    (tmp_path / "c.txt").write_bytes(b"\x00\x01\x02\xff binary")
    (tmp_path / "d.txt").write_text("Không có dòng ngày\n\nNội dung", encoding="utf-8")
    (tmp_path / "e.txt").write_text("", encoding="utf-8")
    with gzip.open(tmp_path / "f.jsonl.gz", "wb") as f:
        f.write((good(5) + "\n" + good(6) + "\n").encode() * 200)
    data = (tmp_path / "f.jsonl.gz").read_bytes()
    (tmp_path / "f.jsonl.gz").write_bytes(data[: len(data) - 20])
    (tmp_path / "README.md").write_text("not a corpus file")

    articles, problems = read(tmp_path)
    ids = [a.id for a in articles]
    assert {"g1", "g2", "g3", "g4", "g5", "g6", "d", "t"} <= set(ids)
    assert [a.date for a in articles if a.id in ("d", "t")] == [None, None]  # kept, date dropped
    reasons = {p.where.split("/")[-1]: p.reason for p in problems}
    assert "not valid JSON" in reasons["a.jsonl:2"]
    assert "not a JSON object" in reasons["a.jsonl:3"]
    assert "missing 'body'" in reasons["a.jsonl:4"]
    assert "'date' must be a string" in reasons["a.jsonl:5"]
    assert "impossible date" in reasons["a.jsonl:6"]
    assert "not valid UTF-8" in reasons["b.jsonl:2"]
    assert "not valid UTF-8" in reasons["c.txt"]
    assert "header" in reasons["d.txt"]
    assert "empty" in reasons["e.txt"]
    assert any("truncated" in p.reason for p in problems if "f.jsonl.gz" in p.where)
    assert not any("README" in p.where for p in problems)


def test_missing_corpus_path_raises(tmp_path):
    with pytest.raises(CorpusNotFound):
        list(read_corpus([tmp_path / "nope"]))


def test_content_hash_is_stable():
    # An index stores these hashes: if they changed, the next incremental reindex would
    # re-analyse every article. origin (where it was read) is not part of it.
    a = Article(id="x/1", title="Tít", body="Thân bài\nđoạn 2", date="2022-12-26", source="LĐ online",
                author="THỤY TRANG", origin="f.txt")
    assert a.content_hash() == "15a2ff7e7ddefdc47529a192ed3ef9539e5bed1d"
    assert Article(**{**a.__dict__, "origin": "g.jsonl:3"}).content_hash() == a.content_hash()
    assert Article(**{**a.__dict__, "body": "Thân bài"}).content_hash() != a.content_hash()
