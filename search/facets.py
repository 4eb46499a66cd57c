"""Facet columns per snapshot, and multi-select facet counting over them.

Each facet's values are read once per index snapshot, from one per-document column
(`facets`, see facet_record), into arrays. A search then counts every facet with numpy over a boolean mask of the matching
articles: each facet's counts apply every filter except that facet's own (the
multi-select semantics of Elasticsearch's post_filter or Solr's tag/exclude).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from .dates import date_range


@dataclass
class FacetColumn:
    name: str
    values: list[str]          # value id → value
    index: dict[str, int]      # value → value id
    pair_docs: np.ndarray      # one entry per (document, value) pair
    pair_vals: np.ndarray
    _plan: "_CountPlan | None" = None  # the pairs arranged for counting (counts)

    def mask(self, doc_count: int, values) -> np.ndarray:
        """Documents having any of values (values unknown to the index match nothing)."""
        ids = [self.index[v] for v in values if v in self.index]
        out = np.zeros(doc_count, bool)
        if ids:
            out[self.pair_docs[np.isin(self.pair_vals, ids)]] = True
        return out

    def merged(self, alias: dict[str, str]) -> "FacetColumn":
        """This column with each alias key counted as, and filtering as, its target value."""
        if not alias:
            return self
        values = [v for v in self.values if v not in alias]
        index = {v: i for i, v in enumerate(values)}
        index.update({short: index[full] for short, full in alias.items() if full in index})
        remap = np.array([index[alias.get(v, v)] for v in self.values], np.int64)
        # One pair per (document, value): an article may give both forms.
        keys = np.unique(self.pair_docs.astype(np.int64) * len(values) + remap[self.pair_vals])
        return FacetColumn(self.name, values, index, (keys // len(values)).astype(np.int32),
                           (keys % len(values)).astype(np.int32))

    def counts(self, mask) -> np.ndarray:
        """How many of the documents in mask (an array or a Selection) have each value."""
        sel = mask if isinstance(mask, Selection) else Selection(mask)
        mask = sel.mask
        plan = self._plan
        if plan is None or plan.size != mask.size:
            plan = self._plan = _CountPlan(self, mask.size)
        sparse = sel.count * SPARSE_BELOW < mask.size
        if plan.doc_vals is not None:  # one value at most a document: one lookup each
            return np.bincount(plan.doc_vals[sel.docs if sparse else mask],
                               minlength=len(self.values) + 1)[:-1]
        if not sparse:
            return np.bincount(plan.vals[mask[plan.docs]], minlength=len(self.values))
        # Few documents: their own values, through offsets (pairs are in document order),
        # instead of a pass over every pair.
        docs = sel.docs
        starts, lens = plan.offsets[docs], plan.lengths[docs]
        firsts = np.cumsum(lens) - lens  # where each document's run starts in the output
        rows = np.arange(int(lens.sum())) - np.repeat(firsts - starts, lens)
        return np.bincount(plan.vals[rows], minlength=len(self.values))


class Selection:
    """A mask of documents, with its size and document numbers found once for all the
    facets counted over it."""

    def __init__(self, mask: np.ndarray):
        self.mask = mask
        self.count = int(np.count_nonzero(mask))
        self._docs = None

    @property
    def docs(self) -> np.ndarray:
        if self._docs is None:
            self._docs = np.flatnonzero(self.mask)
        return self._docs


class _CountPlan:
    """A column's pairs arranged for counting over doc_count documents, built on first use.
    Indices are intp: numpy converts any other index array (a copy of every pair) on each
    gather and bincount."""

    def __init__(self, column: FacetColumn, doc_count: int):
        self.size = doc_count
        self.docs = column.pair_docs.astype(np.intp)
        self.vals = column.pair_vals.astype(np.intp)
        # Pairs are in document order: document d's are offsets[d]:offsets[d + 1].
        self.offsets = np.searchsorted(self.docs, np.arange(doc_count + 1))
        self.lengths = np.diff(self.offsets)
        self.doc_vals = None
        if not self.lengths.size or self.lengths.max() <= 1:
            # Each document's value id, or one past the last where it has none.
            self.doc_vals = np.full(doc_count, len(column.values), np.intp)
            self.doc_vals[self.docs] = self.vals


FACETS = ("year", "month", "agency", "person", "source")
SPARSE_BELOW = 8  # count from each document's values when under 1/8 of all match


def facet_record(date: str | None, source: str | None, agencies, persons) -> str:
    """One article's facet values as stored in its `facets` column (schema.py)."""
    return json.dumps([date or "", source or "", list(agencies), list(persons)],
                      ensure_ascii=False, separators=(",", ":"))


def load_facets(store, records) -> tuple[dict[str, "FacetColumn"], "DateColumns"]:
    """Facet columns and date ranges from every document's facet record, read in one pass
    over a Whoosh column (fast, unlike walking the lexicon term by term)."""
    pairs = {name: ([], []) for name in FACETS}
    dates = DateColumns(store.doc_count)
    for docnum, record in enumerate(records):
        if not record or not store.live[docnum]:
            continue
        date, source, agencies, persons = json.loads(record)
        values = {"agency": agencies, "person": persons, "source": [source] if source else []}
        if date:
            values["year"] = [date[:4]]
            if len(date) >= 7:
                values["month"] = [date[:7]]
            dates.start[docnum], dates.end[docnum] = date_range(date)
            dates.has_date[docnum] = True
        for name, vals in values.items():
            docs, names = pairs[name]
            for v in vals:
                docs.append(docnum)
                names.append(v)
    columns = {}
    for name, (docs, names) in pairs.items():
        values = sorted(set(names))
        index = {v: i for i, v in enumerate(values)}
        columns[name] = FacetColumn(name, values, index, np.asarray(docs, np.int32),
                                    np.asarray([index[v] for v in names], np.int32))
    return columns, dates


class DateColumns:
    """First and last day (yyyymmdd) each article's date covers; 0 where it has none."""

    def __init__(self, doc_count: int):
        self.start = np.zeros(doc_count, np.int32)
        self.end = np.zeros(doc_count, np.int32)
        self.has_date = np.zeros(doc_count, bool)

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
    chosen = {column.values[i]: c for i, c in _largest(counts, size)}
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


def _largest(counts: np.ndarray, size: int) -> list[tuple[int, int]]:
    """(value id, count) of the `size` largest counts, largest first, then by id."""
    if counts.size <= 64:  # a date or source facet: plain Python beats a dozen numpy calls
        listed = counts.tolist()
        ids = sorted((i for i, c in enumerate(listed) if c), key=lambda i: (-listed[i], i))
        return [(i, listed[i]) for i in ids[:size]]
    nonzero = np.flatnonzero(counts != 0)  # on a boolean array: several times faster
    if nonzero.size > 8 * size > 0:
        # Only values counted as often as the size-th most counted one, or more, can be
        # among the first size: a histogram of the counts finds that count, and the
        # partition below sorts out a few dozen values instead of thousands.
        c = counts[nonzero]
        at_least = np.cumsum(np.bincount(c)[::-1])[::-1]  # [k]: values counted k times or more
        nonzero = nonzero[c >= np.flatnonzero(at_least >= size)[-1]]
    # Value ids are in value order (load_facets sorts the values), so they break count ties:
    # one key, larger for a larger count and then for a smaller id.
    key = counts[nonzero].astype(np.int64) * (counts.size + 1) - nonzero
    if nonzero.size > size > 0:
        nonzero = nonzero[np.argpartition(-key, size - 1)[:size]]
        key = counts[nonzero].astype(np.int64) * (counts.size + 1) - nonzero
    order = nonzero[np.argsort(-key, kind="stable")][:size]
    return list(zip(order.tolist(), counts[order].tolist()))
