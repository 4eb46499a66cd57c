"""Facet columns per snapshot, and multi-select facet counting over them.

Each facet's values are read once per index snapshot from the inverted index into
arrays. A search then counts every facet with numpy over a boolean mask of the matching
articles: each facet's counts apply every filter except that facet's own (the
multi-select semantics of Elasticsearch's post_filter or Solr's tag/exclude).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dates import date_range
from .matching import _read_all


@dataclass
class FacetColumn:
    name: str
    values: list[str]          # value id → value
    index: dict[str, int]      # value → value id
    pair_docs: np.ndarray      # one entry per (document, value) pair
    pair_vals: np.ndarray

    def mask(self, doc_count: int, values) -> np.ndarray:
        """Documents having any of values (values unknown to the index match nothing)."""
        ids = [self.index[v] for v in values if v in self.index]
        out = np.zeros(doc_count, bool)
        if ids:
            out[self.pair_docs[np.isin(self.pair_vals, ids)]] = True
        return out

    def counts(self, mask: np.ndarray) -> np.ndarray:
        return np.bincount(self.pair_vals[mask[self.pair_docs]], minlength=len(self.values))


def load_column(store, field: str) -> FacetColumn:
    values, docs, vals = [], [], []
    with store.lock:
        terms = sorted({t for reader, _ in store.leaves for t in _lexicon(reader, field)})
        for vid, term in enumerate(terms):
            values.append(term.decode("utf-8"))
            for reader, offset in store.leaves:
                if (field, term) in reader:
                    ids, _ = _read_all(reader._terms.matcher(field, term, reader.schema[field].format))
                    docs.append(np.asarray(ids, np.int32) + offset)
                    vals.append(np.full(len(ids), vid, np.int32))
    pair_docs = np.concatenate(docs) if docs else np.zeros(0, np.int32)
    pair_vals = np.concatenate(vals) if vals else np.zeros(0, np.int32)
    keep = store.live[pair_docs]
    return FacetColumn(field, values, {v: i for i, v in enumerate(values)},
                       pair_docs[keep], pair_vals[keep])


def _lexicon(reader, field):
    try:
        return list(reader.lexicon(field))
    except Exception:  # a field no document has yet
        return []


class DateColumns:
    """First and last day (yyyymmdd) each article's date covers; 0 where it has none."""

    def __init__(self, store):
        self.start = np.zeros(store.doc_count, np.int32)
        self.end = np.zeros(store.doc_count, np.int32)
        self.has_date = np.zeros(store.doc_count, bool)
        with store.lock:
            for reader, offset in store.leaves:
                for term in _lexicon(reader, "date"):
                    value = term.decode("utf-8")
                    if not value:
                        continue
                    ids, _ = _read_all(reader._terms.matcher("date", term, reader.schema["date"].format))
                    docs = np.asarray(ids, np.int64) + offset
                    first, last = date_range(value)
                    self.start[docs], self.end[docs] = first, last
                    self.has_date[docs] = True

    def mask(self, date_from: str | None, date_to: str | None) -> np.ndarray:
        """Articles whose date overlaps [date_from, date_to], each compared at its precision."""
        out = self.has_date.copy()
        if date_from:
            out &= self.end >= date_range(date_from)[0]
        if date_to:
            out &= self.start <= date_range(date_to)[1]
        return out


def top_values(column: FacetColumn, counts: np.ndarray, size: int, selected=(),
               chronological: bool = False) -> list[dict]:
    """The facet's values with their counts: the `size` largest (by count then value),
    plus every selected value; date facets in date order."""
    nonzero = np.flatnonzero(counts)
    # Value ids are in value order (the lexicon is sorted), so they break count ties.
    order = nonzero[np.lexsort((nonzero, -counts[nonzero]))][:size]
    chosen = {column.values[i]: int(counts[i]) for i in order}
    for value in selected:
        if value not in chosen:
            vid = column.index.get(value)
            chosen[value] = int(counts[vid]) if vid is not None else 0
    items = [{"value": v, "count": c} for v, c in chosen.items()]
    if chronological:
        items.sort(key=lambda item: item["value"])
    else:
        items.sort(key=lambda item: (-item["count"], item["value"]))
    return items
