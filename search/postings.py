"""Whole posting lists as numpy arrays.

Matching (matching.py) and scoring (ranking.py) are array operations over posting lists,
not Whoosh's per-document Python matchers: common words ("tình hình") match tens of
thousands of articles, and a search must still take milliseconds. The lists are read
from the arrays each segment carries (term_arrays.py, pairs.py), memory-mapped: shared by
every serving process through the page cache, and ready the moment a snapshot opens.
"""
from __future__ import annotations

import threading

import numpy as np

from .pairs import PairIndex, pair_key
from .storage import IndexNotFound
from .term_arrays import TermArrays, term_key

_EMPTY = (np.zeros(0, np.int32), np.zeros(0, np.float32))


class PostingStore:
    """One searcher's postings as arrays: global doc numbers and term frequencies."""

    def __init__(self, searcher, lock: threading.RLock, folder):
        self.searcher = searcher
        self.folder = folder  # the generation's folder, where the pair indexes are
        self.lock = lock
        self.leaves = list(searcher.reader().leaf_readers())
        self.doc_count = searcher.doc_count_all()
        self.live = np.ones(self.doc_count, bool)
        for reader, offset in self.leaves:
            if reader.has_deletions():
                for d in range(reader.doc_count_all()):
                    if reader.is_deleted(d):
                        self.live[offset + d] = False
        self.live_count = int(self.live.sum())
        self.has_deletions = not self.live.all()
        self._lengths: dict[str, tuple[np.ndarray, float]] = {}
        self._norms: dict[tuple[str, float], np.ndarray] = {}
        self._pairs = None  # the segments' pair indexes, opened on first use
        try:
            self._terms = [(TermArrays(folder, reader.segment().segment_id()), offset)
                           for reader, offset in self.leaves if reader.segment() is not None]
        except FileNotFoundError as e:
            raise IndexNotFound(f"{e}: rebuild the index with `timtin reindex --full`") from None

    def reopen(self, searcher) -> None:
        """Swap in a new searcher over the same segments (None: close the files only)."""
        if self.searcher is not None:
            self.searcher.close()
        self.searcher = searcher
        if searcher is not None:
            self.leaves = list(searcher.reader().leaf_readers())

    def lengths(self, field: str) -> tuple[np.ndarray, float]:
        """Every document's length in field, and the average over live documents."""
        with self.lock:
            known = self._lengths.get(field)
            if known is None:
                parts = [np.asarray(arrays.lengths(field)) for arrays, _ in self._terms]
                arr = np.concatenate(parts) if parts else np.zeros(self.doc_count, np.float32)
                live = arr[self.live]
                avg = float(live.mean()) if live.size else 0.0
                known = self._lengths[field] = (arr, avg if avg > 0 else 1.0)
            return known

    def length_norms(self, field: str, b: float) -> np.ndarray:
        """Every document's BM25 length normalisation in field, 1 - b + b × length / average
        (float32, as computed over a posting list's documents): once, not per term."""
        key = (field, b)
        with self.lock:
            known = self._norms.get(key)
            if known is None:
                lengths, avg = self.lengths(field)
                known = self._norms[key] = 1.0 - b + b * lengths / avg
                known.flags.writeable = False
            return known

    def postings(self, field: str, term: str):
        """(doc numbers, term frequencies) of the live documents having term in field."""
        def read():
            key = term_key(field, term)
            for arrays, offset in self._terms:
                d, t = arrays.postings(key)
                if d.size:
                    yield d, t, offset
        return self._joined(read)

    def _joined(self, read):
        """The live part of the postings read() yields per segment, as global document
        numbers: as mapped when one segment has them and nothing is deleted, else joined
        (a few microseconds; nothing is cached, so nothing is copied per process)."""
        parts = list(read())
        if not parts:
            return _EMPTY
        if len(parts) == 1 and not parts[0][2] and not self.has_deletions:
            return parts[0][0], parts[0][1]
        d = np.concatenate([p[0].astype(np.int32) + p[2] for p in parts])
        t = np.concatenate([p[1] for p in parts])
        if self.has_deletions:
            keep = self.live[d]  # postings of deleted documents stay on disk until a merge
            d, t = d[keep], t[keep]
        return d, t

    def existing_terms(self, field: str, terms) -> list[str]:
        """Those of terms that occur in field."""
        terms = list(terms)
        if not terms:
            return []
        keys = np.array([term_key(field, t) for t in terms], np.uint64)
        found = np.zeros(len(terms), bool)
        for arrays, _ in self._terms:
            found |= arrays.find(keys) >= 0
        return [t for t, f in zip(terms, found) if f]

    def pair_postings(self, field: str, pair: tuple[str, str]):
        """(doc numbers, frequencies) of the live documents whose field ("title",
        "body" or "lead", pairs.py) holds the two folded syllables next to each other (pairs.py)."""
        def read():
            code = pair_key(*pair)
            for index, offset in self._pair_indexes():
                d, t = index.postings(field, code)
                if d.size:
                    yield d, t, offset
        return self._joined(read)

    def pair_mask(self, field: str, pair: tuple[str, str]) -> np.ndarray:
        out = np.zeros(self.doc_count, bool)
        out[self.pair_postings(field, pair)[0]] = True
        return out

    def _pair_indexes(self):
        if self._pairs is None:
            try:
                self._pairs = [(PairIndex(self.folder, reader.segment().segment_id()), offset)
                               for reader, offset in self.leaves
                               if reader.segment() is not None]  # an empty index has none
            except FileNotFoundError as e:
                raise IndexNotFound(f"{e}: rebuild the index with `timtin reindex --full`") from None
        return self._pairs

    def doc_frequency(self, field: str, term: str) -> int:
        return int(self.postings(field, term)[0].size)

    def mask(self, field: str, term: str) -> np.ndarray:
        out = np.zeros(self.doc_count, bool)
        out[self.postings(field, term)[0]] = True
        return out

    def close(self):
        with self.lock:
            if self.searcher is not None:
                self.searcher.close()
                self.searcher = None


class RequestPostings:
    """A PostingStore as one request sees it: each posting list and mask is read once,
    however often matching and ranking ask for it (nearly half of their reads repeat one),
    its document numbers ready to index with. What it keeps is read-only, as the mapped
    lists are, and goes with the request."""

    def __init__(self, store: PostingStore):
        self.store = store
        self._kept: dict[tuple, object] = {}

    def __getattr__(self, name):  # doc_count, live, lengths, …: the store's own
        return getattr(self.store, name)

    def postings(self, field: str, term: str):
        return self._keep(("postings", field, term),
                          lambda f, t: _indexing(self.store.postings(f, t)))

    def pair_postings(self, field: str, pair: tuple[str, str]):
        return self._keep(("pair_postings", field, pair),
                          lambda f, p: _indexing(self.store.pair_postings(f, p)))

    def mask(self, field: str, term: str) -> np.ndarray:
        return self._keep(("mask", field, term), self._mask)

    def pair_mask(self, field: str, pair: tuple[str, str]) -> np.ndarray:
        return self._keep(("pair_mask", field, pair), self._pair_mask)

    def doc_frequency(self, field: str, term: str) -> int:
        return int(self.postings(field, term)[0].size)

    def _mask(self, field, term):
        out = np.zeros(self.store.doc_count, bool)
        out[self.postings(field, term)[0]] = True
        return out

    def _pair_mask(self, field, pair):
        out = np.zeros(self.store.doc_count, bool)
        out[self.pair_postings(field, pair)[0]] = True
        return out

    def _keep(self, key, read):
        value = self._kept.get(key)
        if value is None:
            value = read(key[1], key[2])
            for arr in (value if isinstance(value, tuple) else (value,)):
                arr.flags.writeable = False
            self._kept[key] = value
        return value


def _indexing(postings):
    """Postings with their document numbers as intp: numpy converts any other index array
    on every gather and scatter, and matching and ranking index with them several times."""
    docs, tfs = postings
    return docs.astype(np.intp), tfs
