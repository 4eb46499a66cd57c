"""Highlighted HTML: the query's words marked where they occur whole, everything else
escaped. A word of several syllables is marked only where its syllables stand together
("công an" marks "Công an tỉnh", not the "an" of "bất an")."""
from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

from .analysis import fold, has_diacritics

SNIPPET_CHARS = 300
_MAX_MATCHES = 400


class Terms(frozenset):
    """The words to mark, each a tuple of syllables. A query typed with diacritics marks
    them exactly ("an" not "án"), falling back to any diacritics in a text that has
    none of them so; one typed without marks every accented form ("cong" marks "công")."""
    exact = False


def terms_for(words) -> Terms:
    """words: syllable tuples (or single syllables)."""
    words = [tuple(s.lower() for s in ((w,) if isinstance(w, str) else w)) for w in words]
    words = [w for w in words if w]
    exact = any(has_diacritics(s) for w in words for s in w)
    terms = Terms(words if exact else (tuple(fold(s) for s in w) for w in words))
    terms.exact = exact
    return terms


def _matches(text: str, terms: frozenset) -> list[tuple[int, int, tuple]]:
    """(start, end, word) of each occurrence of a word of terms in text."""
    if not terms:
        return []
    if getattr(terms, "exact", False):
        found = _find(text, _pattern(terms, True))
        if found:
            return found
        terms = Terms(tuple(fold(s) for s in w) for w in terms)
    return _find(text, _pattern(terms, False))


def _find(text: str, pattern) -> list[tuple[int, int, tuple]]:
    regex, words = pattern
    out = []
    for m in regex.finditer(text):
        out.append((m.start(), m.end(), words[m.lastindex - 1]))
        if len(out) >= _MAX_MATCHES:
            break
    return out


@lru_cache(maxsize=4096)
def _pattern(terms: frozenset, exact: bool):
    """One regular expression for all the words, the longest first: a word's syllables
    with anything but letters and digits between them, as SYLLABLE_RE splits text."""
    words = sorted(terms, key=lambda w: (-len(w), w))
    spell = (lambda x: re.escape(x)) if exact else _any_diacritics
    alternatives = "|".join("(" + r"[\W_]+".join(map(spell, w)) + ")" for w in words)
    flags = re.IGNORECASE if exact else 0
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", flags), words


def _fold_table() -> dict[int, str]:
    """Each letter → its folded form, where that is one character: folding a text with it
    keeps every offset, so matches found in the folded text mark the original."""
    table = {}
    for cp in list(range(0x41, 0x5B)) + list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        c = chr(cp)
        f = fold(c)
        if len(f) == 1 and f != c:
            table[cp] = f
    return table


_FOLD = _fold_table()
# Folded letter → a class of the letters folding to it: ASCII, Latin-1, Latin Extended-A,
# ơ ư and the Vietnamese block (the rarer Latin letters made the patterns slow to compile).
_SAME_FOLD: dict[str, str] = {}
for _cp in [*range(0x30, 0x3A), *range(0x41, 0x5B), *range(0x61, 0x7B), *range(0xC0, 0x180),
            0x1A0, 0x1A1, 0x1AF, 0x1B0, *range(0x1EA0, 0x1EFA)]:
    _c = chr(_cp)
    _f = _FOLD.get(_cp, _c)
    if len(_f) == 1 and _f.isascii():
        _SAME_FOLD[_f] = _SAME_FOLD.get(_f, "") + _c


def _any_diacritics(folded: str) -> str:
    """A pattern for a folded syllable that matches it in any case and with any diacritics
    ("cong" → công, Cống…): what matching the folded text would, without folding it."""
    return "".join(f"[{re.escape(_SAME_FOLD[c])}]" if c in _SAME_FOLD else re.escape(c)
                   for c in folded)


def _best_window(matches, size: int) -> tuple[int, tuple]:
    """The start of the window of `size` characters, beginning at a match, that holds the
    most distinct words, then the most pairs of different words side by side (the query's
    words in order make the better passage), then the most matches; the first such.

    Matches are sorted and do not overlap, so a window's matches are a run of them: one
    pass with two pointers, the words counted as they enter and leave."""
    # adjacent[j]: matches j and j + 1 are different words with at most one character between.
    adjacent = [0] * len(matches)
    for j in range(len(matches) - 1):
        a, b = matches[j], matches[j + 1]
        adjacent[j] = 1 if b[0] - a[1] <= 1 and a[2] != b[2] else 0
    best_start, best_key = 0, (0, 0, 0)
    words: dict = {}
    k = pairs = 0  # the window is matches[i:k]; pairs: adjacent[i:k-1] summed
    for i, (s, _, _) in enumerate(matches):
        if k < i:
            k = i
        while k < len(matches) and matches[k][1] <= s + size:
            w = matches[k][2]
            words[w] = words.get(w, 0) + 1
            if k > i:
                pairs += adjacent[k - 1]
            k += 1
        key = (len(words), pairs, k - i)
        if key > best_key:
            best_start, best_key = s, key
        if k > i:  # match i leaves the window
            w = matches[i][2]
            words[w] -= 1
            if not words[w]:
                del words[w]
            if k > i + 1:
                pairs -= adjacent[i]
    return best_start, best_key


def _mark(text: str, start: int, end: int, matches) -> str:
    parts, pos = [], start
    for s, e, _ in matches:
        if s < start or e > end:
            continue
        parts.append(str(escape(text[pos:s])))
        parts.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    parts.append(str(escape(text[pos:end])))
    return "".join(parts)


def highlight(text: str, terms: frozenset) -> Markup:
    """All of text, escaped, with every occurrence of a word of terms marked."""
    return Markup(_mark(text, 0, len(text), _matches(text, terms)))


def snippet(text: str, terms: frozenset, size: int = SNIPPET_CHARS) -> Markup:
    """At most `size` characters of text around the passage with the most distinct words."""
    text = " ".join(text.split())  # one line: paragraphs and runs of spaces collapse
    matches = _matches(text, terms)
    if len(text) <= size:
        return Markup(_mark(text, 0, len(text), matches))
    best_start, best_key = _best_window(matches, size)
    # Start a little before the first match, on a word boundary, and end on one.
    start = max(0, best_start - size // 5) if best_key[0] else 0
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < best_start else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    html = _mark(text, start, end, matches)
    return Markup(("…" if start else "") + html + ("…" if end < len(text) else ""))
