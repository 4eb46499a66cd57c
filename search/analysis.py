"""Text → tokens: normalisation, syllables and diacritic folding (pyvi words: segment.py).

Three forms of every text are indexed (see schema.py):
  words      pyvi words, lower-cased ("công_an"), for ranking whole-word matches;
  syllables  lower-cased syllables ("công", "an"), so recall never depends on pyvi
             segmenting a query and an article alike;
  folded     syllables without diacritics ("cong", "an"), so unaccented queries work.
Syllables come from a regex, not from pyvi, so query and article agree by construction.
"""
from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache


# A syllable is a run of letters/digits; "_" is excluded because pyvi joins words with it.
SYLLABLE_RE = re.compile(r"[^\W_]+")
# Control and zero-width characters carry no text and break tokenisation and display.
_INVISIBLE_RE = re.compile(r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u2060\ufeff]")


def normalize(text: str) -> str:
    """NFC with invisible characters removed; the form everything is stored and indexed in."""
    return _INVISIBLE_RE.sub("", unicodedata.normalize("NFC", text))


def clean_article_text(text: str) -> str:
    """Article text as read from a corpus: HTML entities left by crawlers ("t&ocirc;ng")
    decoded, then normalised. Tags stay text: they are escaped wherever they are shown."""
    if "&" in text:
        text = html.unescape(text)
    return normalize(text)


@lru_cache(maxsize=500_000)
def fold_syllable(syllable: str) -> str:
    """fold() for the small vocabulary of syllables, cached: highlighting folds every
    syllable of every shown article."""
    return fold(syllable)


def fold(text: str) -> str:
    """Lower-case and strip diacritics: "Công an Lâm Đồng" → "cong an lam dong"."""
    text = text.lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def syllables(text: str) -> list[str]:
    # Lower-cased after splitting ("İ" lower-cases to "i" + a combining dot, which would
    # split a syllable), but in one call: no syllable holds a space.
    found = SYLLABLE_RE.findall(text)
    return " ".join(found).lower().split(" ") if found else []
