"""Which articles hold two syllables next to each other: a pair index beside each segment.

A word of several syllables matches where its folded syllables stand adjacent ("cong an"),
and proximity ranks by runs of adjacent query syllables (matching.py, ranking.py): both
ask, for a pair of syllables, which articles hold it and how often. As Whoosh terms, the
pairs of every article made the index twice as large and indexing three times slower (a
term row and a posting block each, most pairs being found in one article), so they live
in numpy arrays of their own, written with each segment and memory-mapped to read:

  {segment}.pairs_{field}_keys.npy   each posting's pair hash, sorted (uint64): a pair's
                                     postings are the run of its key (binary search)
  {segment}.pairs_{field}_docs.npy   the postings' segment document numbers (int32)
  {segment}.pairs_{field}_tfs.npy    how often the pair occurs there (uint8, capped)

A pair's key is a 64-bit hash of its two folded syllables (each syllable's own hash,
combined): distinct pairs share a key with probability ~2^-64. Whoosh deletes a segment's
files with the segment (its file pattern covers these), and a reindex links them into the
next generation as it does the segment's own files.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from .analysis import fold_syllable, syllables
from .term_arrays import mapped

# "lead" is the body's first LEAD_SYLLABLES: news puts what an article is about first, so a
# phrase of the query there is a sign of it (ranking.py); it only ranks, never matches.
FIELDS = ("title", "body", "lead")
LEAD_SYLLABLES = 100
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: (a, b) → a·MIX + b is a bijection in b
_PARTS = ("keys", "docs", "tfs")


@lru_cache(maxsize=500_000)
def _syllable_hash(syllable: str) -> int:
    return int.from_bytes(hashlib.blake2b(syllable.encode("utf-8"), digest_size=8).digest(), "little")


def pair_keys(folded: list[str]) -> np.ndarray:
    """The key of each pair of adjacent syllables (folded) of a text, in order."""
    if len(folded) < 2:
        return np.zeros(0, np.uint64)
    h = np.fromiter(map(_syllable_hash, folded), np.uint64, len(folded))
    with np.errstate(over="ignore"):
        return h[:-1] * _MIX + h[1:]


def pair_key(a: str, b: str) -> int:
    return int(pair_keys([a, b])[0])


def adjacent(folded) -> list[tuple[str, str]]:
    """Each syllable with the next: ("cong", "an"), ("an", "tinh"), …"""
    folded = list(folded)
    return list(zip(folded, folded[1:]))


def article_pairs(folded: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(distinct pair keys, their counts) of one text."""
    keys, counts = np.unique(pair_keys(folded), return_counts=True)
    return keys, np.minimum(counts, 255).astype(np.uint8)


def text_pairs(title_folded: list[str], body_folded: list[str]) -> dict:
    """Each field's (distinct pair keys, counts) of an article's folded syllables."""
    return {"title": article_pairs(title_folded), "body": article_pairs(body_folded),
            "lead": article_pairs(body_folded[:LEAD_SYLLABLES])}


def _path(folder, segment_id: str, field: str, part: str) -> Path:
    return Path(folder) / f"{segment_id}.pairs_{field}_{part}.npy"


_PARTITIONS = 16  # a flush sorts one key range at a time: memory stays a fraction of it
_EDGES = np.array([p << 60 for p in range(1, _PARTITIONS)], np.uint64)


class PairWriter:
    """Collects the pairs of a segment's documents, then writes the segment's pair index."""

    def __init__(self):
        # Per field: chunks of (sorted keys, counts, a document number or an array of them).
        self.chunks: dict[str, list] = {f: [] for f in FIELDS}

    def add(self, docnum: int, field: str, keys: np.ndarray, tfs: np.ndarray) -> None:
        if keys.size:
            self.chunks[field].append((keys, tfs, docnum))

    def add_text(self, docnum: int, stored: dict) -> None:
        """The pairs of a document's stored title and body."""
        title, body = ([fold_syllable(x) for x in syllables(stored.get(f) or "")] for f in ("title", "body"))
        for field, (keys, tfs) in text_pairs(title, body).items():
            self.add(docnum, field, keys, tfs)

    def add_index(self, index: "PairIndex", renumber: np.ndarray) -> None:
        """Every posting of another segment's pair index, its documents renumbered
        (renumber[old] = new, or -1 for a document left out)."""
        for field in FIELDS:
            keys, docs, tfs = (np.asarray(a) for a in index.fields[field])
            new = renumber[docs]
            keep = new >= 0
            if keep.any():
                self.chunks[field].append((keys[keep], tfs[keep], new[keep].astype(np.int32)))

    def write(self, folder, segment_id: str) -> None:
        """Each field's postings sorted by key (documents ascending within a key), written
        one key range at a time: never all of them sorted in memory at once."""
        for field in FIELDS:
            chunks, self.chunks[field] = self.chunks[field], []
            total = sum(k.size for k, _, _ in chunks)
            bounds = [np.concatenate(([0], np.searchsorted(k, _EDGES), [k.size])) for k, _, _ in chunks]
            files = {part: open(_path(folder, segment_id, field, part), "wb") for part in _PARTS}
            try:
                for part, dtype in zip(_PARTS, (np.uint64, np.int32, np.uint8)):
                    np.lib.format.write_array_header_1_0(files[part], {
                        "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
                        "fortran_order": False, "shape": (total,)})
                for p in range(_PARTITIONS):
                    keys, docs, tfs = [], [], []
                    for (k, t, d), b in zip(chunks, bounds):
                        lo, hi = b[p], b[p + 1]
                        if hi > lo:
                            keys.append(k[lo:hi])
                            tfs.append(t[lo:hi])
                            docs.append(np.full(hi - lo, d, np.int32) if isinstance(d, int) else d[lo:hi])
                    if not keys:
                        continue
                    keys, docs, tfs = np.concatenate(keys), np.concatenate(docs), np.concatenate(tfs)
                    order = np.argsort(keys, kind="stable")  # chunks came in document order
                    for part, arr in zip(_PARTS, (keys, docs, tfs)):
                        arr[order].tofile(files[part])
            finally:
                for f in files.values():
                    f.close()


class PairIndex:
    """One segment's pair index, memory-mapped: shared by every process that reads it."""

    def __init__(self, folder, segment_id: str):
        self.fields = {}
        for field in FIELDS:
            paths = [_path(folder, segment_id, field, part) for part in _PARTS]
            if not all(p.exists() for p in paths):
                raise FileNotFoundError(f"no pair index for segment {segment_id} in {folder}")
            self.fields[field] = [mapped(p) for p in paths]

    def postings(self, field: str, key: int) -> tuple[np.ndarray, np.ndarray]:
        """(segment document numbers, counts) of the articles holding the pair in field."""
        keys, docs, tfs = self.fields[field]
        k = np.uint64(key)
        lo, hi = int(np.searchsorted(keys, k, "left")), int(np.searchsorted(keys, k, "right"))
        return docs[lo:hi], tfs[lo:hi]
