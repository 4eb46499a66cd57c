"""A word-level BM25 peer for the relevance benchmark: SQLite FTS5 over pyvi words.

    python bench/fts5_peer.py build [--corpus PATH] [--db PATH] [--workers N]
    python bench/fts5_peer.py search QUERY [--db PATH] [--limit 20]

Each article's title and body are segmented into pyvi words (search.segment.segment, the
words of ViTokenizer.tokenize), lower-cased and joined by spaces, so a word of several
syllables is one token ("công_an"). The FTS5 tokenizer keeps "_" inside tokens and keeps
diacritics. A query is segmented the same way; all its words are required, and articles are
ranked by FTS5's bm25() with the title weighted 3. This is the classic baseline timtin is
compared with: exact words, exact diacritics, no syllable matching, no folding.
"""
from __future__ import annotations

import argparse
import html
import multiprocessing
import os
import sqlite3
import sys
import time
import unicodedata
from pathlib import Path

try:
    from search.segment import segment
except ModuleNotFoundError as e:
    if e.name != "search":
        raise
    sys.path.append(str(Path(__file__).resolve().parents[1]))  # a checkout, not installed
    from search.segment import segment

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, SHARED, read_jsonl  # noqa: E402

DB = CACHE / "fts5_peer.sqlite"
TABLE = "peer"
TOKENIZE = "unicode61 remove_diacritics 0 tokenchars '_'"
TITLE_WEIGHT, BODY_WEIGHT = 3.0, 1.0


def words(text: str) -> list[str]:
    """Lower-cased pyvi words of text, paragraph by paragraph (as timtin's indexer segments
    it), without the tokens that are only punctuation (the tokenizer would drop them)."""
    out = []
    for para in text.split("\n"):
        if para.strip():
            out += [w.lower() for w in segment(para) if any(c.isalnum() for c in w)]
    return out


def clean(text: str) -> str:
    # The same text timtin indexes: crawlers left HTML entities ("t&ocirc;ng"), and NFC.
    return unicodedata.normalize("NFC", html.unescape(text) if "&" in text else text)


def _analyse(article: dict) -> tuple[str, str, str]:
    return (" ".join(words(clean(article["title"]))), " ".join(words(clean(article["body"]))),
            article["id"])


def build(corpus: Path = SHARED, db: Path = DB, workers: int | None = None) -> int:
    """Build the database from scratch; written beside db and renamed into place when
    complete, so an interrupted build never leaves a partial database to search."""
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    tmp = db.with_name(db.name + ".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    con.execute(f'CREATE VIRTUAL TABLE {TABLE} USING fts5(title, body, id UNINDEXED, tokenize = "{TOKENIZE}")')
    started, n = time.perf_counter(), 0
    with multiprocessing.Pool(workers or os.cpu_count()) as pool:
        rows = pool.imap(_analyse, read_jsonl(corpus), chunksize=32)
        batch = []
        for row in rows:
            batch.append(row)
            n += 1
            if len(batch) == 1000:
                con.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?)", batch)
                batch.clear()
                print(f"\r{n} articles, {time.perf_counter() - started:.0f} s", end="", file=sys.stderr, flush=True)
        con.executemany(f"INSERT INTO {TABLE} VALUES (?, ?, ?)", batch)
    con.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")  # one b-tree: faster queries
    con.commit()
    con.close()
    os.replace(tmp, db)
    print(f"\rbuilt {db}: {n} articles in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return n


def match_expression(query: str) -> str:
    """The FTS5 query: every word of the query as a quoted string (implicit AND)."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words(clean(query)))


_CONNECTIONS: dict[str, sqlite3.Connection] = {}


def search(query: str, limit: int = 20, db: Path = DB) -> list[str]:
    """Ids of the best `limit` articles for query; [] if it has no word."""
    expr = match_expression(query)
    if not expr:
        return []
    db = str(db)
    if db not in _CONNECTIONS:
        if not Path(db).exists():
            raise FileNotFoundError(f"no FTS5 peer database {db}: build it with `python bench/fts5_peer.py build`")
        _CONNECTIONS[db] = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    sql = (f"SELECT id FROM {TABLE} WHERE {TABLE} MATCH ? "
           f"ORDER BY bm25({TABLE}, {TITLE_WEIGHT}, {BODY_WEIGHT}) LIMIT ?")
    return [r[0] for r in _CONNECTIONS[db].execute(sql, (expr, limit))]


def _titles(ids: list[str], db: Path) -> dict[str, str]:
    con = _CONNECTIONS[str(db)]
    return {i: t for i, t in con.execute(
        f"SELECT id, title FROM {TABLE} WHERE id IN ({','.join('?' * len(ids))})", ids)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build the database over a corpus")
    b.add_argument("--corpus", type=Path, default=SHARED)
    b.add_argument("--db", type=Path, default=DB)
    b.add_argument("--workers", type=int, default=None, help="segmenting processes (default: CPU count)")
    s = sub.add_parser("search", help="print the top titles for a query")
    s.add_argument("query")
    s.add_argument("--db", type=Path, default=DB)
    s.add_argument("--limit", type=int, default=20)
    args = p.parse_args(argv)
    if args.cmd == "build":
        if not args.corpus.exists():
            print(f"no corpus {args.corpus}", file=sys.stderr)
            return 2
        build(args.corpus, args.db, args.workers)
        return 0
    try:
        ids = search(args.query, args.limit, args.db)
    except FileNotFoundError as e:
        print(e, file=sys.stderr)
        return 2
    print(f"match: {match_expression(args.query) or '(no word)'}")
    titles = _titles(ids, args.db) if ids else {}
    for rank, i in enumerate(ids, 1):
        # The stored title is the segmented one; shown as is, it also shows the words.
        print(f"{rank:3}  {i}  {titles.get(i, '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
