"""Corpus → index: `reindex` streams articles, analyses them in a process pool and
feeds one Whoosh writer; the result is published as a new generation (storage.py).
"""
from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import queue
import shutil
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from whoosh import index as whoosh_index

from . import storage
from .analysis import SYLLABLE_RE, fold_syllable, syllables
from .corpus import Article, Problem, corpus_files, read_corpus
from .entities import extract_entities
from .facets import facet_record
from .pairs import text_pairs
from .schema import ANALYSIS_VERSION, build_schema, frequency_postings, positional_postings, value_postings
from .segment import segment
from .segment_writer import GroupedSegmentWriter
from .vocabulary import Vocabulary

def _fault_point(name: str) -> None:
    """Crash here with SIGKILL if TIMTIN_KILL_AT names this point: how the tests prove that a
    reindex killed at any stage leaves the previous index intact."""
    if os.environ.get("TIMTIN_KILL_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)




@dataclass
class Summary:
    total: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (f"indexed {self.total} articles ({self.added} added, {self.updated} updated, "
                f"{self.deleted} deleted, {self.skipped} skipped) in {self.seconds:.1f} s")


@dataclass
class Analysed:
    """What either engine indexes of an article: pyvi words (the title's, then each body
    paragraph's), syllables as written and folded, entities."""
    title_tokens: list[str]
    body_tokens: list[list[str]]
    title_syl: list[str]
    body_syl: list[str]
    title_folded: list[str]
    body_folded: list[str]
    agencies: list[str]
    persons: list[str]


def analyse_text(article: Article) -> Analysed:
    paragraphs = [p for p in article.body.split("\n") if p.strip()]
    title_tokens = segment(article.title)
    body_tokens = [segment(p) for p in paragraphs]
    ents = extract_entities(article.title, article.body, article.author,
                            tokens=[title_tokens] + body_tokens)
    title_syl = syllables(article.title)
    body_syl = syllables(article.body)
    return Analysed(title_tokens, body_tokens, title_syl, body_syl,
                    list(map(fold_syllable, title_syl)), list(map(fold_syllable, body_syl)),
                    ents.agencies, ents.persons)


def analyse(article: Article, seq=(0, 0)) -> dict:
    """One article → the fields Whoosh stores and indexes. Runs in worker processes."""
    a = analyse_text(article)
    title_tokens, body_tokens, ents = a.title_tokens, a.body_tokens, a
    title_syl, body_syl, title_folded, body_folded = a.title_syl, a.body_syl, a.title_folded, a.body_folded

    # Only compound words: a one-syllable word is already a term of the syllable fields.
    def word_terms(token_lists):
        return [t.lower() for tokens in token_lists for t in tokens
                if "_" in t and SYLLABLE_RE.search(t)]

    date = article.date
    return dict(
        id=article.id,
        key=f"{article.id}\t{article.content_hash()}",
        title_f=positional_postings(title_folded),
        body_f=positional_postings(body_folded),
        title_syllables=" ".join(title_syl),
        facets=facet_record(date, article.source, ents.agencies, ents.persons),
        # Only syllables with diacritics: without any, the folded field says it all.
        title_s=frequency_postings([s for s, f in zip(title_syl, title_folded) if s != f]),
        body_s=frequency_postings([s for s, f in zip(body_syl, body_folded) if s != f]),
        title_w=frequency_postings(word_terms([title_tokens])),
        body_w=frequency_postings(word_terms(body_tokens)),
        date=date or "",
        year=value_postings([date[:4]] if date else []),
        month=value_postings([date[:7]] if date and len(date) >= 7 else []),
        source=value_postings([article.source] if article.source else []),
        agency=value_postings(ents.agencies),
        person=value_postings(ents.persons),
        title=article.title, body=article.body, source_name=article.source,
        category=article.category, url=article.url, author=article.author,
        agencies=ents.agencies, persons=ents.persons, seq=seq,
        _pairs=text_pairs(title_folded, body_folded),
    )


class _SegmentWorkers:
    """Processes that each analyse articles and write them into a Whoosh segment of their
    own; the parent adds the finished segments to the index in one commit. One writer
    process would be the bottleneck: writing is a fifth of the work per article."""

    def __init__(self, gen: Path, count: int, lock_fd: int | None, batch_size: int = 32):
        ctx = multiprocessing.get_context("fork")
        self.jobs = ctx.Queue(maxsize=count * 2)  # bounded: memory stays flat
        self.results = ctx.Queue()
        self.done = ctx.Value("i", 0)
        self.batch: list = []
        self.batch_size = batch_size
        self.early: list = []  # results read while checking on the workers
        self.procs = [ctx.Process(target=_worker_main, daemon=True,
                                  args=(str(gen), self.jobs, self.results, self.done, lock_fd,
                                        os.getpid()))
                      for _ in range(count)]
        # Objects the workers inherit are frozen out of their garbage collections: fewer
        # objects to traverse, and the pages they share with this process stay shared.
        gc.freeze()
        for p in self.procs:
            p.start()
        gc.unfreeze()

    def submit(self, item) -> None:
        self.batch.append(item)
        if len(self.batch) >= self.batch_size:
            self._put(self.batch)
            self.batch = []

    def _put(self, job) -> None:
        while True:
            try:
                self.jobs.put(job, timeout=1)
                return
            except queue.Full:
                self._check_alive()

    def _check_alive(self) -> None:
        """Raise if a worker reported an error or ended before it was told to finish."""
        try:
            status, value = self.results.get_nowait()
        except queue.Empty:
            pass
        else:
            if status == "error":
                raise RuntimeError(f"an indexing worker failed:\n{value}")
            self.early.append(value)
        dead = [p for p in self.procs if not p.is_alive()]
        if dead:
            raise RuntimeError(f"an indexing worker died (exit code {dead[0].exitcode})")

    def finish(self) -> list:
        """Wait for every worker's segment (workers that got no article return None)."""
        if self.batch:
            self._put(self.batch)
        for _ in self.procs:
            self._put(None)
        segments = list(self.early)
        while len(segments) < len(self.procs):
            try:
                status, value = self.results.get(timeout=1)
            except queue.Empty:
                if any(not p.is_alive() and p.exitcode != 0 for p in self.procs):
                    raise RuntimeError("an indexing worker died") from None
                continue
            if status == "error":
                raise RuntimeError(f"an indexing worker failed:\n{value}")
            segments.append(value)
        for p in self.procs:
            p.join()
        return [seg for seg in segments if seg is not None]

    def close(self) -> None:
        for p in self.procs:
            if p.is_alive():
                p.kill()
        # Never wait at exit to flush jobs that no worker will read.
        for q in (self.jobs, self.results):
            q.cancel_join_thread()
            q.close()


def _die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when the parent dies (a parent killed mid-write
    can leave a worker blocked on a half-sent job forever)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _worker_main(gen: str, jobs, results, done, lock_fd, parent: int) -> None:
    _die_with_parent(parent)
    if lock_fd is not None:
        os.close(lock_fd)  # the reindex lock must die with the parent, not live on here
    try:
        ix = whoosh_index.open_dir(gen)
        writer = _writer(ix, _lk=False)
        # Analysing and adding an article leaves no reference cycle behind, but the
        # collector's automatic passes cost ~3% of the time: collect by hand once a batch.
        gc.disable()
        while True:
            try:
                batch = jobs.get(timeout=1)
            except queue.Empty:
                if os.getppid() != parent:  # parent killed: give up quietly
                    os._exit(1)
                continue
            if batch is None:
                break
            for article, seq in batch:
                writer.add_document(**analyse(article, seq))
            gc.collect(0)
            _fault_point("worker")
            with done.get_lock():
                done.value += len(batch)
        if writer.docnum:
            results.put(("ok", writer._finalize_segment()))
        else:
            writer._close_segment()
            results.put(("ok", None))
    except BaseException:
        results.put(("error", traceback.format_exc()))


def _writer(ix, **kwargs):
    return GroupedSegmentWriter(ix, limitmb=128, **kwargs)


def _existing_keys(ix) -> dict[str, str]:
    """id → content hash of every live article in the index (deleted ones left out)."""
    keys = {}
    with ix.searcher() as searcher:
        reader = searcher.reader()
        if not reader.doc_count_all():
            return keys
        for docnum, key in enumerate(reader.column_reader("key")):
            if key and not reader.is_deleted(docnum):
                article_id, _, digest = key.partition("\t")
                keys[article_id] = digest
    return keys


def reindex(corpus_paths, index_dir, full: bool = False, workers: int | None = None,
            report: Callable[[Problem], None] | None = None,
            progress: Callable[[int], None] | None = None) -> Summary:
    """Bring the index in index_dir up to date with the corpus; see the README."""
    start = time.monotonic()
    index_dir = Path(index_dir)
    paths = [Path(p) for p in corpus_paths]
    for p in paths:
        corpus_files(p)  # raises CorpusNotFound before anything is touched
    summary = Summary()
    report = report or (lambda problem: print(problem, file=sys.stderr))

    with storage.ReindexLock(index_dir) as lock:
        live = storage.current_generation(index_dir)
        # An index made by another version of the analysis (or schema) is rebuilt whole.
        incremental = (live is not None and not full
                       and storage.read_meta(live).get("analysis_version") == ANALYSIS_VERSION)
        existing: dict[str, str] = {}
        if incremental:
            existing = _existing_keys(whoosh_index.open_dir(str(live)))
        gen = storage.new_generation(index_dir, link_from=live if incremental else None)
        try:
            changed = _write(paths, gen, incremental, existing, workers or os.cpu_count() or 1,
                             summary, report, progress, lock.fd)
            if summary.total == 0 and live is not None and storage.read_meta(live).get("articles"):
                raise RuntimeError(f"no article could be read from {', '.join(map(str, paths))}; "
                                   "an empty index would replace the live one")
            if changed or not incremental:
                _write_vocabulary(gen)
                storage.write_meta(gen, {"indexed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                         "articles": summary.total,
                                         "analysis_version": ANALYSIS_VERSION})
                _fault_point("swap")
                storage.publish(index_dir, gen)
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)  # only what this run wrote
            raise
        storage.remove_stale_generations(index_dir, keep=_live_names(index_dir, previous=live))
    summary.seconds = time.monotonic() - start
    return summary


def _write_vocabulary(gen: Path) -> None:
    """The word statistics unaccented queries are read with (vocabulary.py)."""
    ix = whoosh_index.open_dir(str(gen))
    with ix.reader() as reader:
        Vocabulary.from_reader(reader).write(gen)


def _live_names(index_dir: Path, previous: Path | None = None) -> set[str]:
    names = {previous.name} if previous else set()
    current = storage.current_generation(index_dir)
    if current:
        names.add(current.name)
    return names


def _write(paths, gen: Path, incremental: bool, existing: dict[str, str], workers: int,
           summary: Summary, report, progress, lock_fd: int | None = None) -> bool:
    """Analyse and write every new or changed article into gen; True if anything changed."""
    ix = (whoosh_index.open_dir(str(gen)) if incremental
          else whoosh_index.create_in(str(gen), build_schema()))
    writer = _writer(ix)  # deletions, and the documents when there is a single worker
    pool = _SegmentWorkers(gen, workers, lock_fd) if workers > 1 else None
    seen: dict[str, str] = {}   # id → where it was read, to report duplicates
    duplicates: set[str] = set()
    replaced: set[str] = set()  # ids whose version from an earlier run is deleted
    seq = 0
    run = time.time_ns()  # with seq, orders documents across runs too
    try:
        for item in read_corpus(paths):
            if isinstance(item, Problem):
                report(item)
                summary.skipped += item.skipped
                continue
            first = item.id not in seen
            if not first:
                report(Problem(item.origin, f"duplicate id {item.id!r} (also in {seen[item.id]}); "
                                            "this later one wins", skipped=False))
                duplicates.add(item.id)
            seen[item.id] = item.origin
            digest = existing.get(item.id)
            if digest is not None and digest == item.content_hash() and item.id not in duplicates:
                continue  # unchanged: no segmentation work
            if digest is not None and item.id not in replaced:
                writer.delete_by_term("id", item.id)  # the version from an earlier run
                replaced.add(item.id)
            summary.updated += first and digest is not None
            summary.added += first and digest is None
            seq += 1
            if seq == 100:
                _fault_point("segmenting")
            if pool:
                pool.submit((item, (run, seq)))
                if progress:
                    progress(pool.done.value)
            else:
                writer.add_document(**analyse(item, (run, seq)))
                if progress:
                    progress(seq)
        vanished = [i for i in existing if i not in seen]
        for article_id in vanished:
            writer.delete_by_term("id", article_id)
        summary.deleted = len(vanished)
        _fault_point("writing")
        segments = pool.finish() if pool else []
    except BaseException:
        writer.cancel()
        raise
    finally:
        if pool:
            pool.close()

    changed = bool(seq or vanished)
    if changed:
        # What SegmentWriter.commit does, plus the segments the workers wrote.
        final = writer._merge_segments(None, False, True) + segments
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        _fault_point("committing")
        writer._commit_toc(final)
        writer._finish()
    else:
        writer.cancel()
    ix = whoosh_index.open_dir(str(gen))
    if duplicates:
        _keep_latest(ix, duplicates)
    summary.total = ix.doc_count()
    return changed


def _keep_latest(ix, ids: set[str]) -> None:
    """Where an id was read twice in one run both versions were added: keep the later."""
    writer = _writer(ix)
    with ix.searcher() as searcher:
        for article_id in ids:
            docnums = list(searcher.document_numbers(id=article_id))
            latest = max(docnums, key=lambda d: searcher.stored_fields(d)["seq"])
            for d in docnums:
                if d != latest:
                    writer.delete_document(d)
    writer.commit()
