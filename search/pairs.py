"""Which articles hold two syllables next to each other: a pair index beside each segment.

A word of several syllables matches where its folded syllables stand adjacent ("cong an"),
and proximity ranks by runs of adjacent query syllables (matching.py, ranking.py): both
ask, for a pair of syllables, which articles hold it and how often. As Whoosh terms, the
pairs of every article made the index twice as large and indexing three times slower (a
term row and a posting block each, most pairs being found in one article), so they live
in numpy arrays of their own, written with each segment and memory-mapped to read:

  {segment}.pairs_{field}_keys.npy     the distinct pair hashes, sorted (uint64)
  {segment}.pairs_{field}_starts.npy   where each key's postings start (int64, one more)
  {segment}.pairs_{field}_docs.npy     the postings' segment document numbers (int32)
  {segment}.pairs_{field}_tfs.npy      how often the pair occurs there (uint8, capped)

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

FIELDS = ("title", "body")
_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: (a, b) → a·MIX + b is a bijection in b
_PARTS = ("keys", "starts", "docs", "tfs")


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


def _path(folder, segment_id: str, field: str, part: str) -> Path:
    return Path(folder) / f"{segment_id}.pairs_{field}_{part}.npy"


class PairWriter:
    """Collects the pairs of a segment's documents, then writes the segment's pair index."""

    def __init__(self):
        self.chunks = {f: ([], [], []) for f in FIELDS}  # keys, docnums, tfs

    def add(self, docnum: int, field: str, keys: np.ndarray, tfs: np.ndarray) -> None:
        if keys.size:
            k, d, t = self.chunks[field]
            k.append(keys)
            d.append(np.full(keys.size, docnum, np.int32))
            t.append(tfs)

    def add_text(self, docnum: int, stored: dict) -> None:
        """The pairs of a document's stored title and body."""
        for field in FIELDS:
            folded = [fold_syllable(x) for x in syllables(stored.get(field) or "")]
            self.add(docnum, field, *article_pairs(folded))

    def add_index(self, index: "PairIndex", renumber: np.ndarray) -> None:
        """Every posting of another segment's pair index, its documents renumbered
        (renumber[old] = new, or -1 for a document left out)."""
        for field in FIELDS:
            keys, starts, docs, tfs = index.fields[field]
            new = renumber[np.asarray(docs)]
            keep = new >= 0
            k, d, t = self.chunks[field]
            k.append(np.repeat(np.asarray(keys), np.diff(np.asarray(starts)))[keep])
            d.append(new[keep].astype(np.int32))
            t.append(np.asarray(tfs)[keep])

    def write(self, folder, segment_id: str) -> None:
        for field in FIELDS:
            k, d, t = self.chunks[field]
            keys = np.concatenate(k) if k else np.zeros(0, np.uint64)
            docs = np.concatenate(d) if d else np.zeros(0, np.int32)
            tfs = np.concatenate(t) if t else np.zeros(0, np.uint8)
            self.chunks[field] = ([], [], [])
            order = np.argsort(keys, kind="stable")  # documents were added in order
            keys, docs, tfs = keys[order], docs[order], tfs[order]
            del order
            distinct, starts = np.unique(keys, return_index=True)
            starts = np.append(starts, keys.size).astype(np.int64)
            for part, arr in zip(_PARTS, (distinct, starts, docs, tfs)):
                np.save(_path(folder, segment_id, field, part), arr, allow_pickle=False)


class PairIndex:
    """One segment's pair index, memory-mapped: shared by every process that reads it."""

    def __init__(self, folder, segment_id: str):
        self.fields = {}
        for field in FIELDS:
            paths = [_path(folder, segment_id, field, part) for part in _PARTS]
            if not all(p.exists() for p in paths):
                raise FileNotFoundError(f"no pair index for segment {segment_id} in {folder}")
            self.fields[field] = [np.load(p, mmap_mode="r") for p in paths]

    def postings(self, field: str, key: int) -> tuple[np.ndarray, np.ndarray]:
        """(segment document numbers, counts) of the articles holding the pair in field."""
        keys, starts, docs, tfs = self.fields[field]
        i = int(np.searchsorted(keys, np.uint64(key)))
        if i >= keys.size or int(keys[i]) != key:
            return np.zeros(0, np.int32), np.zeros(0, np.uint8)
        return np.asarray(docs[starts[i]:starts[i + 1]]), np.asarray(tfs[starts[i]:starts[i + 1]])
