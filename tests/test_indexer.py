"""`timtin reindex`: full and incremental builds, the atomic swap, locking, the CLI contract."""
import json
import shutil
import signal
import subprocess
import sys
import time

import pytest
from whoosh import index as whoosh_index

from search import storage
from search.engine import Engine
from search.indexer import reindex
from search.request import SearchRequest

from conftest import ROOT, run_timtin, sample_articles


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def ids_in(index_dir):
    result = Engine(index_dir).search(SearchRequest(per_page=100))
    return {h["id"] for h in result.hits}


@pytest.fixture()
def small_corpus(tmp_path, test_articles):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [{k: a[k] for k in ("id", "title", "body", "date", "source")} for a in test_articles[:6]]
    write_jsonl(corpus / "a.jsonl", rows)
    return corpus, rows


def test_incremental_reindex_adds_updates_and_deletes(tmp_path, small_corpus):
    corpus, rows = small_corpus
    index = tmp_path / "index"
    first = reindex([corpus], index, workers=1)
    assert (first.total, first.added, first.updated, first.deleted) == (6, 6, 0, 0)
    assert ids_in(index) == {r["id"] for r in rows}

    # Nothing changed: nothing analysed, no new generation published.
    live = storage.current_generation(index)
    again = reindex([corpus], index, workers=1)
    assert (again.added, again.updated, again.deleted) == (0, 0, 0)
    assert storage.current_generation(index) == live

    changed = dict(rows[0], title="Tiêu đề đã sửa hoàn toàn mới xyzzy")
    new = {"id": "new-1", "title": "Bài mới về Lâm Đồng", "body": "Nội dung bài mới plugh."}
    write_jsonl(corpus / "a.jsonl", [changed] + rows[1:5] + [new])  # rows[5] vanished
    third = reindex([corpus], index, workers=1)
    assert (third.total, third.added, third.updated, third.deleted) == (6, 1, 1, 1)
    assert ids_in(index) == {r["id"] for r in rows[:5]} | {"new-1"}
    engine = Engine(index)
    assert [h["id"] for h in engine.search(SearchRequest(q="xyzzy")).hits] == [rows[0]["id"]]
    assert [h["id"] for h in engine.search(SearchRequest(q="plugh")).hits] == ["new-1"]
    # Old generations beyond the previous one are cleaned up.
    assert len(list(index.glob("gen-*"))) <= 2


def test_full_rebuild_swaps_and_old_searcher_keeps_working(tmp_path, small_corpus):
    corpus, rows = small_corpus
    index = tmp_path / "index"
    reindex([corpus], index, workers=1)
    engine = Engine(index)
    old = engine.snapshot()
    write_jsonl(corpus / "a.jsonl", rows[:3])
    summary = reindex([corpus], index, full=True, workers=1)
    assert (summary.total, summary.added) == (3, 3)
    assert engine.snapshot() is not old  # the engine moves to the new generation
    assert len(ids_in(index)) == 3
    # A request that started on the old snapshot can still read it.
    assert old.stored(0)["id"]


def test_duplicate_ids_later_one_wins_and_is_reported(tmp_path, small_corpus):
    corpus, rows = small_corpus
    write_jsonl(corpus / "b.jsonl", [dict(rows[0], title="Phiên bản sau quuxword")])
    problems = []
    summary = reindex([corpus], tmp_path / "index", workers=1, report=problems.append)
    assert summary.total == 6
    assert any("duplicate id" in p.reason and "later one wins" in p.reason for p in problems)
    hits = Engine(tmp_path / "index").search(SearchRequest(q="quuxword")).hits
    assert [h["id"] for h in hits] == [rows[0]["id"]]
    assert Engine(tmp_path / "index").article(rows[0]["id"])["title"] == "Phiên bản sau quuxword"


def test_bad_input_is_skipped_counted_and_named_by_the_cli(tmp_path, small_corpus):
    corpus, rows = small_corpus
    (corpus / "bad.jsonl").write_text('{"id": "x"\n[1]\n', encoding="utf-8")
    (corpus / "bin.txt").write_bytes(b"\xff\xfe\x00")
    result = run_timtin("reindex", "--corpus", corpus, "--index", tmp_path / "index", "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert "bad.jsonl:1: not valid JSON" in result.stderr
    assert "bad.jsonl:2: not a JSON object" in result.stderr
    assert "bin.txt: not valid UTF-8" in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("indexed 6 articles (6 added, 0 updated, 0 deleted, 3 skipped) in ")
    assert last.endswith(" s")


def test_cli_missing_corpus_is_a_usage_error_without_traceback(tmp_path):
    result = run_timtin("reindex", "--corpus", tmp_path / "nope", "--index", tmp_path / "index")
    assert result.returncode == 2
    assert "corpus path not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_uses_environment_defaults(tmp_path, small_corpus):
    corpus, _ = small_corpus
    env = {**__import__("os").environ, "TIMTIN_CORPUS": str(corpus), "TIMTIN_INDEX": str(tmp_path / "ix")}
    result = run_timtin("reindex", "--workers", "1", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert storage.current_generation(tmp_path / "ix") is not None


def test_second_reindex_while_one_runs_exits_2(tmp_path, small_corpus):
    corpus, _ = small_corpus
    index = tmp_path / "index"
    with storage.ReindexLock(index):
        result = run_timtin("reindex", "--corpus", corpus, "--index", index)
    assert result.returncode == 2
    assert "another reindex is already running" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("delay", [1.0, 4.0])
def test_killed_full_rebuild_leaves_previous_index_usable(tmp_path, index_dir, corpus_dir, delay):
    index = tmp_path / "index"
    shutil.copytree(index_dir, index)
    before = storage.current_generation(index)
    # Enough articles that the rebuild is still running when it is killed (~10 s).
    big = tmp_path / "big.jsonl"
    big.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n"
                           for a in sample_articles()[:1500]), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "search.cli", "reindex", "--full",
                             "--workers", "2", "--corpus", str(big), "--index", str(index)],
                            cwd=ROOT, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    assert proc.poll() is None, "the rebuild ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert storage.current_generation(index) == before
    result = Engine(index).search(SearchRequest(q="công an"))
    assert result.total > 0
    # The next reindex needs no manual clean-up (the lock died with the process).
    summary = reindex([corpus_dir], index, workers=2, report=lambda p: None)
    assert summary.total > 0
    assert len(list(index.glob("gen-*"))) <= 2


def test_index_of_another_version_is_refused_by_the_engine_and_rebuilt(tmp_path, small_corpus):
    corpus, rows = small_corpus
    index = tmp_path / "index"
    reindex([corpus], index, workers=1)
    gen = storage.current_generation(index)
    meta = storage.read_meta(gen)
    storage.write_meta(gen, dict(meta, analysis_version="0"))
    with pytest.raises(storage.IndexNotFound, match="reindex --full"):
        Engine(index).snapshot()
    summary = reindex([corpus], index, workers=1)  # not --full: rebuilt whole anyway
    assert (summary.added, summary.total) == (6, 6)
    assert len(ids_in(index)) == 6


def test_no_change_run_after_updates_and_deletes_publishes_nothing(tmp_path, small_corpus):
    corpus, rows = small_corpus
    index = tmp_path / "index"
    reindex([corpus], index, workers=1)
    write_jsonl(corpus / "a.jsonl", [dict(rows[0], title="Phiên bản hai")] + rows[1:5])
    reindex([corpus], index, workers=1)
    live = storage.current_generation(index)
    quiet = reindex([corpus], index, workers=1)
    assert (quiet.added, quiet.updated, quiet.deleted) == (0, 0, 0)
    assert storage.current_generation(index) == live


def test_reverting_an_article_serves_the_reverted_text(tmp_path, small_corpus):
    corpus, rows = small_corpus
    index = tmp_path / "index"
    reindex([corpus], index, workers=1)
    write_jsonl(corpus / "a.jsonl", [dict(rows[0], title="Tạm thời sửa")] + rows[1:])
    reindex([corpus], index, workers=1)
    write_jsonl(corpus / "a.jsonl", rows)  # back to the first version
    summary = reindex([corpus], index, workers=1)
    assert summary.updated == 1
    assert Engine(index).article(rows[0]["id"])["title"] == rows[0]["title"]


def test_duplicate_across_runs_later_copy_wins(tmp_path, small_corpus):
    corpus, rows = small_corpus
    index = tmp_path / "index"
    reindex([corpus], index, workers=1)
    # The first copy is unchanged (it stays indexed from the last run); a later copy differs.
    write_jsonl(corpus / "b.jsonl", [dict(rows[0], title="Bản sau cùng")])
    reindex([corpus], index, workers=1, report=lambda p: None)
    assert Engine(index).article(rows[0]["id"])["title"] == "Bản sau cùng"
    assert len(ids_in(index)) == 6


def test_empty_corpus_builds_an_empty_index_but_never_replaces_a_full_one(tmp_path, small_corpus):
    empty = tmp_path / "empty"
    empty.mkdir()
    index = tmp_path / "index"
    reindex([empty], index, workers=1)
    engine = Engine(index)
    assert engine.search(SearchRequest(q="công an")).total == 0
    assert engine.health()["articles"] == 0

    corpus, _ = small_corpus
    reindex([corpus], index, workers=1)
    live = storage.current_generation(index)
    result = run_timtin("reindex", "--full", "--corpus", empty, "--index", index)
    assert result.returncode == 1 and "no article could be read" in result.stderr
    assert storage.current_generation(index) == live


def test_reindex_leaves_the_live_generation_untouched(tmp_path, small_corpus):
    corpus, rows = small_corpus
    index = tmp_path / "index"
    reindex([corpus], index, workers=1)
    live = storage.current_generation(index)
    before = {f.name: f.read_bytes() for f in live.iterdir() if f.is_file()}
    write_jsonl(corpus / "a.jsonl", rows[:4])
    reindex([corpus], index, workers=1)
    assert {f.name: f.read_bytes() for f in live.iterdir() if f.is_file() and f.name in before} == before


def test_cli_search_prints_results_and_exact_json(index_dir, engine):
    result = run_timtin("search", "công an", "--index", index_dir, "--per-page", "3")
    assert result.returncode == 0, result.stderr
    assert "articles" in result.stdout.splitlines()[0] and "\n1. " in result.stdout
    result = run_timtin("search", "công an", "--agency", "Bộ Công an", "--json", "--index", index_dir)
    data = json.loads(result.stdout)
    expected = engine.search(SearchRequest(q="công an", agency=("Bộ Công an",))).to_dict()
    data.pop("took_ms"), expected.pop("took_ms")
    assert data == expected
    bad = run_timtin("search", "x", "--from", "2022-13", "--index", index_dir)
    assert bad.returncode == 2 and "date_from" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("workers", [1, 2])
def test_word_matching_survives_incremental_runs_and_merges(tmp_path, test_articles, workers):
    """The pair index beside each segment (search/pairs.py) follows the segments through
    incremental runs, deletions and Whoosh's merges of small segments."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = [{k: a[k] for k in ("id", "title", "body", "date", "source")} for a in test_articles[:40]]
    write_jsonl(corpus / "a.jsonl", rows)
    index = tmp_path / "index"
    reindex([corpus], index, workers=workers)
    phrase = "chim cánh cụt hoàng đế"
    for run in range(3):  # each run leaves a small segment; Whoosh merges them
        changed = dict(rows[run], body=rows[run]["body"] + f" Đàn {phrase} số {run}.")
        write_jsonl(corpus / "a.jsonl", [changed] + rows[run + 1:])  # the ones before: gone
        reindex([corpus], index, workers=workers)
        rows[run] = changed
        engine = Engine(index)
        found = [h["id"] for h in engine.search(SearchRequest(q=f'"{phrase}"', per_page=50)).hits]
        assert found == [rows[run]["id"]]  # the earlier ones were deleted with their text
        for r in rows[run + 1:run + 8]:  # untouched articles, in merged or linked segments
            assert r["id"] in {h["id"] for h in engine.search(SearchRequest(q=r["title"])).hits}
    gen = storage.current_generation(index)
    with whoosh_index.open_dir(str(gen)).reader() as reader:
        segments = {r.segment().segment_id() for r, _ in reader.leaf_readers()}
    for arrays in ("pairs_", "terms_", "lengths_"):  # none left behind by a merged segment
        assert {p.name.split(".")[0] for p in gen.glob(f"*.{arrays}*")} == segments
