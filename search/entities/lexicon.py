"""The word lists of ``search/data/*.txt`` and the lookup tables built from them.

Decides how a syllable is compared (``_key``: case- and tone-style-insensitive) and what
the extractor knows: provinces, places, surnames and given names, titles, organisation
heads and words, ministries, fixed names and their aliases, abbreviations, pyvi's lexicon.
Everything here is loaded once at import; nothing here depends on the rest of the package.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_DATA_DIR = Path(__file__).resolve().parent.parent / "data"


# --------------------------------------------------------------------------------------
# Text helpers and word lists
# --------------------------------------------------------------------------------------

_OLD_NEW = [
    ("oà", "òa"), ("oá", "óa"), ("oả", "ỏa"), ("oã", "õa"), ("oạ", "ọa"),
    ("oè", "òe"), ("oé", "óe"), ("oẻ", "ỏe"), ("oẽ", "õe"), ("oẹ", "ọe"),
    ("uỳ", "ùy"), ("uý", "úy"), ("uỷ", "ủy"), ("uỹ", "ũy"), ("uỵ", "ụy"),
]
_OLD_NEW += [(a.upper(), b.upper()) for a, b in _OLD_NEW[:15]] + [
    (a[0].upper() + a[1:], b[0].upper() + b[1:]) for a, b in _OLD_NEW[:15]]
_OLD_MAP = dict(_OLD_NEW)
_OLD_RE = re.compile(
    r"(?<![qQ])(" + "|".join(re.escape(a) for a, _ in _OLD_NEW) + r")(?![^\W\d_])")
_OLD_CHARS = set("àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ")


def _fix_tones(s: str) -> str:
    """Old-style tone placement at syllable end to the new one: "Toà" -> "Tòa", "Uỷ" -> "Ủy"."""
    for c in s:
        if c in _OLD_CHARS:
            return _OLD_RE.sub(lambda m: _OLD_MAP[m.group(1)], s)
    return s


_KEY_CACHE: dict[str, str] = {}


def _key(s: str) -> str:
    """Case- and tone-style-insensitive key of a syllable."""
    k = _KEY_CACHE.get(s)
    if k is None:
        k = _fix_tones(s).lower()
        if len(_KEY_CACHE) < 500_000:
            _KEY_CACHE[s] = k
    return k


def _syll_split(s: str) -> list[str]:
    """Split a word-list entry into syllables and punctuation marks."""
    return re.findall(r"[^\W_]+|[^\w\s]", s)


def _keys(s: str) -> tuple:
    return tuple(_key(x) for x in _syll_split(s))


def _read_lines(name: str) -> list[str]:
    try:
        text = (_DATA_DIR / name).read_text(encoding="utf-8")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        line = line.strip()
        if line:
            out.append(unicodedata.normalize("NFC", line))
    return out


def _load_lexicon() -> set[str]:
    """pyvi's lexicon of common Vietnamese words (lower case, syllables joined by spaces)."""
    try:
        import pyvi
        p = Path(pyvi.__file__).resolve().parent / "models" / "words.txt"
        return {unicodedata.normalize("NFC", w.strip()).lower()
                for w in p.read_text(encoding="utf-8").splitlines() if w.strip()}
    except Exception:  # pragma: no cover
        return set()


# provinces: key tuple -> (canonical, level)
_PROV: dict[tuple, tuple[str, str]] = {}
for _line in _read_lines("provinces.txt"):
    _parts = [p.strip() for p in _line.split("|")]
    _canon = _parts[0]
    _level = _parts[1] if len(_parts) > 1 and _parts[1] else "tỉnh"
    _vars = [_canon] + [v.strip() for v in (_parts[2].split(",") if len(_parts) > 2 else []) if v.strip()]
    for _v in _vars + [v.replace("-", "–") for v in _vars if "-" in v]:  # "Bà Rịa – Vũng Tàu" too
        _PROV[_keys(_v)] = (_canon, _level)
_PROV_FIRST = {k[0] for k in _PROV}

_SURNAMES = {_key(x) for x in _read_lines("surnames.txt")}
_WEAK_SURNAMES = {_key(x) for x in _read_lines("weak_surnames.txt")}
_TITLES = {_keys(t.replace(".", " ")) for t in _read_lines("titles.txt")}
_TITLE_MAX = max((len(t) for t in _TITLES), default=1)
_PLACES = {_keys(p) for p in _read_lines("places.txt")} | set(_PROV)
_PLACE_MAX = max((len(p) for p in _PLACES), default=1)
_PLACE_FIRST = {k[0] for k in _PLACES}
_PLACES_D = {k: 1 for k in _PLACES}
_PLACE_HEADS = {_keys(p) for p in _read_lines("place_heads.txt")}


_PLACE_HEAD_MAX = max((len(p) for p in _PLACE_HEADS), default=1)


def place_names() -> list[str]:
    """The places the word lists know, as written ("Nghệ An", "Đà Lạt")."""
    names = list(_read_lines("places.txt"))
    for line in _read_lines("provinces.txt"):
        parts = [p.strip() for p in line.split("|")]
        names.append(parts[0])
    return names
_NOT_NAMES = {_keys(p) for p in _read_lines("not_names.txt")}
_FUNC = {_key(w) for w in _read_lines("function_words.txt") if " " not in w}
_FUNC_MULTI = {_keys(w) for w in _read_lines("function_words.txt") if " " in w}
_GIVEN = {_key(w) for w in _read_lines("given_names.txt")}
_FOREIGN_ORG_WORDS = {w.lower() for w in _read_lines("foreign_org_words.txt")}
_NOT_PERSON_WORDS = {w.lower() for w in _read_lines("foreign_not_person.txt")}
_SCHOOL_KINDS = {_keys(w): 1 for w in _read_lines("school_kinds.txt")}
_SCHOOL_MAX = max((len(k) for k in _SCHOOL_KINDS), default=1)

_ABBR: dict[str, list[str]] = {}
for _line in _read_lines("abbreviations.txt"):
    if "=" in _line:
        _k, _v = (x.strip() for x in _line.split("=", 1))
        _ABBR[_k.replace(" ", "")] = _syll_split(_v)
        if "-" in _k:  # "GD–ĐT" is written with an en dash too
            _ABBR[_k.replace(" ", "").replace("-", "–")] = _syll_split(_v)
_ABBR_MAXLEN = max((len(k) for k in _ABBR), default=0)
_ABBR_PREFIX = {k[:m] for k in _ABBR for m in range(1, len(k) + 1)}

# organisation heads: key tuple -> (parse, flags, canonical syllables)
_HEADS: dict[tuple, tuple[str, frozenset, list[str]]] = {}
for _line in _read_lines("org_heads.txt"):
    _parts = [p.strip() for p in _line.split("|")]
    _HEADS[_keys(_parts[0])] = (_parts[1] if len(_parts) > 1 else "name",
                                frozenset(_parts[2].split()) if len(_parts) > 2 else frozenset(),
                                _syll_split(_parts[0]))
_HEAD_MAX = max((len(k) for k in _HEADS), default=1)
_HEAD_FIRST = {k[0] for k in _HEADS}

_MINISTRIES: dict[tuple, str] = {}
for _line in _read_lines("ministries.txt"):
    _parts = [p.strip() for p in _line.split("|")]
    for _v in _parts:
        _MINISTRIES[_keys(_v)] = _parts[0]
_MIN_MAX = max((len(k) for k in _MINISTRIES), default=1)

# fixed names (exact capitalisation): syllable tuple -> canonical
_FIXED: dict[tuple, str] = {}
# aliases for canonical_agency: squashed lower-case key -> canonical
_ALIAS: dict[str, str] = {}


def _squash(s: str) -> str:
    return re.sub(r"[\W_]+", "", _fix_tones(s).lower())


for _name in ("central_bodies.txt", "known_orgs.txt"):
    for _line in _read_lines(_name):
        _parts = [p.strip() for p in _line.split("|")]
        for _v in _parts:
            _FIXED[tuple(_syll_split(_v))] = _parts[0]
            _ALIAS[_squash(_v)] = _parts[0]
_FIXED_MAX = max((len(k) for k in _FIXED), default=1)
_FIXED_FIRST = {k[0] for k in _FIXED}

# organisation words (lower case) allowed inside names; value: needs a follower
_ORG_WORDS: dict[tuple, bool] = {}
for _line in _read_lines("org_words.txt"):
    _need = _line.endswith(" *")
    _ORG_WORDS[_keys(_line[:-2] if _need else _line)] = _need
_ORG_WORDS_MAX = max((len(k) for k in _ORG_WORDS), default=1)

# lower-case words a name's lower-case run between it and its place cannot hold
_NOT_ORG_WORDS = {_keys(w) for w in _read_lines("not_org_words.txt")}
_NOT_AGENCIES = set(_read_lines("not_agencies.txt"))
_LEXICON = _load_lexicon()
_LEX_SYLL = {s for w in _LEXICON for s in w.split()}

_LEVELS = {
    ("tỉnh",): "tỉnh", ("thành", "phố"): "thành phố", ("huyện",): "huyện", ("quận",): "quận",
    ("thị", "xã"): "thị xã", ("xã",): "xã", ("phường",): "phường", ("thị", "trấn"): "thị trấn",
    ("đặc", "khu"): "đặc khu",
}
_LEVEL1 = {"tỉnh", "huyện", "quận", "xã", "phường"}
