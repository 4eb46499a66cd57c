"""Each segment's posting lists and field lengths as numpy arrays, memory-mapped to serve.

Whoosh keeps postings in pickled blocks; decoding them in Python cost a server 20–40 s of
warm-up and a private copy of every list it read, in every process. The segment writer
(segment_writer.py) therefore also writes, as it flushes a segment's terms:

  {segment}.terms_keys.npy     one 64-bit hash per (field, term), sorted (uint64)
  {segment}.terms_spans.npy    where each key's postings start and how many (int64, 2 cols)
  {segment}.terms_docs.npy     the postings' segment document numbers, term after term (int32)
  {segment}.terms_tfs.npy      their term frequencies (float32)
  {segment}.lengths_{field}.npy  each document's length in a scorable field, as Whoosh's
                               reader gives it (byte-quantised; float32)

Memory-mapped, these are read from the page cache, which every serving process shares:
nothing is decoded, and a fresh process answers at once. Distinct terms share a key with
probability ~2^-64. Whoosh deletes a segment's files with the segment (its file pattern
covers these), and a reindex links them into the next generation as it does the rest.
"""
from __future__ import annotations

import hashlib
from array import array
from pathlib import Path

import numpy as np

_PARTS = ("keys", "spans", "docs", "tfs")


def term_key(field: str, term: str | bytes) -> int:
    if isinstance(term, str):
        term = term.encode("utf-8")
    return int.from_bytes(hashlib.blake2b(field.encode() + b"\0" + term, digest_size=8).digest(),
                          "little")


def _path(folder, segment_id: str, part: str) -> Path:
    return Path(folder) / f"{segment_id}.{part}.npy"


class TermArrayWriter:
    """Collects a segment's postings as its terms are flushed, then writes the arrays."""

    def __init__(self):
        self.keys: list[int] = []
        self.counts = array("q")
        self.docs = array("i")
        self.tfs = array("f")
        self.lengths: dict[str, list] = {}

    def add_term(self, field: str, btext: bytes, postings: list) -> None:
        """postings: [docnum, weight, value, docnum, …] as segment_writer holds them."""
        self.keys.append(term_key(field, btext))
        self.counts.append(len(postings) // 3)
        self.docs.extend(postings[0::3])
        self.tfs.extend(postings[1::3])

    def add_lengths(self, field: str, lengths: list) -> None:
        self.lengths[field] = lengths

    def write(self, folder, segment_id: str, doc_count: int, scorable_fields) -> None:
        keys = np.array(self.keys, np.uint64)
        counts = np.frombuffer(self.counts, np.int64) if self.counts else np.zeros(0, np.int64)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if counts.size else counts
        order = np.argsort(keys, kind="stable")
        spans = np.stack([starts[order], counts[order]], axis=1) if counts.size \
            else np.zeros((0, 2), np.int64)
        arrays = {"keys": keys[order], "spans": spans.astype(np.int64),
                  "docs": np.frombuffer(self.docs, np.int32) if self.docs else np.zeros(0, np.int32),
                  "tfs": np.frombuffer(self.tfs, np.float32) if self.tfs else np.zeros(0, np.float32)}
        for part, arr in arrays.items():
            np.save(_path(folder, segment_id, "terms_" + part), arr)
        for field in scorable_fields:
            lengths = self.lengths.get(field)
            arr = np.asarray(lengths, np.float32) if lengths is not None else np.zeros(doc_count, np.float32)
            np.save(_path(folder, segment_id, "lengths_" + field), arr)
        self.__init__()


class TermArrays:
    """One segment's term arrays, memory-mapped."""

    def __init__(self, folder, segment_id: str):
        self.folder, self.segment_id = folder, segment_id
        paths = [_path(folder, segment_id, "terms_" + part) for part in _PARTS]
        if not all(p.exists() for p in paths):
            raise FileNotFoundError(f"no term arrays for segment {segment_id} in {folder}")
        self.keys, self.spans, self.docs, self.tfs = (mapped(p) for p in paths)

    def find(self, keys: np.ndarray) -> np.ndarray:
        """For each key, its row in spans, or -1 when the segment lacks it."""
        if not self.keys.size:
            return np.full(len(keys), -1)
        rows = np.minimum(np.searchsorted(self.keys, keys), self.keys.size - 1)
        return np.where(self.keys[rows] == keys, rows, -1)

    def postings(self, key: int) -> tuple[np.ndarray, np.ndarray]:
        """(segment document numbers, term frequencies): views of the mapped files."""
        row = int(self.find(np.array([key], np.uint64))[0])
        if row < 0:
            return _EMPTY
        start, count = (int(x) for x in self.spans[row])
        return self.docs[start:start + count], self.tfs[start:start + count]

    def lengths(self, field: str) -> np.ndarray:
        path = _path(self.folder, self.segment_id, "lengths_" + field)
        if not path.exists():
            raise FileNotFoundError(f"no field lengths for segment {self.segment_id} in {self.folder}")
        return mapped(path)


_EMPTY = (np.zeros(0, np.int32), np.zeros(0, np.float32))


def mapped(path) -> np.ndarray:
    """A .npy file memory-mapped, read-only, as a plain ndarray (numpy's memmap subclass
    costs microseconds on every slice, and a search takes thousands)."""
    return np.load(path, mmap_mode="r").view(np.ndarray)
