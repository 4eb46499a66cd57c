"""One person, one facet value: short forms merged into the full name across the archive.

Within an article the extractor already maps "ông Thống" to "Nguyễn Quang Thống". An
article that names a person only by a short form ("Trump", "Putin", "Hữu Thắng") gives
that short form as its value, and a reader sees two values for one person. When a
snapshot opens, each person value that ends another, longer value ("Trump" ends "Donald
Trump", "Hữu Thắng" ends "Nguyễn Hữu Thắng") is merged into the longer value it most
likely stands for: the one in far the most articles among those it could be
(MERGE_SHARE of them); when no longer value is that clear ("Tuấn": Nguyễn Anh Tuấn,
Hoàng Anh Tuấn, …) the short form stays a value of its own. A Vietnamese name that opens
with a family name ("Trần Lưu", "Trần Nhật Minh") is a full name already: never merged.
"""
from __future__ import annotations

import numpy as np

from .entities.lexicon import _SURNAMES, _WEAK_SURNAMES, _key

MERGE_SHARE = 0.75   # the full name's share of the articles of all its rivals
MIN_ARTICLES = 3     # a full name found in fewer articles is no evidence


def short_forms(values: list[str], counts: np.ndarray) -> dict[str, str]:
    """{short form: full name} for the values to merge (counts: articles per value)."""
    by_suffix: dict[str, list[int]] = {}
    for vid, value in enumerate(values):
        words = value.split(" ")
        for k in range(1, len(words)):
            by_suffix.setdefault(" ".join(words[k:]), []).append(vid)
    out = {}
    index = {v: i for i, v in enumerate(values)}
    for short, longer in by_suffix.items():
        if short not in index or _full_vietnamese(short):
            continue
        best = max(longer, key=lambda vid: (counts[vid], -vid))
        total = sum(int(counts[vid]) for vid in longer)
        if counts[best] >= MIN_ARTICLES and counts[best] >= MERGE_SHARE * total:
            out[short] = values[best]
    # A full name that is itself a short form of a longer one follows it to the end.
    for short in list(out):
        seen, target = {short}, out[short]
        while target in out and target not in seen:
            seen.add(target)
            target = out[target]
        out[short] = target
    return out


def _full_vietnamese(name: str) -> bool:
    words = name.split(" ")
    first = _key(words[0])
    return len(words) > 1 and first in _SURNAMES and first not in _WEAK_SURNAMES
