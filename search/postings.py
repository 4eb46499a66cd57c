"""Whole posting lists as numpy arrays.

Whoosh stores the postings; this module reads a term's postings block by block into
arrays (cached per snapshot), so that matching (matching.py) and scoring (ranking.py) are
array operations instead of Whoosh's per-document Python matchers: common words ("tình
hình") match tens of thousands of articles, and a search must still take milliseconds.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from .pairs import PairIndex, pair_key
from .storage import IndexNotFound

_EMPTY = (np.zeros(0, np.int32), np.zeros(0, np.float32))


class PostingStore:
    """One searcher's postings as arrays: global doc numbers and term frequencies."""

    def __init__(self, searcher, lock: threading.RLock, folder, cache_size: int = 50_000):
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
        self._lengths: dict[str, tuple[np.ndarray, float]] = {}
        self._cache: OrderedDict = OrderedDict()
        self._pairs = None  # the segments' pair indexes, opened on first use
        self._cache_size = cache_size

    def lengths(self, field: str) -> tuple[np.ndarray, float]:
        """Every document's length in field, and the average over live documents."""
        with self.lock:
            known = self._lengths.get(field)
            if known is None:
                arr = np.zeros(self.doc_count, np.float32)
                for reader, offset in self.leaves:
                    n = reader.doc_field_length
                    # Whoosh gives None, not 0, for a document without the field.
                    arr[offset:offset + reader.doc_count_all()] = [
                        n(d, field, 0) or 0 for d in range(reader.doc_count_all())]
                live = arr[self.live]
                avg = float(live.mean()) if live.size else 0.0
                known = self._lengths[field] = (arr, avg if avg > 0 else 1.0)
            return known

    def postings(self, field: str, term: str):
        """(doc numbers, term frequencies) of the live documents having term in field."""
        def read():
            btext = term.encode("utf-8")
            for reader, offset in self.leaves:
                if (field, btext) in reader:
                    ids, ws = _read_all(reader._terms.matcher(field, btext, reader.schema[field].format))
                    yield np.asarray(ids, np.int32) + offset, np.asarray(ws, np.float32)
        return self._cached((field, term), read)

    def _cached(self, key, read):
        """The live part of the postings read() yields per segment, concatenated, cached."""
        with self.lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
            parts = list(read())
            if parts:
                d = np.concatenate([p[0] for p in parts])
                t = np.concatenate([p[1] for p in parts])
                keep = self.live[d]  # postings of deleted documents stay on disk until a merge
                result = (d[keep], t[keep])
            else:
                result = _EMPTY
            self._cache[key] = result
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
            return result

    def warm(self, field: str, count: int) -> int:
        """Read the posting lists of the field's `count` most frequent terms into the cache:
        they are the slow ones to read (tens of thousands of postings), and the ones common
        queries need. Takes the lock term by term, so requests go on meanwhile."""
        with self.lock:
            reader = self.searcher.reader()
            terms = [t for _, t in reader.most_frequent_terms(field, count)] if self.doc_count else []
        for term in terms:
            self.postings(field, term.decode("utf-8") if isinstance(term, bytes) else term)
        return len(terms)

    def existing_terms(self, field: str, terms) -> list[str]:
        """Those of terms that occur in field (checked without caching their postings)."""
        with self.lock:
            return [t for t in terms
                    if any((field, t.encode("utf-8")) in reader for reader, _ in self.leaves)]

    def pair_postings(self, field: str, pair: tuple[str, str]):
        """(doc numbers, frequencies) of the live documents whose field ("title" or
        "body") holds the two folded syllables next to each other (pairs.py)."""
        def read():
            code = pair_key(*pair)
            for index, offset in self._pair_indexes():
                d, t = index.postings(field, code)
                if d.size:
                    yield d.astype(np.int32) + offset, t.astype(np.float32)
        return self._cached((field, pair), read)

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
            self.searcher.close()


def _read_all(m):
    """All (doc ids, weights) of a leaf matcher, a block at a time where the codec allows."""
    if hasattr(m, "_read_ids") and hasattr(m, "_next_block"):
        ids, ws = [], []
        while m.is_active():
            m._read_ids()
            m._read_weights()
            ids.extend(m._ids)
            ws.extend(m._weights)
            m._next_block()
        return ids, ws
    ids, ws = [], []
    while m.is_active():
        ids.append(m.id())
        ws.append(m.weight())
        m.next()
    return ids, ws
