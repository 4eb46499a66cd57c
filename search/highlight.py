"""Highlighted HTML: the query's words marked where they occur whole, everything else
escaped. A word of several syllables is marked only where its syllables stand together
("công an" marks "Công an tỉnh", not the "an" of "bất an")."""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from markupsafe import Markup

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
        lower = text.lower()
        # Case-insensitive as a regular expression is, character by character: a text
        # whose lower-casing changes its length goes to the regular expression.
        found = (_find(lower, _ordered(terms)) if len(lower) == len(text)
                 else _find_regex(text, _pattern(terms, True)))
        if found:
            return found
        return _find(_fold_text(text), _folded_words(terms))
    return _find(_fold_text(text), _ordered(terms))


def _find(text: str, words: tuple) -> list[tuple[int, int, tuple]]:
    """What _find_regex finds with _pattern(words), found with str.find: where each
    word's first syllable stands whole, its other syllables after it with anything but
    letters and digits between; overlapping candidates resolved as the regular
    expression would (leftmost first, then the first word in the pattern's order)."""
    candidates = []
    n = len(text)
    for order, word in enumerate(words):
        first, rest = word[0], word[1:]
        if rest and all(s[:1].isalnum() for s in word):
            # A word of several syllables: the regular expression finds where they all
            # follow each other (where _after would), most occurrences of the first
            # syllable alone being skipped in C; each start is tried as str.find would.
            search = _syllables_regex(word).search
            m = search(text)
            while m:
                i, end = m.span()
                if (i == 0 or not text[i - 1].isalnum()) and (end == n or not text[end].isalnum()):
                    candidates.append((i, order, end))
                m = search(text, i + 1)
            continue
        i = text.find(first)
        while i >= 0:
            if i == 0 or not text[i - 1].isalnum():
                end = _after(text, i + len(first), rest)
                if end >= 0 and (end == n or not text[end].isalnum()):
                    candidates.append((i, order, end))
            i = text.find(first, i + 1)
    candidates.sort()
    out, last = [], 0
    for start, order, end in candidates:
        if start >= last:
            out.append((start, end, words[order]))
            last = end
            if len(out) >= _MAX_MATCHES:
                break
    return out


def _after(text: str, pos: int, syllables: tuple) -> int:
    """Where syllables end if they follow pos, each after a run of non-alphanumerics; -1
    if they do not."""
    n = len(text)
    for syllable in syllables:
        j = pos
        while j < n and not text[j].isalnum():
            j += 1
        if j == pos or not text.startswith(syllable, j):
            return -1
        pos = j + len(syllable)
    return pos


@lru_cache(maxsize=4096)
def _syllables_regex(word: tuple):
    """word's syllables with a run of anything but letters and digits between each two
    (greedy: each syllable begins with a letter or digit, so it matches as _after does)."""
    return re.compile(r"[\W_]+".join(map(re.escape, word)))


def _find_regex(text: str, pattern) -> list[tuple[int, int, tuple]]:
    regex, words = pattern
    out = []
    for m in regex.finditer(text):
        out.append((m.start(), m.end(), words[m.lastindex - 1]))
        if len(out) >= _MAX_MATCHES:
            break
    return out


@lru_cache(maxsize=4096)
def _ordered(terms: frozenset) -> tuple:
    """The words, the longest first: the order the regular expression tries them in."""
    return tuple(sorted(terms, key=lambda w: (-len(w), w)))


@lru_cache(maxsize=4096)
def _folded_words(terms: frozenset) -> tuple:
    """The words folded, in _ordered's order: what a text without them as typed is
    searched for (each hit's title and body ask again)."""
    return _ordered(frozenset(tuple(fold(s) for s in w) for w in terms))


@lru_cache(maxsize=256)
def _pattern(terms: frozenset, exact: bool):
    """One regular expression for all the words, the longest first: a word's syllables
    with anything but letters and digits between them, as SYLLABLE_RE splits text."""
    words = _ordered(terms)
    alternatives = "|".join("(" + r"[\W_]+".join(map(re.escape, w)) + ")" for w in words)
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
# Every UTF-16 code unit → its folded form (all folded letters are below U+1F00; a
# surrogate half maps to itself, so characters beyond the BMP pass unchanged).
_FOLD_LUT = np.arange(0x10000, dtype="<u2")
for _cp, _f in _FOLD.items():
    _FOLD_LUT[_cp] = ord(_f)


def _fold_text(text: str) -> str:
    """text with each letter folded as _FOLD says, offsets unchanged: one table lookup
    over its UTF-16 code units (str.translate with a dict costs ~40 ns a character)."""
    units = np.frombuffer(text.encode("utf-16-le"), "<u2")
    return _FOLD_LUT[units].tobytes().decode("utf-16-le")


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


def _escape(text: str) -> str:
    """str(markupsafe.escape(text)) for a str, without a Markup object per piece."""
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


def _mark(text: str, start: int, end: int, matches) -> str:
    parts, pos = [], start
    for s, e, _ in matches:
        if s < start or e > end:
            continue
        parts.append(_escape(text[pos:s]))
        parts.append(f"<mark>{_escape(text[s:e])}</mark>")
        pos = e
    parts.append(_escape(text[pos:end]))
    return "".join(parts)


def highlight(text: str, terms: frozenset) -> Markup:
    """All of text, escaped, with every occurrence of a word of terms marked."""
    return Markup(_mark(text, 0, len(text), _matches(text, terms)))


def _one_line(text: str) -> str:
    """text on one line, as " ".join(text.split()) makes it: paragraphs and runs of spaces
    collapse. Where the only whitespace is spaces and newlines (every other whitespace
    character is unprintable), with str.replace: a third of the time of splitting a
    body into its words."""
    line = text.replace("\n", " ")
    if not line.isprintable():
        return " ".join(text.split())
    while "  " in line:
        line = line.replace("  ", " ")
    return line.strip(" ")


def snippet(text: str, terms: frozenset, size: int = SNIPPET_CHARS) -> Markup:
    """At most `size` characters of text around the passage with the most distinct words."""
    text = _one_line(text)
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
