"""Reading articles from a corpus: plain-text files in the seed format and JSON Lines.

A corpus path is a file or a folder walked recursively in sorted order. Bad input never
stops a read: it is reported as a Problem (path[:line] and reason) and the reader goes on.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import zlib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Iterator

from .analysis import clean_article_text
from .dates import BadDate, day_from_lead, parse_date

# ` date 2022-12 • <title>`: the first non-empty line of a seed-format file.
HEADER_RE = re.compile(r"^\s*date\s+(\S+)\s*[•·]\s*(.+?)\s*$")
# "(LĐ online) - " opening the lead names the source.
LEAD_SOURCE_RE = re.compile(r"^\s*\(([^()\n]{1,40})\)\s*[-–—]\s*")
SUFFIXES = (".txt", ".jsonl", ".jsonl.gz")


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    body: str
    date: str | None = None
    source: str | None = None
    category: str | None = None
    url: str | None = None
    author: str | None = None
    origin: str = field(default="", compare=False)  # path[:line] it was read from

    def content_hash(self) -> str:
        """What an incremental reindex compares: every field but origin."""
        data = {name: getattr(self, name) for name in _HASHED_FIELDS}
        return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()


_HASHED_FIELDS = [f.name for f in fields(Article) if f.name != "origin"]


@dataclass(frozen=True)
class Problem:
    where: str    # path[:line]
    reason: str
    skipped: bool = True  # False: a warning, the article was still read

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


class CorpusNotFound(FileNotFoundError):
    pass


def corpus_files(path: Path) -> list[Path]:
    if not path.exists():
        raise CorpusNotFound(f"corpus path not found: {path}")
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(SUFFIXES))


def read_corpus(paths) -> Iterator[Article | Problem]:
    """Every article under the given corpus paths, with problems interleaved where met."""
    for root in map(Path, paths):
        base = root.parent if root.is_file() else root
        for path in corpus_files(root):
            try:
                if path.name.endswith(".txt"):
                    yield from _read_text_file(path, base)
                elif path.name.endswith((".jsonl", ".jsonl.gz")):
                    yield from _read_jsonl(path)
                else:
                    yield Problem(str(path), "unknown file type (expected .txt, .jsonl or .jsonl.gz)")
            except OSError as e:
                yield Problem(str(path), f"unreadable: {e.strerror or e}")


def _read_text_file(path: Path, base: Path) -> Iterator[Article | Problem]:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        yield Problem(str(path), f"not valid UTF-8 (byte {e.start})")
        return
    article_id = path.relative_to(base).with_suffix("").as_posix()
    yield parse_seed_text(clean_article_text(text), article_id, str(path))


def parse_seed_text(text: str, article_id: str, origin: str) -> Article | Problem:
    lines = [l.rstrip() for l in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return Problem(origin, "empty file")
    m = HEADER_RE.match(lines[0])
    if not m:
        return Problem(origin, "no ' date YYYY-MM[-DD] • title' header on the first line")
    try:
        date = parse_date(m.group(1))
    except BadDate as e:
        return Problem(origin, str(e))
    title = m.group(2)
    body_lines = [l.strip() for l in lines[1:]]
    while body_lines and not body_lines[-1]:
        body_lines.pop()
    author = None
    if len(body_lines) > 1 and _is_byline(body_lines[-1]):
        author = body_lines.pop()
    paragraphs = [l for l in body_lines if l]
    source = None
    if paragraphs:
        lead = LEAD_SOURCE_RE.match(paragraphs[0])
        if lead:
            source = lead.group(1).strip()
            paragraphs[0] = paragraphs[0][lead.end():]
        date = day_from_lead(date, paragraphs[0])
    body = "\n".join(p for p in paragraphs if p)
    if not body:
        return Problem(origin, "no body text")
    return Article(id=article_id, title=title, body=body, date=date, source=source,
                   author=author, origin=origin)


def _is_byline(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and line == line.upper() and len(line.split()) <= 5


def _read_jsonl(path: Path) -> Iterator[Article | Problem]:
    opener = gzip.open if path.name.endswith(".gz") else open
    lineno = 0
    try:
        with opener(path, "rb") as f:
            for lineno, raw in enumerate(f, 1):
                if raw.strip():
                    yield from parse_json_line(raw, f"{path}:{lineno}")
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        yield Problem(f"{path}:{lineno + 1}", f"truncated or corrupt gzip ({e}); "
                                              f"the {lineno} lines before were read")


def _optional_str(obj: dict, key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise TypeError(f"'{key}' must be a string, not {type(value).__name__}")
    value = clean_article_text(str(value)).strip()
    return value or None


def parse_json_line(raw: bytes, where: str) -> Iterator[Article | Problem]:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        yield Problem(where, f"not valid UTF-8 (byte {e.start})")
        return
    except json.JSONDecodeError as e:
        yield Problem(where, f"not valid JSON ({e.msg})")
        return
    if not isinstance(obj, dict):
        yield Problem(where, f"not a JSON object but {type(obj).__name__}")
        return
    date = obj.pop("date", None)
    try:
        fields = {k: _optional_str(obj, k) for k in
                  ("id", "title", "body", "source", "category", "url", "author")}
    except TypeError as e:
        yield Problem(where, str(e))
        return
    if date is not None and not isinstance(date, str):
        yield Problem(where, f"'date' must be a string, not {type(date).__name__}; "
                             "indexed without a date", skipped=False)
        date = None
    fields["date"] = clean_article_text(date).strip() or None if date else None
    missing = [k for k in ("id", "title", "body") if not fields[k]]
    if missing:
        yield Problem(where, "missing " + " and ".join(f"'{k}'" for k in missing))
        return
    if fields["date"]:
        try:
            fields["date"] = day_from_lead(parse_date(fields["date"]), fields["body"])
        except BadDate as e:
            yield Problem(where, f"{e}; indexed without a date", skipped=False)
            fields["date"] = None
    yield Article(**fields, origin=where)
