"""Highlighted HTML: matched syllables wrapped in <mark>, everything else escaped."""
from __future__ import annotations

from markupsafe import Markup, escape

from .analysis import SYLLABLE_RE, fold, fold_syllable, has_diacritics

SNIPPET_CHARS = 300
_MAX_MATCHES = 400


class Terms(frozenset):
    """The syllables to mark. A query typed with diacritics marks them exactly ("an" not
    "án"); one typed without marks every accented form ("cong" marks "công", "cộng")."""
    exact = False


def terms_for(syllable_list) -> Terms:
    sylls = [s.lower() for s in syllable_list]
    exact = any(has_diacritics(s) for s in sylls)
    terms = Terms(sylls if exact else (fold(s) for s in sylls))
    terms.exact = exact
    return terms


def query_terms(q: str) -> Terms:
    """The terms to mark for a query string: its words, not those it excludes."""
    from .query import parse_query  # query imports pyvi; only this needs it here
    return terms_for(parse_query(q).positive_syllables())


def _matches(text: str, terms: frozenset[str]):
    if not terms:
        return []
    key = str.lower if getattr(terms, "exact", False) else fold_syllable
    out = []
    for m in SYLLABLE_RE.finditer(text):
        f = key(m.group())
        if f in terms:
            out.append((m.start(), m.end(), f))
            if len(out) >= _MAX_MATCHES:
                break
    return out


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


def highlight(text: str, terms: frozenset[str]) -> Markup:
    """All of text, escaped, with every syllable whose folded form is in terms marked."""
    return Markup(_mark(text, 0, len(text), _matches(text, terms)))


def snippet(text: str, terms: frozenset[str], size: int = SNIPPET_CHARS) -> Markup:
    """At most `size` characters of text around the passage with the most distinct terms."""
    text = " ".join(text.split())  # one line: paragraphs and runs of spaces collapse
    matches = _matches(text, terms)
    if len(text) <= size:
        return Markup(_mark(text, 0, len(text), matches))
    best_start, best_key = 0, (0, 0, 0)
    for i, (s, _, _) in enumerate(matches):
        inside = [m for m in matches[i:] if m[1] <= s + size]
        # Matches next to each other (a name, a phrase) make the better passage.
        adjacent = sum(1 for a, b in zip(inside, inside[1:]) if b[0] - a[1] <= 1 and a[2] != b[2])
        key = (len({m[2] for m in inside}), adjacent, len(inside))
        if key > best_key:
            best_start, best_key = s, key
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
