"""`timtin reindex --engine sphinx://…`: the corpus into the cluster's shards.

The analysis is the Whoosh engine's (indexer.analyse_text: pyvi words, syllables, folded
forms, entities, dates), run in worker processes; each article goes to the shard a hash of
its id picks (schema.shard_of), so an update replaces it in place.

Generations. Every row carries the generation it was written for, and searches see only
the head's current one (meta: gen/current). An incremental run writes into the current
generation: changed articles replaced, vanished ones deleted, compared by content hash
(the `chash` attribute, kept in the cluster). `--full` writes a whole new generation
beside the live one, then switches `gen/current` to it in one statement and deletes the
old rows: searches never see a half-built index. A shard down stops the run with a clear
message before anything is switched; the next run completes it (rows written are kept
and, being current, skipped by their hash; a half-written new generation is cleared first).

The vocabulary unaccented queries are read with (vocabulary.py) is kept in the meta table
as gzip'd chunks; an incremental run adds the counts of what it wrote (the counts of
deleted or replaced versions stay: a statistical prior, rebuilt exactly by `--full`).
"""
from __future__ import annotations

import base64
import gzip
import json
import multiprocessing
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable

import numpy as np

from ..analysis import SYLLABLE_RE, fold
from ..corpus import Article, Problem, corpus_files, read_corpus
from ..dates import date_range
from ..indexer import Summary, analyse_text
from ..person_names import short_forms
from ..vocabulary import MIN_WORD_COUNT, Vocabulary
from .client import Cluster, ClusterError, connect, quote
from .schema import (ATTRIBUTES, FIELDS, LEAD, META_TABLE, SHARD_TABLE, SWITCH_GRACE, doc_id, meta_id, shard_of,
                     token, value_id)

BATCH = 100          # rows per REPLACE statement
CHUNK = 500_000      # characters of the vocabulary per meta row
COLUMNS = ("id",) + FIELDS + tuple(name for _, name in ATTRIBUTES)


def article_row(article: Article, gen: int) -> tuple[dict, dict]:
    """(the shard row of an article, its vocabulary counts). Runs in worker processes."""
    a = analyse_text(article)
    words_title = [t.lower() for t in a.title_tokens if SYLLABLE_RE.search(t)]
    words_body = [t.lower() for tokens in a.body_tokens for t in tokens if SYLLABLE_RE.search(t)]
    date = article.date or ""
    start, end = date_range(date) if date else (0, 0)
    join = lambda items: " ".join(map(token, items))  # noqa: E731
    row = {
        "id": doc_id(article.id, gen),
        "title_f": join(a.title_folded), "body_f": join(a.body_folded),
        "lead_f": join(a.body_folded[:LEAD]),
        "title_s": join(a.title_syl), "body_s": join(a.body_syl),
        "title_w": join(words_title), "body_w": join(words_body),
        "aid": article.id, "chash": article.content_hash(), "title": article.title,
        "body": article.body, "url": article.url or "", "author": article.author or "",
        "source_name": article.source or "", "category": article.category or "", "date": date,
        "agencies": json.dumps(a.agencies, ensure_ascii=False),
        "persons": json.dumps(a.persons, ensure_ascii=False),
        "gen": gen, "has_date": int(bool(date)), "year": int(date[:4]) if date else 0,
        "month": int(date[:4] + date[5:7]) if len(date) >= 7 else 0,
        "dstart": start, "dend": end,
        "source_id": value_id("source", article.source) if article.source else 0,
        "agency_ids": [value_id("agency", v) for v in a.agencies],
        "person_ids": [value_id("person", v) for v in a.persons],
    }
    vocab = _vocabulary_counts(a, words_title + words_body)
    return row, vocab


def _vocabulary_counts(a, words) -> dict:
    """What this article adds to vocabulary.py's three tables."""
    w: dict = defaultdict(lambda: defaultdict(int))
    for word in words:
        if "_" in word:
            form = " ".join(x for x in word.split("_") if x)
            w[fold(form)][form] += 1
    s: dict = defaultdict(lambda: defaultdict(int))
    for syl, folded in zip(a.title_syl + a.body_syl, a.title_folded + a.body_folded):
        s[folded][syl] += 1
    p: dict = defaultdict(lambda: defaultdict(int))
    for x, y in zip(a.title_syl, a.title_syl[1:]):
        form = f"{x} {y}"
        p[fold(form)][form] += 1
    return {"w": _plain(w), "s": _plain(s), "p": _plain(p)}  # picklable, back to the parent


def _plain(table) -> dict:
    return {k: dict(v) for k, v in table.items()}


def _values_sql(row: dict) -> str:
    parts = []
    for name in COLUMNS:
        value = row[name]
        parts.append("(" + ",".join(map(str, value)) + ")" if isinstance(value, list) else quote(value))
    return "(" + ",".join(parts) + ")"


class _Shards:
    """Connections to every shard, and rows batched per shard."""

    def __init__(self, cluster: Cluster):
        self.addresses = cluster.shard_addresses()
        self.conns = []
        for host, port in self.addresses:
            try:
                self.conns.append(connect(host, port, read_timeout=120))
            except ClusterError as e:
                raise ClusterError(f"shard {host}:{port} is down ({e}); indexing needs every "
                                   "shard, nothing was changed") from None
        self.pending: list[list[dict]] = [[] for _ in self.conns]

    def execute(self, k: int, sql: str) -> list[tuple]:
        host, port = self.addresses[k]
        try:
            with self.conns[k].cursor() as cur:
                cur.execute(sql)
                return list(cur.fetchall())
        except Exception as e:  # pymysql errors, broken pipes: the shard is gone
            raise ClusterError(f"shard {host}:{port} failed: {e}; what was written is kept, "
                               "run `timtin reindex` again to complete") from None

    def add(self, aid: str, row: dict) -> None:
        k = shard_of(aid, len(self.conns))
        self.pending[k].append(row)
        if len(self.pending[k]) >= BATCH:
            self.flush(k)

    def flush(self, k: int | None = None) -> None:
        for j in ([k] if k is not None else range(len(self.conns))):
            rows, self.pending[j] = self.pending[j], []
            if rows:
                self.execute(j, f"REPLACE INTO {SHARD_TABLE} ({','.join(COLUMNS)}) VALUES "
                             + ",".join(_values_sql(r) for r in rows))

    def rows(self, k: int, columns: str, where: str):
        """Every (id, …columns) row of shard k matching where, in id order, paged."""
        last = 0
        while True:
            batch = self.execute(k, f"SELECT id, {columns} FROM {SHARD_TABLE} WHERE {where} "
                                    f"AND id > {last} ORDER BY id ASC LIMIT 1000 "
                                    "OPTION max_matches=1000")
            yield from batch
            if len(batch) < 1000:
                return
            last = batch[-1][0]

    def delete(self, k: int, ids: list[int]) -> None:
        for i in range(0, len(ids), 1000):
            self.execute(k, f"DELETE FROM {SHARD_TABLE} WHERE id IN ({','.join(map(str, ids[i:i + 1000]))})")

    def close(self) -> None:
        for c in self.conns:
            try:
                c.close()
            except Exception:
                pass


def reindex_cluster(corpus_paths, url: str, full: bool = False, workers: int | None = None,
                    report: Callable[[Problem], None] | None = None,
                    progress: Callable[[int], None] | None = None) -> Summary:
    start = time.monotonic()
    for p in corpus_paths:
        corpus_files(Path(p))  # CorpusNotFound before anything is touched
    report = report or (lambda problem: print(problem, file=sys.stderr))
    cluster = Cluster(url)
    current = cluster.meta_value("gen", "current")
    shards = _Shards(cluster)
    summary = Summary()
    try:
        incremental = current is not None and not full
        gen = current if incremental else (current or 0) + 1
        if not incremental:
            for k in range(len(shards.conns)):  # a half-written earlier attempt at gen
                shards.delete(k, [r[0] for r in shards.rows(k, "gen", f"gen = {gen}")])
        existing: dict[str, str] = {}
        if incremental:
            for k in range(len(shards.conns)):
                existing.update((aid, h) for _, aid, h in shards.rows(k, "aid, chash", f"gen = {gen}"))
        vocab = _read_vocabulary(cluster) if incremental else _empty_vocabulary()
        names: dict[int, tuple[str, str]] = {}
        seen: dict[str, str] = {}

        def changed_articles():
            for item in read_corpus(corpus_paths):
                if isinstance(item, Problem):
                    report(item)
                    summary.skipped += item.skipped
                    continue
                if item.id in seen:
                    report(Problem(item.origin, f"duplicate id {item.id!r} (also in {seen[item.id]}); "
                                                "this later one wins", skipped=False))
                else:
                    digest = existing.get(item.id)
                    if digest is not None and digest == item.content_hash():
                        seen[item.id] = item.origin
                        continue
                    summary.updated += digest is not None
                    summary.added += digest is None
                seen[item.id] = item.origin
                yield item

        done = 0
        n_workers = workers or os.cpu_count() or 1
        with multiprocessing.get_context("fork").Pool(n_workers) if n_workers > 1 else _Inline() as pool:
            for row, counts in pool.imap(_row_job, ((a, gen) for a in changed_articles()), chunksize=8):
                shards.add(row["aid"], row)
                _add_counts(vocab, counts)
                for facet, ids_key, values_key in (("agency", "agency_ids", "agencies"),
                                                   ("person", "person_ids", "persons")):
                    for vid, value in zip(row[ids_key], json.loads(row[values_key])):
                        names[vid] = (facet, value)
                if row["source_id"]:
                    names[row["source_id"]] = ("source", row["source_name"])
                done += 1
                if progress:
                    progress(done)
        shards.flush()
        vanished = [aid for aid in existing if aid not in seen]
        by_shard: dict[int, list[int]] = defaultdict(list)
        for aid in vanished:
            by_shard[shard_of(aid, len(shards.conns))].append(doc_id(aid, gen))
        for k, ids in by_shard.items():
            shards.delete(k, ids)
        summary.deleted = len(vanished)
        _write_names(cluster, names)
        if done or summary.deleted or not incremental:
            _write_vocabulary(cluster, vocab)
            _merge_person_forms(cluster, shards, gen)
        if not incremental:
            cluster.set_meta("gen", "current", num=gen)  # the switch: one statement
            time.sleep(SWITCH_GRACE if current is not None else 0)
            for k in range(len(shards.conns)):
                shards.delete(k, [r[0] for r in shards.rows(k, "gen", f"gen != {gen}")])
        summary.total = sum(_count(shards, k, gen) for k in range(len(shards.conns)))
    finally:
        shards.close()
    summary.seconds = time.monotonic() - start
    return summary


def _merge_person_forms(cluster: Cluster, shards: _Shards, gen: int) -> None:
    """One person, one facet value (person_names.py), as the Whoosh engine merges them:
    over the whole generation, each short form that clearly stands for one full name is
    merged into it. The rows keep the persons as extracted (`persons`); their `person_ids`
    are rewritten merged, so facet counts and filters see one value, and the merge is
    stored in the meta table (alias rows) for the engine to map names with."""
    rows = [(k, r[0], json.loads(r[1] or "[]"), r[2])
            for k in range(len(shards.conns)) for r in shards.rows(k, "persons, person_ids", f"gen = {gen}")]
    counts: dict[str, int] = defaultdict(int)
    for _, _, persons, _ in rows:
        for p in set(persons):
            counts[p] += 1
    values = sorted(counts)
    alias = short_forms(values, np.array([counts[v] for v in values], np.int64))
    for k, doc, persons, ids in rows:
        merged = sorted({value_id("person", alias.get(p, p)) for p in persons})
        current = sorted(int(x) for x in str(ids).split(",") if x) if ids else []
        if merged != current:
            shards.execute(k, f"UPDATE {SHARD_TABLE} SET person_ids = ({','.join(map(str, merged))}) "
                              f"WHERE id = {doc}")
    cluster.set_meta("alias", "persons", value=json.dumps(alias, ensure_ascii=False))


def _count(shards: _Shards, k: int, gen: int) -> int:
    """Shard k's rows of generation gen (total_found of a one-row query)."""
    shards.execute(k, f"SELECT id FROM {SHARD_TABLE} WHERE gen = {gen} LIMIT 1")
    meta = dict(shards.execute(k, "SHOW META"))
    return int(meta.get("total_found", 0))


def _row_job(job):
    article, gen = job
    return article_row(article, gen)


class _Inline:
    """Pool.imap in this process (one worker)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def imap(fn, items, chunksize=1):
        return map(fn, items)


# -- names and vocabulary in the meta table ------------------------------------------

def _write_names(cluster: Cluster, names: dict[int, tuple[str, str]]) -> None:
    items = list(names.items())
    for i in range(0, len(items), 500):
        values = ",".join(f"({vid}, '', {quote('name:' + facet)}, {quote(value)}, '', 0)"
                          for vid, (facet, value) in items[i:i + 500])
        cluster.execute(f"REPLACE INTO {META_TABLE} (id, k, kind, name, value, num) VALUES {values}")


def _empty_vocabulary() -> dict:
    return {kind: defaultdict(lambda: defaultdict(int)) for kind in "wsp"}


def _add_counts(vocab: dict, counts: dict) -> None:
    for kind, table in counts.items():
        for key, forms in table.items():
            target = vocab[kind][key]
            for form, n in forms.items():
                target[form] += n


def _write_vocabulary(cluster: Cluster, vocab: dict) -> None:
    lines = []
    for kind, table in vocab.items():
        for key, forms in table.items():
            for form, n in forms.items():
                lines.append(f"{kind}\t{key}\t{form}\t{n}\n")
    blob = base64.b64encode(gzip.compress("".join(lines).encode("utf-8"), 3)).decode("ascii")
    chunks = [blob[i:i + CHUNK] for i in range(0, len(blob), CHUNK)] or [""]
    for i, chunk in enumerate(chunks):
        cluster.set_meta("vocab", str(i), value=chunk)
    cluster.set_meta("vocab", "chunks", num=len(chunks))


def _read_raw_vocabulary(cluster: Cluster) -> list[str] | None:
    n = cluster.meta_value("vocab", "chunks")
    if not n:
        return None
    parts = []
    for i in range(n):
        rows = cluster.execute(f"SELECT value FROM {META_TABLE} WHERE id = {meta_id('vocab', str(i))}")
        parts.append(rows[0][0] if rows else "")
    return gzip.decompress(base64.b64decode("".join(parts))).decode("utf-8").splitlines()


def _read_vocabulary(cluster: Cluster) -> dict:
    vocab = _empty_vocabulary()
    for line in _read_raw_vocabulary(cluster) or []:
        kind, key, form, n = line.split("\t")
        vocab[kind][key][form] += int(n)
    return vocab


def read_vocabulary(cluster: Cluster) -> Vocabulary:
    """The cluster's Vocabulary (vocabulary.py), as the Whoosh engine builds it."""
    tables = _read_vocabulary(cluster)
    words = {k: dict(v) for k, v in tables["w"].items() if sum(v.values()) >= MIN_WORD_COUNT}
    pairs = {k: dict(v) for k, v in tables["p"].items() if sum(v.values()) >= MIN_WORD_COUNT}
    return Vocabulary(words, {k: dict(v) for k, v in tables["s"].items()}, pairs)
