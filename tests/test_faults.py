"""Faults during a reindex: killed at each stage, a worker dying, bad corpus input end to end."""
import json
import os
import shutil
import signal
import subprocess

import pytest

from search import storage
from search.engine import Engine
from search.request import SearchRequest

from conftest import run_timtin


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory, test_articles):
    """120 real articles: enough for every stage of a run, small enough to run it often."""
    corpus = tmp_path_factory.mktemp("fault-corpus")
    (corpus / "news.jsonl").write_text("".join(
        json.dumps(a, ensure_ascii=False) + "\n" for a in test_articles[:120]), encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def small_index(tmp_path_factory, small_corpus):
    from search.indexer import reindex
    index = tmp_path_factory.mktemp("fault-index")
    reindex([small_corpus], index, workers=2)
    return index


@pytest.fixture()
def live_copy(tmp_path, small_index):
    index = tmp_path / "index"
    shutil.copytree(small_index, index)
    return index


@pytest.mark.parametrize("point", ["segmenting", "writing", "committing", "swap"])
@pytest.mark.parametrize("full", [True, False])
def test_reindex_killed_at_any_stage_leaves_the_previous_index(live_copy, small_corpus, tmp_path, point, full):
    corpus = tmp_path / "corpus"
    shutil.copytree(small_corpus, corpus)
    (corpus / "more.jsonl").write_text(json.dumps({"id": "m1", "title": "Bài thêm", "body": "x"}) + "\n")
    # Change every article, so that an incremental run has as much to do as a full one.
    rows = [json.loads(l) for l in (corpus / "news.jsonl").read_text(encoding="utf-8").splitlines()]
    (corpus / "news.jsonl").write_text("".join(
        json.dumps(dict(r, title=r["title"] + " (cập nhật)"), ensure_ascii=False) + "\n" for r in rows),
        encoding="utf-8")
    before = storage.current_generation(live_copy)
    total = Engine(live_copy).search(SearchRequest()).total
    args = ["reindex", "--corpus", corpus, "--index", live_copy, "--workers", "2"] + (["--full"] if full else [])
    result = run_timtin(*args, env={**os.environ, "TIMTIN_KILL_AT": point})
    assert result.returncode == -signal.SIGKILL
    assert storage.current_generation(live_copy) == before
    assert Engine(live_copy).search(SearchRequest()).total == total
    # The next run needs no clean-up: no stale lock, leftovers removed.
    again = run_timtin(*args)
    assert again.returncode == 0, again.stderr
    assert Engine(live_copy).search(SearchRequest()).total == total + 1
    assert len(list(live_copy.glob("gen-*"))) <= 2


def test_a_worker_killed_fails_the_run_cleanly(live_copy, small_corpus):
    before = storage.current_generation(live_copy)
    result = run_timtin("reindex", "--full", "--corpus", small_corpus, "--index", live_copy,
                        "--workers", "2", env={**os.environ, "TIMTIN_KILL_AT": "worker"})
    assert result.returncode == 1
    assert "worker" in result.stderr and "previous index is unchanged" in result.stderr
    assert "Traceback" not in result.stderr
    assert storage.current_generation(live_copy) == before
    assert Engine(live_copy).search(SearchRequest(q="công an")).total > 0


def test_bad_corpus_end_to_end(tmp_path, test_articles):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    good = [{k: a[k] for k in ("id", "title", "body", "date")} for a in test_articles[:8]]
    line = lambda r: json.dumps(r, ensure_ascii=False)
    (corpus / "01-invalid-utf8.jsonl").write_bytes(line(good[0]).encode() + b"\n\xc3\x28 bad\n" + line(good[1]).encode() + b"\n")
    (corpus / "02-empty.txt").write_text("")
    (corpus / "03-binary.txt").write_bytes(bytes(range(256)))
    (corpus / "04-not-object.jsonl").write_text("[1,2]\n" + line(good[2]) + "\n")
    (corpus / "05-missing.jsonl").write_text('{"id": "a", "body": "x"}\n{"id": "b", "title": "x"}\n' + line(good[3]) + "\n")
    (corpus / "06-dates.jsonl").write_text(
        line({"id": "wrongtype", "title": "Sai kiểu", "body": "x", "date": 20221231}) + "\n"
        + line({"id": "impossible", "title": "Ngày không có", "body": "x", "date": "2022-13-45"}) + "\n")
    huge = {"id": "huge", "title": "Bài rất dài", "body": ("Công an tỉnh Lâm Đồng điều tra. " * 170_000)[:5_000_000]}
    (corpus / "07-huge.jsonl").write_text(line(huge) + "\n")
    (corpus / "08-long-title.jsonl").write_text(line({"id": "longtitle", "title": "Tiêu đề " * 1250, "body": "x"}) + "\n")
    (corpus / "09-controls.jsonl").write_text(line({"id": "ctrl", "title": "Có\u0007 ký\u200b tự\u0000 ẩn", "body": "a\u200db\u0001c"}) + "\n")
    (corpus / "10-html.jsonl").write_text(line({"id": "html", "title": "<script>alert(1)</script> tin", "body": "<b>đậm</b> <script>x()</script>"}) + "\n")
    (corpus / "11-no-header.txt").write_text("Chỉ có nội dung\n\nkhông có dòng ngày", encoding="utf-8")
    (corpus / "12-dup.jsonl").write_text(line(dict(good[4], title="Bản trước")) + "\n")
    (corpus / "13-dup.jsonl").write_text(line(dict(good[4], title="Bản sau thắng")) + "\n" + line(good[5]) + "\n")
    import gzip
    data = gzip.compress(("\n".join(line(g) for g in good[6:8]) + "\n").encode() * 50)
    (corpus / "14-truncated.jsonl.gz").write_bytes(data[:-30])

    index = tmp_path / "index"
    result = run_timtin("reindex", "--corpus", corpus, "--index", index, "--workers", "2")
    assert result.returncode == 0, result.stderr
    err = result.stderr
    for where, reason in [("01-invalid-utf8.jsonl:2", "not valid UTF-8"), ("02-empty.txt", "empty"),
                          ("03-binary.txt", "not valid UTF-8"), ("04-not-object.jsonl:1", "not a JSON object"),
                          ("05-missing.jsonl:1", "missing 'title'"), ("05-missing.jsonl:2", "missing 'body'"),
                          ("06-dates.jsonl:1", "'date' must be a string"),
                          ("06-dates.jsonl:2", "impossible date"), ("11-no-header.txt", "header"),
                          ("13-dup.jsonl:1", "duplicate id"), ("14-truncated.jsonl.gz", "truncated")]:
        assert any(where in l and reason in l for l in err.splitlines()), (where, reason, err)
    assert "skipped) in" in err.splitlines()[-1]
    engine = Engine(index)
    ids = {h["id"] for h in engine.search(SearchRequest(per_page=100)).hits}
    assert {g["id"] for g in good} | {"wrongtype", "impossible", "huge", "longtitle", "ctrl", "html"} <= ids
    assert engine.article(good[4]["id"])["title"] == "Bản sau thắng"
    assert engine.article("ctrl")["title"] == "Có ký tự ẩn"
    hit = engine.search(SearchRequest(q="script")).hits[0]
    assert "<script" not in hit["title_html"]
    assert hit["title_html"].startswith("&lt;<mark>script</mark>&gt;alert(1)&lt;/")
    assert engine.search(SearchRequest(q="Lâm Đồng điều tra")).hits[0]["id"] == "huge"


@pytest.fixture()
def small_disk(tmp_path, small_index):
    """A file system of its own with room for the small index and 2 MB more (tmpfs;
    needs root, as in CI)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    size = sum(f.stat().st_size for f in small_index.rglob("*") if f.is_file()) + 2 * 1024 * 1024
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                            capture_output=True, text=True)
    if result.returncode:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)])


def _assert_previous_index_answers(index, before, total):
    assert storage.current_generation(index) == before
    assert Engine(index).search(SearchRequest()).total == total


def test_disk_full_is_a_clear_error_and_keeps_the_old_index(small_disk, small_index, corpus_dir):
    index = small_disk / "index"
    shutil.copytree(small_index, index)
    before, total = storage.current_generation(index), Engine(index).search(SearchRequest()).total
    # The ~325-article corpus does not fit beside the live index in 2 MB.
    result = run_timtin("reindex", "--full", "--corpus", corpus_dir, "--index", index, "--workers", "2")
    assert result.returncode == 1, result.stderr
    assert "No space left on device" in result.stderr
    assert "previous index is unchanged" in result.stderr
    _assert_previous_index_answers(index, before, total)


def test_read_only_index_folder_is_a_clear_error(small_disk, small_index, small_corpus):
    index = small_disk / "index"
    shutil.copytree(small_index, index)
    before, total = storage.current_generation(index), Engine(index).search(SearchRequest()).total
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        result = run_timtin("reindex", "--full", "--corpus", small_corpus, "--index", index)
        assert result.returncode == 1, result.stderr
        assert "Read-only file system" in result.stderr and "Traceback" not in result.stderr
        _assert_previous_index_answers(index, before, total)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)])
