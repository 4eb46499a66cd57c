"""Rule-based extraction of persons and agencies (organisations) from Vietnamese news.

No model: pyvi word boundaries (passed in by the indexer), capitalisation and the word
lists in ``search/data/*.txt`` (loaded once at import).

Public interface::

    extract_entities(title, body, author=None, tokens=None) -> Entities
    canonical_agency(surface) -> str      # same normalisation as the extractor applies

How it works, per paragraph (title first):

1. The pyvi tokens are split into syllables; abbreviations are expanded in place
   ("UBND" -> "Ủy ban nhân dân", "TP.HCM" -> "thành phố Hồ Chí Minh", "GD&ĐT" -> ...).
2. Agencies: at every organisation head ("Công an", "Ủy ban nhân dân", "Sở", "Bộ",
   "Công ty", "Bệnh viện" ... org_heads.txt) the name is read on: capitalised words,
   organisation words ("hình sự", "đa khoa" ... org_words.txt), "và"/"-" between two
   capitalised words, an administrative level and a place ("tỉnh Lâm Đồng", "quận 9"), and a
   parent body ("Phòng Cảnh sát hình sự Công an tỉnh Bến Tre"). Fixed names ("Quốc hội",
   "Nhà Trắng", "UEFA", clubs and companies of known_orgs.txt) are matched as written.
   A bare "Công an tỉnh" / "UBND tỉnh" / "Sở Y tế" is completed with the article's
   province when the article makes it unambiguous.
3. Persons: maximal runs of capitalised syllables outside agencies and places, taken when a
   title or honorific stands before them ("Đại tá", "ông", "HLV" ...), when they open with a
   Vietnamese family name, or when they look like a foreign name. Short later mentions
   ("ông Thống") resolve to the longest form of the same person; the byline author,
   "Theo X", "Ảnh: X" credits and the masthead are left out.
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from pathlib import Path

from .segment import sylabelize

__all__ = ["Entities", "extract_entities", "canonical_agency"]

_DATA_DIR = Path(__file__).resolve().parent / "data"

# Beyond these sizes the rest of an article is ignored (5 MB inputs must not hang).
_MAX_CHARS = 200_000
_MAX_TOKENS = 60_000
_DEBUG = bool(os.environ.get("TIMTIN_ENTITIES_DEBUG"))


@dataclass(frozen=True)
class Entities:
    persons: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)


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
    for _v in _vars:
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


def place_names() -> list[str]:
    """The places the word lists know, as written ("Nghệ An", "Đà Lạt")."""
    names = list(_read_lines("places.txt"))
    for line in _read_lines("provinces.txt"):
        parts = [p.strip() for p in line.split("|")]
        names.append(parts[0])
    return names
_PLACE_HEAD_MAX = max((len(p) for p in _PLACE_HEADS), default=1)
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

_NOT_AGENCIES = set(_read_lines("not_agencies.txt"))
_LEXICON = _load_lexicon()
_LEX_SYLL = {s for w in _LEXICON for s in w.split()}

# organisation heads that may be written in lower case before a capitalised name
_LC_HEADS = {"sở", "cục", "chi cục", "tổng cục", "trung tâm", "công ty", "tập đoàn",
             "ngân hàng", "bệnh viện", "tiệm vàng", "khách sạn", "viện", "học viện", "hãng",
             "câu lạc bộ", "đội tuyển", "ủy ban", "văn phòng", "thanh tra", "khoa", "chi nhánh",
             "tòa án", "viện kiểm sát", "đại học", "tổng công ty", "quỹ", "hiệp hội", "liên đoàn",
             "quân đội"}

_LC_FIRST = {h.split()[0] for h in _LC_HEADS} | {"công", "ủy", "hội", "tòa", "viện"}

_LEVELS = {
    ("tỉnh",): "tỉnh", ("thành", "phố"): "thành phố", ("huyện",): "huyện", ("quận",): "quận",
    ("thị", "xã"): "thị xã", ("xã",): "xã", ("phường",): "phường", ("thị", "trấn"): "thị trấn",
    ("đặc", "khu"): "đặc khu",
}
_LEVEL1 = {"tỉnh", "huyện", "quận", "xã", "phường"}

_SENT_END = {".", "!", "?", ":", "…", "...", '"', "“", "”", "'", "‘", "’", "(", "[", "-", "–",
             "—", "•", ";", "*", ">", "|", "/", "+"}
_VN_CHARS = set("ăâêôơưđàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


# --------------------------------------------------------------------------------------
# Syllable stream of a paragraph
# --------------------------------------------------------------------------------------

class _Para:
    """One paragraph as parallel lists: syllable text, key, capitalisation, and how the
    syllables group into pyvi words."""
    __slots__ = ("text", "key", "cap", "tokcap", "cont", "n")

    def __init__(self, text: list[str], key: list[str], cap: list[int], tokcap: list[bool],
                 cont: list[bool]):
        self.text = text
        self.n = len(text)
        self.key = key
        # cap: 1 = name-like (Title case or an initial), 2 = acronym (all caps), 0 = other
        self.cap = cap
        # tokcap[i]: every syllable of i's pyvi word is name-like
        self.tokcap = tokcap
        # cont[i]: syllable i is in the same pyvi word as syllable i - 1
        self.cont = cont


def _syllable_cap(s: str) -> int:
    return (2 if len(s) > 1 and s.isupper() else 1) if s[0].isupper() else 0


def _split_glued(s: str) -> list[str]:
    """Crawled text often loses the space around links: "tâmTài" -> "tâm" "Tài"."""
    if s[0].isupper() and s[1:].islower() and s.lower() not in _LEX_SYLL and any(c in _VN_CHARS for c in s.lower()):
        two = _split_lower_glued(s.lower())
        if len(two) == 2:
            return [s[:len(two[0])], two[1]]
    for k in range(2, len(s) - 1):
        if s[k].isupper() and s[k - 1].islower():
            a, b = s[:k], s[k:]
            if a.lower() in _LEX_SYLL and b.lower() in _LEX_SYLL and len(a) >= 2 and len(b) >= 2 \
                    and (any(c in _VN_CHARS for c in s.lower()) or len(a) >= 3):
                return [a] + _split_glued(b)
            return [s]
        if s[k].isupper() and s[k - 1].isupper() and k + 1 < len(s) and s[k + 1].islower():
            a, b = s[:k], s[k:]
            if len(a) >= 2 and b.lower() in _LEX_SYLL and any(c in _VN_CHARS for c in b.lower()):
                return [a] + _split_glued(b)
    return [s]


_GLUE_TAILS = {"tại", "cho", "đã", "là", "và", "của", "với", "được", "có", "không", "này", "để", "khi",
               "từ", "trong", "nghỉ", "rà", "đang", "sẽ", "bị", "các", "những", "một", "theo", "về", "ra",
               "vào", "năm", "ngày", "sau", "trước", "cùng", "như", "thì", "mà", "nên", "vì", "do", "tới", "đến"}


def _split_lower_glued(s: str) -> list[str]:
    """"chínhrà" -> "chính" "rà" (a syllable and a common word that lost the space between)."""
    for k in range(len(s) - 2, 1, -1):
        a, b = s[:k], s[k:]
        if b in _GLUE_TAILS and a in _LEX_SYLL:
            return [a, b]
    return [s]


def _build_para(tokens: list[str]) -> _Para:
    """A paragraph's pyvi tokens (or syllables) as a _Para: glued words split, known
    abbreviations expanded ("TP." "HCM" -> "Thành phố Hồ Chí Minh")."""
    get = _TOKEN_INFO.get
    infos = [get(t) or _token_info(t) for t in tokens]
    if any(map(_GLUED, infos)):  # words glued by a crawler: split them first
        tokens = [x for t, e in zip(tokens, infos) for x in (_split_glued(t) if e[6] else (t,))]
        infos = [get(t) or _token_info(t) for t in tokens]
    if any(map(_ABBR_START, infos)):
        infos = _expand_abbreviations(tokens, infos)
    text: list[str] = []
    key: list[str] = []
    cap: list[int] = []
    tokcap: list[bool] = []
    cont: list[bool] = []
    for sylls, keys, caps, tokcaps, conts, _, _ in infos:
        text += sylls
        key += keys
        cap += caps
        tokcap += tokcaps
        cont += conts
    return _Para(text, key, cap, tokcap, cont)


def _expand_abbreviations(tokens: list[str], infos: list[tuple]) -> list[tuple]:
    """infos with each known abbreviation over up to 6 tokens ("TP." "HCM", "GD" "&" "ĐT")
    in place of its tokens."""
    out = []
    n = len(tokens)
    i = 0
    while i < n:
        if infos[i][5]:
            acc = ""
            best = None
            for j in range(i, min(n, i + 6)):
                acc += tokens[j].replace("_", "")
                if acc not in _ABBR_PREFIX:
                    break
                if acc in _ABBR:
                    best = (j, acc)
            if best is not None:
                out.append(_ABBR_INFO[best[1]])
                i = best[0] + 1
                continue
        out.append(infos[i])
        i += 1
    return out


def _group_info(sylls: list[str]) -> tuple:
    """What _build_para needs of syllables that form one pyvi word."""
    caps = [_syllable_cap(s) for s in sylls]
    return (sylls, [_key(s) for s in sylls], caps, [all(caps)] * len(sylls),
            [k > 0 for k in range(len(sylls))], False, False)


_ABBR_INFO = {k: _group_info(v) for k, v in _ABBR.items()}  # expansions, as one word

# What _build_para needs of a token, which depends on the token alone: its syllables,
# their keys, caps, tokcaps and conts (as in _Para), whether it may start an
# abbreviation, and whether it is words glued together.
_TOKEN_INFO: dict[str, tuple] = {}
_EMPTY_INFO = ([], [], [], [], [], False, False)
_ABBR_START, _GLUED = itemgetter(5), itemgetter(6)


def _token_info(t: str) -> tuple:
    if not t:
        return _EMPTY_INFO
    abbr = glued = False
    if t[0].isupper():
        abbr = t.replace("_", "") in _ABBR_PREFIX
        glued = (len(t) >= 4 and "_" not in t and not t.isupper() and not t.islower()
                 and len(_split_glued(t)) > 1)
    sylls, groups = [], []
    g = 0
    for s in (t.split("_") if "_" in t and len(t) > 1 else (t,)):
        if not s:
            continue
        if len(s) == 2 and s[1] == "." and s[0].isupper():
            # "S." -> "S" "." (an initial; the dot may close the sentence)
            sylls += (s[0], ".")
            groups += (g, g + 1)
            g += 1
            continue
        if len(s) > 4 and not s.isupper() and (not s.islower() or (
                s not in _LEX_SYLL and any(c in _VN_CHARS for c in s))):
            parts = _split_glued(s) if not s.islower() else _split_lower_glued(s)
            if len(parts) > 1:
                for x in parts:
                    sylls.append(x)
                    groups.append(g)
                    g += 1
                continue
        sylls.append(s)
        groups.append(g)
    if g == 0:  # one pyvi word, as almost every token is
        entry = _group_info(sylls)
    else:
        caps = [_syllable_cap(s) for s in sylls]
        tokcaps = []
        for _, group in groupby(range(len(sylls)), key=groups.__getitem__):
            group = list(group)
            tokcaps += [all(caps[k] for k in group)] * len(group)
        conts = [k > 0 and groups[k] == groups[k - 1] for k in range(len(sylls))]
        entry = (sylls, [_key(s) for s in sylls], caps, tokcaps, conts)
    if len(_TOKEN_INFO) >= 200_000:
        _TOKEN_INFO.clear()
    entry = _TOKEN_INFO[t] = entry[:5] + (abbr, glued)
    return entry


def _is_caps_para(tokens: list[str]) -> bool:
    """An all-caps paragraph (headline, byline): its words carry no case information."""
    s = "".join(tokens)
    if not s.isupper() or len(s) < 8:
        return False
    return sum(1 for t in tokens if len(t) > 1 and t.isupper() and t.isalpha()) >= 3


def _sentence_start(p: _Para, i: int) -> bool:
    return i == 0 or p.text[i - 1] in _SENT_END


def _match(keys, i: int, n: int, table, maxlen: int):
    """Longest entry of `table` (tuples of keys) starting at i -> (length, value) or None."""
    for L in range(min(maxlen, n - i), 0, -1):
        v = table.get(tuple(keys[i:i + L]))
        if v is not None:
            return L, v
    return None


def _tok_end(p: _Para, i: int) -> int:
    j = i + 1
    while j < p.n and p.cont[j]:
        j += 1
    return j


# --------------------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------------------

def _match_level(p: _Para, i: int):
    """An administrative level word at i -> (length, level) or None."""
    if i >= p.n:
        return None
    k = p.key[i]
    if k in _LEVEL1:
        return (1, k) if p.cap[i] != 2 else None
    if i + 1 < p.n:
        lv = _LEVELS.get((k, p.key[i + 1]))
        if lv:
            return 2, lv
    return None


def _person_like_at(p: _Para, i: int) -> bool:
    """Does a person's name (surname + given names, 2+ syllables) start at i?"""
    if p.cap[i] != 1 or p.key[i] not in _SURNAMES:
        return False
    j = i
    while j < p.n and p.cap[j] == 1 and p.tokcap[j]:
        j += 1
    if j - i < 2:
        return False
    if _match(p.key, i, p.n, _PROV, 4) or tuple(p.key[i:j]) in _PLACES:
        return False
    return True


def _place_after(p: _Para, i: int):
    """A place name at i (a province, a known place, or 1-2 capitalised words, or a number)
    -> its end index, or None."""
    n = p.n
    if i >= n:
        return None
    s = p.text[i]
    if s[0].isdigit():
        if len(s) <= 3 and s.isdigit():
            return i + 1
        return None
    if p.cap[i] != 1:
        return None
    m = _match(p.key, i, n, _PROV, 5)
    if m is None and p.key[i] in _PLACE_FIRST:
        m = _match(p.key, i, n, {k: 1 for k in _PLACES if k[0] == p.key[i]}, _PLACE_MAX)
    if m is not None:
        return i + m[0]
    if p.key[i] in _FUNC:
        return None
    j = _tok_end(p, i)
    if not all(p.cap[k] == 1 for k in range(i, j)):
        return None
    # a second capitalised word: "Tam_Mỹ Tây", "Đắk Ha", "Đắk G'Long"
    while j < n and j - i < 4 and p.cap[j] == 1 and p.tokcap[j]:
        if p.key[j] in _FUNC or _person_like_at(p, j):
            break
        j2 = _tok_end(p, j)
        if j2 - i > 4:
            break
        j = j2
    return j


# --------------------------------------------------------------------------------------
# Agencies
# --------------------------------------------------------------------------------------

class _Org:
    __slots__ = ("start", "end", "parts", "parse", "flags", "level", "place", "head")

    def __init__(self, start, end, parts, parse, flags, level=None, place=None, head=None):
        self.start, self.end, self.parts = start, end, parts
        self.parse, self.flags, self.level, self.place, self.head = parse, flags, level, place, head


def _head_at(p: _Para, i: int):
    if p.key[i] not in _HEAD_FIRST or (i > 0 and p.cont[i] and p.cap[i] == 0):
        return None
    m = _match(p.key, i, p.n, _HEADS, _HEAD_MAX)
    if m is None:
        return None
    L, (parse, flags, canon) = m
    e = i + L
    # the head must end at a pyvi word boundary ("Trường_hợp" is no head) unless a
    # capitalised syllable or an organisation word follows inside the word ("Sở_Y_tế",
    # "Tổ_phòng_chống")
    if e < p.n and p.cont[e] and p.cap[e] == 0:
        te = _tok_end(p, e)
        if tuple(p.key[e:te]) not in _ORG_WORDS:
            return None
    # capitalised, except "công an xã X", "ủy ban nhân dân huyện Y" with an explicit place,
    # and "phòng Cảnh sát ...", "bệnh viện 115", "công ty Bảo Minh" before a capitalised name
    if p.cap[i] == 0:
        if parse == "local":
            lv = _match_level(p, e)
            if not lv or _place_after(p, e + lv[0]) is None:
                return None
        elif " ".join(p.key[i:e]) in _LC_HEADS and e < p.n:
            if p.cap[e] == 0 and not (p.text[e].isdigit() and canon[0] == "Bệnh"):
                return None
            if p.cap[e] and (p.key[e] in _FUNC or _person_like_at(p, e) or p.text[e] in _FIXED_FIRST
                             or (_match(p.key, e, p.n, _PLACES_D, _PLACE_MAX) and canon[0] not in ("Quân",))):
                return None
        elif p.key[i] == "phòng" and e + 1 < p.n and p.key[e] in ("cảnh", "pc") and p.cap[e]:
            pass
        else:
            return None
    return L, parse, flags, canon


def _read_place(p: _Para, e: int):
    """Level + place, or a bare province, at e -> (end, level, place syllables) or None."""
    lv = _match_level(p, e)
    if lv:
        end = _place_after(p, e + lv[0])
        if end is not None:
            return end, lv[1], p.text[e + lv[0]:end]
        return e + lv[0], lv[1], None
    if e < p.n and p.cap[e] == 1:
        m = _match(p.key, e, p.n, _PROV, 5)
        if m:
            return e + m[0], None, p.text[e:e + m[0]]
    return None


def _org_at(p: _Para, i: int, depth: int = 0):
    """Read an organisation's name starting at i -> _Org or None."""
    h = _head_at(p, i)
    if h is None:
        return None
    L, parse, flags, canon = h
    n = p.n
    e = i + L
    parts = list(canon)
    if parse == "fixed":
        return _Org(i, e, parts, parse, flags, head=canon)
    if parse in ("local", "party"):
        if e + 1 < n and p.key[e] == "việt" and p.key[e + 1] == "nam" and canon[-1] in ("quốc", "Quốc", "MTTQ"):
            parts += ["Việt", "Nam"]
            e += 2
        level = place = None
        r = _read_place(p, e)
        if r is not None:
            end, level, place = r
            if level:
                parts.append(level)
            if place:
                parts += place
            e = end
        elif parse == "party" or canon[0] != "Công":
            # "Tỉnh ủy Lâm Đồng", "Tòa án nhân dân Trung cấp Thâm Quyến"
            j = e
            while j < n and p.cap[j] in (1, 2) and j - e < 5 and p.key[j] not in _FUNC and not _person_like_at(p, j):
                j = _tok_end(p, j)
            if j > e:
                place = p.text[e:j]
                parts += place
                e = j
                r2 = _read_place(p, e)
                if r2 is not None and r2[2]:
                    parts += ([r2[1]] if r2[1] else []) + r2[2]
                    e = r2[0]
        if place is None and level is None and parse == "local" and "prov" not in flags:
            if canon[0] == "Công" and e < n and p.cap[e] == 2 and p.text[e] == "HN":
                pass
            return _Org(i, e, parts, "bare", flags, head=canon)
        return _Org(i, e, parts, parse, flags, level, place, head=canon)
    # ---- name-type heads
    if "mgmt" in flags:
        return _Org(i, e, parts, "name", flags, head=canon)
    if "school" in flags:
        if e >= n or not _match(p.key, e, n, _SCHOOL_KINDS, _SCHOOL_MAX):
            return None
    if canon == ["Hội"] and e < n:
        # "Hội Nông dân", "Hội Khoa học ...": a common-noun word must follow (not "Hội An")
        if p.cap[e] != 2 and (p.cap[e] == 0 or " ".join(p.key[e:e + 2]) not in _LEXICON):
            return None
    if canon[0] in ("Bộ", "Sở") and len(canon) == 1 and e < n:
        mm = _match(p.key, e, n, _MINISTRIES, _MIN_MAX)
        if mm and p.cap[i] == 0 and p.key[i] == "bộ" and p.cap[e] == 0:
            mm = None
        if mm and p.cap[e] != 0:
            parts += _syll_split(mm[1])
            e += mm[0]
            level = place = None
            r = _read_place(p, e)
            if r is not None and (r[2] or r[1]):
                e, level, place = r
                if level:
                    parts.append(level)
                if place:
                    parts += place
            elif e < n and p.cap[e] == 1:
                # "Bộ Ngoại giao Mỹ", "Bộ Quốc phòng Israel"
                m = _match(p.key, e, n, {k: 1 for k in _PLACES if k[0] == p.key[e]}, _PLACE_MAX) \
                    if p.key[e] in _PLACE_FIRST else None
                if m:
                    place = p.text[e:e + m[0]]
                    parts += place
                    e += m[0]
            return _Org(i, e, parts, "ministry", flags, level, place, head=canon)
    start_e = e
    j = e
    last_cap_lex = True   # the last capitalised word is a common word ("Cảnh sát"), not a proper name
    named = "prov" not in flags and "sub" not in flags and canon[0] not in ("Sở", "Cục", "Tổng", "Vụ", "Viện", "Ủy", "Hội", "Ban", "Chi")
    last = e          # end of the name read so far
    parts_skip: list = []
    ntok = 0          # name words read
    after_place = False
    level = place = None
    while j < n:
        c = p.cap[j]
        s = p.text[j]
        if c:
            if after_place:
                break
            if True:
                mo = _match(p.key, j, n, _ORG_WORDS, _ORG_WORDS_MAX)
                if mo and mo[0] >= 3:
                    j += mo[0]
                    last = j
                    ntok += 1
                    last_cap_lex = True
                    continue
            if ntok and c == 1 and (_ends_with_place(p, start_e, j) or (
                    p.cap[j - 1] == 2 and p.text[j - 1] in _FIXED_FIRST)) and \
                    not _match(p.key, j, n, _ORG_WORDS, _ORG_WORDS_MAX):
                break  # "... Liên quân Mỹ Dan Caine", "học viện MU Stephen Torpey"
            if ntok and p.key[j] in _HEAD_FIRST and _head_at(p, j) is not None:
                break  # a parent body: read by the caller
            if ntok and _person_like_at(p, j) and (_ends_with_place(p, start_e, j) or (
                    p.cap[j - 1] == 2 and p.text[j - 1] in _FIXED_FIRST) or p.key[j - 1] in ("ương",)):
                break
            if ntok and c == 1 and _ends_with_place(p, start_e, j) and not p.tokcap[j - 1] is False:
                # "Bộ Ngoại giao Mỹ Heather Nauert": nothing after a country
                if tuple(p.key[j - 1:j]) in _PLACES or _ends_with_place(p, start_e, j):
                    break
            if c == 1 and p.key[j] in _FUNC and p.tokcap[j] and _tok_end(p, j) == j + 1 and ntok:
                break
            j2 = _tok_end(p, j)
            last_cap_lex = c == 2 or " ".join(p.key[j:j2]) in _LEXICON or (
                j2 - j == 1 and p.key[j] in _LEX_SYLL and p.key[j] not in _GIVEN)
            j = j2
            last = j
            ntok += 1
            continue
        if s[0].isdigit():
            if len(s) <= 4 and s.isdigit() and j == last and (ntok == 0 or p.cap[j - 1] or p.key[j - 1] in ("sở",)):
                j += 1
                last = j
                ntok += 1
                continue
            break
        lv = _match_level(p, j)
        if lv:
            end = _place_after(p, j + lv[0])
            if end is not None and named and ntok and not last_cap_lex and last == j:
                break  # "Bệnh viện Chợ Rẫy TP Hồ Chí Minh" -> "Bệnh viện Chợ Rẫy"
            if end is not None and (ntok or j == start_e):
                level, place = lv[1], p.text[j + lv[0]:end]
                j = end
                last = j
                after_place = True
                ntok += 1
                continue
            break
        if s in ("và", "&", "-", "–") and ntok and j == last and j + 1 < n and p.cap[j + 1] \
                and _head_at(p, j + 1) is None and not after_place:
            j += 1
            continue
        if s == "(" and ntok and j == last and j + 3 < n and p.cap[j + 1] == 2 and p.text[j + 2] == ")" \
                and p.cap[j + 3] == 0 and _match(p.key, j + 3, n, _ORG_WORDS, _ORG_WORDS_MAX):
            del_span = (j, j + 3)
            parts_skip.append(del_span)
            j += 3
            continue
        if s == "," and ntok and j == last and j + 1 < n and p.cap[j + 1] == 1:
            # "Cứu nạn, cứu hộ" / "Văn hóa, Thể thao và Du lịch" style lists
            m = _match(p.key, j + 1, n, _ORG_WORDS, _ORG_WORDS_MAX)
            if m and j + 1 + m[0] < n and p.key[j + 1 + m[0]] in ("và",):
                j += 1
                continue
            break
        if c == 0 and s[0].isalpha() and not after_place:
            m = _match(p.key, j, n, _ORG_WORDS, _ORG_WORDS_MAX)
            if m:
                L2, need = m
                k = j + L2
                if need:
                    # needs another org word or a capitalised word after it
                    if k < n and (p.cap[k] or _match(p.key, k, n, _ORG_WORDS, _ORG_WORDS_MAX)):
                        j = k
                        continue
                    break
                j = k
                if ntok and not last_cap_lex and named:
                    continue  # "Tập đoàn Hòa Phát đầu tư ...": kept only if a capitalised word follows
                last = j
                ntok += 1
                continue
            # "cứu nạn, cứu hộ"
            if s == "," and ntok:
                break
            break
        break
    if ntok == 0:
        return None
    if "school" in flags:
        mk = _match(p.key, start_e, n, _SCHOOL_KINDS, _SCHOOL_MAX)
        if mk and start_e + mk[0] >= last:
            return None  # "Trường tiểu học" alone
    # a dangling connector
    e = last
    while e > start_e and p.text[e - 1] in ("và", "&", "-", "–", ","):
        e -= 1
    if parts_skip:
        for k in range(start_e, e):
            if not any(a <= k < b for a, b in parts_skip):
                parts.append(p.text[k])
    else:
        parts += p.text[start_e:e]
    return _Org(i, e, parts, "name", flags, level, place, head=canon)


def _ends_with_place(p: _Para, a: int, j: int) -> bool:
    """Do the syllables before j (from a) end with a known place or country?"""
    for L in (1, 2, 3):
        if j - L >= a and tuple(p.key[j - L:j]) in _PLACES:
            return True
    return False


def _u_team(p: _Para, i: int):
    """Age-group sides: "U23 Việt Nam", "U.22 Việt Nam", "U-19 Việt Nam", "U21 MU"."""
    s = p.text[i]
    n = p.n
    num = None
    e = i + 1
    if len(s) in (3, 4) and s[0] == "U" and s[1:].isdigit():
        num = s[1:]
    elif s == "U" and i + 2 < n and p.text[i + 1] in (".", "-") and p.text[i + 2].isdigit():
        num = p.text[i + 2]
        e = i + 3
    elif s == "U." and i + 1 < n and p.text[i + 1].isdigit():
        num = p.text[i + 1]
        e = i + 2
    if num is None or not (2 <= len(num) <= 2) or e >= n or not p.cap[e]:
        return None
    f = _match_fixed(p, e)
    if f:
        return e + f[0], ["U" + num] + _syll_split(f[1])
    m = _match(p.key, e, n, {k: 1 for k in _PLACES if k[0] == p.key[e]}, _PLACE_MAX) if p.key[e] in _PLACE_FIRST else None
    if m:
        return e + m[0], ["U" + num] + p.text[e:e + m[0]]
    return None


def _match_fixed(p: _Para, i: int):
    if p.text[i] not in _FIXED_FIRST:
        return None
    for L in range(min(_FIXED_MAX, p.n - i), 0, -1):
        v = _FIXED.get(tuple(p.text[i:i + L]))
        if v is not None:
            e = i + L
            if e < p.n and p.cont[e] and p.cap[e] == 0:
                return None
            return L, v
    return None


def _join(parts: list[str]) -> str:
    out = ""
    for s in parts:
        if not out:
            out = s
        elif s in (",", ".", ")") or out.endswith(("(", "/")) or s == "/":
            out += s
        else:
            out += " " + s
    return out


def _find_agencies(p: _Para, used: list[bool], found: list):
    """Append (kind, _Org-or-text) records in order of mention."""
    n = p.n
    i = 0
    while i < n:
        if used[i]:
            i += 1
            continue
        c = p.cap[i]
        k = p.key[i]
        if c == 0 and k not in _LC_FIRST:
            i += 1
            continue
        if c and p.text[i][0] == "U":
            u = _u_team(p, i)
            if u:
                e, parts = u
                for x in range(i, e):
                    used[x] = True
                found.append(("org", _Org(i, e, parts, "fixed", frozenset())))
                i = e
                continue
        if c:
            f = _match_fixed(p, i)
            if f is not None:
                L, v = f
                e = i + L
                parts = _syll_split(v)
                # "Chính phủ Myanmar", "Quốc hội Mỹ", "Quân đội Israel"
                if v in ("Chính phủ", "Quốc hội") and e < n and p.cap[e] == 1 and p.key[e] in _PLACE_FIRST:
                    m = _match(p.key, e, n, {kk: 1 for kk in _PLACES if kk[0] == p.key[e]}, _PLACE_MAX)
                    if m:
                        parts += p.text[e:e + m[0]]
                        e += m[0]
                # part of a longer capitalised name ("Samsung Galaxy") -> not the body
                if e < n and p.cap[e] == 1 and p.tokcap[e] and v not in ("Chính phủ", "Quốc hội") \
                        and v[0].isupper() and not p.text[e] in ("FC",) and _fixed_blocked(p, e):
                    i = e
                    continue
                # "Goldman Sachs Group Inc", "Deutsche Bank AG", "Hà Nội FC"
                while e < n and p.cap[e] and p.text[e].lower() in _FOREIGN_ORG_WORDS and p.text[e] != "City":
                    parts = parts + [p.text[e]]
                    e += 1
                if e < n and p.text[e] == "." and parts[-1] in ("Inc", "Corp", "Co", "Ltd"):
                    e += 1
                for x in range(i, e):
                    used[x] = True
                found.append(("org", _Org(i, e, parts, "fixed", frozenset())))
                i = e
                continue
        o = _org_at(p, i)
        if o is None:
            i += 1
            continue
        chain = [o]
        e = o.end
        # parent bodies: "Phòng Cảnh sát hình sự Công an tỉnh Bến Tre",
        # "Khoa sơ sinh Bệnh viện Phụ sản Hải Phòng", "Ủy ban Kiểm tra Thị ủy Điện Bàn"
        while len(chain) < 4 and e < n:
            j = e
            if p.text[j] in ("-", "–", ",") and j + 1 < n and "sub" in chain[-1].flags:
                j += 1
            if j < n and p.cap[j]:
                par = _org_at(p, j)
                if par is not None and par.parse != "bare" and "sub" not in par.flags and (
                        chain[-1].parse not in ("local", "party", "ministry") or "sub" in chain[-1].flags
                        or chain[-1].place is None):
                    if chain[-1].parse in ("local", "party") and chain[-1].place is not None:
                        break
                    if chain[-1].parse == "ministry" and chain[-1].place is not None:
                        break
                    chain.append(par)
                    e = par.end
                    continue
                if par is None:
                    f = _match_fixed(p, j) if p.cap[j] else None
                    if f and "sub" in chain[-1].flags or (f and "mgmt" in chain[-1].flags):
                        chain.append(_Org(j, j + f[0], _syll_split(f[1]), "fixed", frozenset()))
                        e = j + f[0]
                        continue
            break
        for x in range(i, e):
            used[x] = True
        found.append(("chain", chain))
        # "Đảng ủy - UBND xã Gio Linh": a bare body shares the next one's place
        if len(chain) == 1 and o.parse in ("bare", "party") and o.place is None and o.level is None \
                and e + 1 < n and p.text[e] in ("-", "–", "và", ","):
            nxt = _org_at(p, e + 1)
            if nxt is not None and nxt.place is not None and nxt.parse in ("local", "party"):
                o.parts = o.parts + ([nxt.level] if nxt.level else []) + list(nxt.place)
                o.place, o.level, o.parse = nxt.place, nxt.level, "local"
        i = e


def _fixed_blocked(p: _Para, e: int) -> bool:
    """A product-like word after a one-word fixed name ("Samsung Galaxy", "Apple Watch")
    makes it part of a longer name."""
    if p.cont[e]:
        return True
    return p.key[e] in _NOT_PERSON_WORDS and p.key[e] not in _FOREIGN_ORG_WORDS


# --------------------------------------------------------------------------------------
# Persons
# --------------------------------------------------------------------------------------

def _title_before(p: _Para, i: int) -> bool:
    for L in range(1, min(_TITLE_MAX, i) + 1):
        if tuple(p.key[i - L:i]) in _TITLES:
            return True
    return False


def _place_head_before(p: _Para, i: int) -> bool:
    for L in range(1, min(_PLACE_HEAD_MAX, i) + 1):
        if tuple(p.key[i - L:i]) in _PLACE_HEADS:
            return True
    return False


def _is_foreign(s: str) -> bool:
    low = s.lower()
    if low in _GIVEN or low in _SURNAMES:
        return False
    return low not in _LEX_SYLL or any(c in low for c in "fjwz")


class _Mention:
    __slots__ = ("name", "titled", "vn", "para", "pos")

    def __init__(self, name, titled, vn, para, pos):
        self.name, self.titled, self.vn, self.para, self.pos = name, titled, vn, para, pos


def _find_persons(p: _Para, used: list[bool], out: list, pi: int, raw: str):
    n = p.n
    i = 0
    while i < n:
        if used[i] or p.cap[i] != 1 or not p.tokcap[i]:
            i += 1
            continue
        j = i
        parts: list[str] = []
        while j < n and not used[j] and p.cap[j] == 1 and p.tokcap[j]:
            s = p.text[j]
            # initials: "Nguyễn Đ.H", "Nguyễn T.X", "J.B Brindle"
            if len(s) == 1 and j + 2 < n and p.text[j + 1] == "." and p.cap[j + 2] == 1 and len(p.text[j + 2]) == 1:
                parts.append(s + "." + p.text[j + 2])
                j += 3
                continue
            if len(s) == 1 and j + 1 < n and p.text[j + 1] == "." and j + 2 < n and p.cap[j + 2] == 1 \
                    and p.tokcap[j + 2] and (s + "." + p.text[j + 2]) in raw:
                parts.append(s + ".")
                j += 2
                continue
            parts.append(s)
            j += 1
            # hyphenated names: "Al-Thani", "Moon Jae-in", "Kim Sang-sik"
            if j + 1 < n and p.text[j] == "-" and p.text[j + 1][0].isalpha() and not used[j + 1]:
                cand = parts[-1] + "-" + p.text[j + 1]
                if cand in raw and (p.cap[j + 1] == 1 or len(p.text[j + 1]) <= 4):
                    parts[-1] = cand
                    j += 2
        _person_run(p, i, j, parts, out, pi)
        i = max(j, i + 1)


def _person_run(p: _Para, i: int, j: int, parts: list[str], out: list, pi: int):
    """Decide whether the capitalised run p[i:j] (display syllables `parts`) names a person."""
    titled = _title_before(p, i)
    sent = _sentence_start(p, i)
    keys = [_key(x) for x in parts]
    # leading capitalised titles ("Ông Nguyễn Văn A", "Tổng thống Donald Trump" is mixed case)
    k0 = 0
    while k0 < len(keys):
        hit = 0
        for L in range(min(_TITLE_MAX, len(keys) - k0 - 1), 0, -1):
            if tuple(keys[k0:k0 + L]) in _TITLES:
                hit = L
                break
        if not hit:
            break
        k0 += hit
        titled = True
        sent = False
    # a leading sentence opener / function word ("Theo", "Trong", "Sau")
    while k0 < len(keys) and (keys[k0] in _FUNC or (sent and keys[k0] not in _SURNAMES and keys[k0] in _LEXICON
                                                    and k0 + 1 < len(keys) and i + k0 + 1 < p.n and not p.cont[i + k0 + 1])):
        if keys[k0] in _SURNAMES and keys[k0] not in _FUNC:
            break
        k0 += 1
        sent = False
        titled = titled or _title_before_keys(keys, k0)
    parts, keys = parts[k0:], keys[k0:]
    start = i + k0
    # a country or place written before the name: "Thái Lan Arkhom ...", "Mỹ Donald Trump"
    if len(keys) >= 2:
        for L in range(min(_PLACE_MAX, len(keys) - 1), 0, -1):
            if tuple(keys[:L]) in _PLACES:
                parts, keys = parts[L:], keys[L:]
                titled = True  # "Ngoại trưởng Mỹ X", "Thủ tướng Thái Lan X"
                break
    # cut at a function word inside the run ("Trần Văn Sinh Vài ...")
    for k in range(1, len(keys)):
        if keys[k] in _FUNC and keys[k] not in _GIVEN and start + k < p.n and not p.cont[start + k]:
            parts, keys = parts[:k], keys[:k]
            break
    if not parts:
        return
    tk = tuple(keys)
    if tk in _PLACES or tk in _NOT_NAMES:
        return
    if (_place_head_before(p, start) and not titled) or _place_head_before(p, i):
        return
    # a known organisation written before the name: "Everton Bill Kenwright"
    if len(parts) >= 3:
        for L in range(min(_FIXED_MAX, len(parts) - 2), 0, -1):
            if tuple(parts[:L]) in _FIXED:
                parts, keys = parts[L:], keys[L:]
                break
    # only initials ("N", "P.A", "Đ.N.P") -> not a name
    if all(len(x.replace(".", "").replace("-", "")) <= 2 and x.replace(".", "").isupper() or len(x) == 1 for x in parts):
        return
    if len(parts) > 5:
        if keys[0] in _SURNAMES:
            parts, keys = parts[:4], keys[:4]
        else:
            return
    lows = [x.lower() for x in parts]
    if any(w in _NOT_PERSON_WORDS for w in lows):
        return
    f0 = parts[0]
    vn = keys[0] in _SURNAMES or not (
        (_is_foreign(f0) or (f0.isascii() and keys[0] not in _GIVEN)) and _is_foreign(parts[-1]))
    first = keys[0]
    ok = False
    if titled:
        ok = len(parts) <= 5
        if len(parts) == 1:
            # a lone given name or surname: only after a personal honorific ("anh Hải", "bầu Đức",
            # "HLV Jesus", "ông Trump")
            ok = _honorific_before(p, start) and (keys[0] in _GIVEN or (_is_foreign(parts[0]) and not vn_single_common(keys[0])))
    elif first in _SURNAMES and 2 <= len(parts) <= 5:
        ok = first not in _WEAK_SURNAMES or len(parts) >= 3
        if ok and len(parts) == 2 and _match(keys, 0, len(keys), _PROV, 3):
            ok = False
    elif not vn and 2 <= len(parts) <= 4:
        ok = not any(x in _FOREIGN_ORG_WORDS for x in lows)
    elif vn and len(parts) == 2 and all(k in _GIVEN for k in keys) and " ".join(keys) not in _LEXICON:
        ok = "maybe"   # "Công Phượng": a given-name pair, kept if repeated or resolved
    if not ok:
        return
    # trailing place: "Nguyễn Văn A Hà Nội"
    if len(keys) >= 4:
        for L in (2, 3):
            if tuple(keys[-L:]) in _PROV and len(keys) - L >= 2:
                parts = parts[:-L]
                break
    name = " ".join(parts).rstrip(".")
    out.append(_Mention(name, titled if ok is True else "maybe", vn, pi, start))


_HONORIFICS = {("ông",), ("bà",), ("anh",), ("chị",), ("em",), ("cô",), ("chú",), ("bác",), ("cụ",),
               ("cháu",), ("bé",), ("bầu",), ("hlv",), ("ngài",), ("thầy",), ("tiền", "vệ"), ("tiền", "đạo"),
               ("hậu", "vệ"), ("trung", "vệ"), ("thủ", "môn"), ("tổng", "thống"), ("thủ", "tướng"),
               ("ca", "sĩ"), ("danh", "thủ"), ("cầu", "thủ"), ("tay", "vợt"), ("võ", "sĩ"), ("mr",), ("đối", "tượng"),
               ("nghi", "phạm"), ("bị", "cáo"), ("bị", "can"), ("nạn", "nhân"), ("tên",), ("gã",), ("lão",),
               ("huấn", "luyện", "viên"), ("chiến", "lược", "gia"), ("ngôi", "sao"), ("siêu", "sao")}


def _honorific_before(p: _Para, i: int) -> bool:
    k = i
    # "Ông", capitalised inside the run
    for L in (1, 2, 3):
        if k - L >= 0 and tuple(p.key[k - L:k]) in _HONORIFICS:
            return True
    return False


def vn_single_common(k: str) -> bool:
    return k in _LEX_SYLL or k in _NOT_PERSON_WORDS


def _title_before_keys(keys, k0) -> bool:
    for L in range(1, min(_TITLE_MAX, k0) + 1):
        if tuple(keys[k0 - L:k0]) in _TITLES:
            return True
    return False


# --------------------------------------------------------------------------------------
# Article level
# --------------------------------------------------------------------------------------

# Credits ("Ảnh: ...") and sources ("Theo ...") follow the start of the text or a delimiter.
# Each is compiled twice, for the start and after a delimiter: a pattern that begins with
# a character class lets re skip ahead quickly, one that begins with (?:^|[...]) does not.
_CREDIT_WORDS = (
    r"(?:Ảnh|Ảnh minh họa|Ảnh minh hoạ|Video|Clip|Nguồn|Đồ họa|Đồ hoạ|Bài và ảnh|Bài, ảnh|"
    r"Bài|Tin, ảnh|Tin và ảnh|Thực hiện|Trình bày|Thiết kế|Tổng biên tập|Phó tổng biên tập|Phó Tổng biên tập|"
    r"Tổng thư ký tòa soạn|Tổng thư ký toà soạn|Biên tập|BTV|Dịch|Lược dịch)\s*[:]\s*([^\n.;()\[\]]{2,60})")
_CREDIT_AT_START = re.compile(_CREDIT_WORDS)
_CREDIT_RE = re.compile(r"[\s(.\[/–-]" + _CREDIT_WORDS)
_CREDIT2_RE = re.compile(r"\((?:Ảnh|Nguồn)\s*:?\s*([^)]{2,60})\)")
_THEO_END = r"(?:Theo|Nguồn|PV|Nhóm PV)\s+([^\n.;()]{2,60})(?:\([^)]*\))?\s*[./]*\s*$"
_THEO_END_AT_START = re.compile(_THEO_END)
_THEO_END_RE = re.compile(r"[\s.(]" + _THEO_END)
_SLASH_CREDIT = re.compile(r"([A-ZĐÀ-Ỹ][^\s/.,;()]*(?:\s+[A-ZĐÀ-Ỹ][^\s/.,;()]*){0,3})\s*/\s*[A-Z]")


def _excluded_names(body: str, author) -> set[str]:
    ex: set[str] = set()
    if author:
        a = unicodedata.normalize("NFC", str(author)).strip()
        for part in re.split(r"[,;&/]| và | - ", a):
            part = part.strip(" .")
            if part:
                ex.add(part.lower())
    first = _CREDIT_AT_START.match(body)
    credits = [first] if first else []
    credits += _CREDIT_RE.finditer(body, first.end() if first else 0)
    for m in credits + list(_CREDIT2_RE.finditer(body)):
        ex.add(m.group(1).strip(" .-").lower())
        for part in re.split(r"[,;&-]| và ", m.group(1)):
            part = part.strip(" .")
            if part:
                ex.add(part.lower())
    lines = [l.strip() for l in body.split("\n") if l.strip()]
    for last in lines[-3:]:
        m = _THEO_END_AT_START.match(last) or _THEO_END_RE.search(last)
        if m:
            ex.add(m.group(1).strip(" .-").lower())
    if lines:
        last = lines[-1]
        # "Mai Liên/VOV-Trung tâm Tin"
        for m in _SLASH_CREDIT.finditer(last[-200:]):
            ex.add(m.group(1).strip().lower())
        # a last line that is a short name (byline), or the last short "sentence" of it
        tail = re.split(r"(?<=[.!?”\"])\s+", last)[-1].strip()
        tail = re.sub(r"\s*\([^)]*\)\s*$", "", tail).strip(" .-")
        tail = re.sub(r"^(?:Theo|Nguồn|Bài|Ảnh|PV)\s*:?\s*", "", tail)
        tail = re.split(r"\s*[/-]\s*", tail)[0] if "/" in tail else tail
        if 1 <= len(tail.split()) <= 5 and not re.search(r"[,:;!?\"“”]", tail):
            ex.add(tail.lower())
    return ex


def _choose_province(prov_counts: dict, level: str | None):
    """The article's province for a bare body ("Công an tỉnh"), when it is unambiguous."""
    items = list(prov_counts.items())
    if level in ("tỉnh", "thành phố"):
        same = [(k, v) for k, v in items if k[1] == level]
        if same:
            items = same
    if not items:
        return None
    items.sort(key=lambda kv: -kv[1])
    if len(items) == 1 or items[0][1] >= 2 * items[1][1]:
        return items[0][0]
    return None


def _count_place(prov_counts: dict, level, place, w: int):
    if not place:
        return
    key = tuple(_key(s) for s in place)
    pv = _PROV.get(key)
    if pv is not None:
        if level in (None, "tỉnh", "thành phố"):
            prov_counts[pv] = prov_counts.get(pv, 0) + w
    elif level in ("tỉnh", "thành phố"):
        pv = (" ".join(place), level)
        prov_counts[pv] = prov_counts.get(pv, 0) + w


def _count_places(p: _Para, prov_counts: dict):
    keys = p.key
    for i in range(p.n):
        if p.cap[i] != 1 or keys[i] not in _PROV_FIRST:
            continue
        m = _match(keys, i, p.n, _PROV, 4)
        if m:
            w = 2 if i > 0 and keys[i - 1] in ("tỉnh", "phố") else 1
            prov_counts[m[1]] = prov_counts.get(m[1], 0) + w


def _resolve_persons(mentions: list) -> list[str]:
    """Map short mentions to the longest form of the same person; dedupe in order."""
    names: list[str] = []
    info: dict[str, list] = {}
    for m in mentions:
        if m.name not in info:
            names.append(m.name)
            info[m.name] = []
        info[m.name].append(m)
    sy = {nm: nm.split() for nm in names}
    order = {nm: k for k, nm in enumerate(names)}
    mapping: dict[str, str] = {}
    for nm in names:
        s = sy[nm]
        cands = [o for o in names if len(sy[o]) > len(s) and sy[o][-len(s):] == s]
        if not cands and len(s) == 1 and not any(m.vn for m in info[nm]):
            pre = [o for o in names if len(sy[o]) > 1 and sy[o][0] == s[0]]
            if len(pre) == 1:
                mapping[nm] = pre[0]
                continue
        if not cands:
            # "Trump" vs "Donald Trump"; "Jose Mourinho" later "Mourinho"
            continue
        # the longest candidates; they must agree (be suffixes of one another)
        cands.sort(key=lambda o: -len(sy[o]))
        best = cands[0]
        if all(sy[best][-len(sy[o]):] == sy[o] for o in cands):
            vn = any(m.vn for m in info[nm])
            # Vietnamese: "ông Thống" -> "Nguyễn Quang Thống" wherever it is; a foreign surname
            # only after its full form ("Trump" before "Melania Trump" stays "Trump")
            if vn or order[best] < order[nm]:
                mapping[nm] = best
    res = []
    seen = set()
    for nm in names:
        t = nm
        for _ in range(6):
            t2 = mapping.get(t)
            if t2 is None:
                break
            t = t2
        if t in seen:
            continue
        ms = info.get(t, [])
        # "maybe" names (a given-name pair without title): keep when repeated or resolved
        if t == nm and ms and all(m.titled == "maybe" for m in ms) and len(ms) < 3:
            continue
        seen.add(t)
        res.append(t)
    return res


def _clean_input(s) -> str:
    if s is None:
        return ""
    if not isinstance(s, str):
        s = str(s)
    if len(s) > _MAX_CHARS:
        s = s[:_MAX_CHARS]
        cut = max(s.rfind("\n"), s.rfind(". "))
        if cut > _MAX_CHARS // 2:
            s = s[:cut]
    s = unicodedata.normalize("NFC", s)
    s = re.sub(r"[\x00-\x09\x0b-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]", " ", s).replace("\xa0", " ")
    return s


def extract_entities(title: str, body: str, author: str | None = None,
                     tokens: list[list[str]] | None = None) -> Entities:
    """Persons and agencies named in an article, deduplicated, in order of first mention.

    `tokens`: the pyvi segmentation (case kept) of the title and of each non-empty body
    paragraph, as `search.segment.segment` gives it; computed here when None."""
    try:
        return _extract(title, body, author, tokens)
    except Exception:  # never raise on any input
        if _DEBUG:
            raise
        return Entities([], [])


def _masthead_cut(paras: list) -> int:
    """Index of the first paragraph of a trailing masthead block ("Tổng biên tập: ...")."""
    return len(paras)


def _extract(title, body, author, tokens) -> Entities:
    title = _clean_input(title)
    body = _clean_input(body)
    if tokens is None:
        from search.segment import segment
        tokens = [segment(title)] + [segment(p) for p in body.split("\n") if p.strip()]
    if not isinstance(tokens, (list, tuple)):
        return Entities([], [])
    raw = title + "\n" + body
    excluded = _excluded_names(body, author)
    mentions: list = []
    found: list = []
    prov_counts: dict = {}
    total = 0
    for pi, toks in enumerate(tokens):
        if not toks or not isinstance(toks, (list, tuple)):
            continue
        toks = [t for t in toks if isinstance(t, str) and t]
        total += len(toks)
        if total > _MAX_TOKENS:
            break
        if _is_caps_para(toks):
            continue  # all-caps headlines / bylines: their names are the body's anyway
        # masthead ("Tổng biên tập: ...") and everything after it
        stop = False
        for k, t in enumerate(toks):
            if t in ("Tổng_biên_tập", "Tổng_Biên_tập", "Phó_tổng_biên_tập") and k + 1 < len(toks) and toks[k + 1] == ":":
                toks = toks[:k]
                stop = True
                break
        if not toks:
            break
        p = _build_para(toks)
        if not p.n:
            continue
        used = [False] * p.n
        fa: list = []
        _find_agencies(p, used, fa)
        for kind, o in fa:
            found.append((pi, kind, o))
            if kind == "chain":
                for x in o:
                    _count_place(prov_counts, x.level, x.place, 3)
        _count_places(p, prov_counts)
        _find_persons(p, used, mentions, pi, raw)
        if stop:
            break
    agencies = _assemble_agencies(found, prov_counts, excluded)
    mentions = [m for m in mentions if m.name.lower() not in excluded]
    persons = _resolve_persons(mentions)
    persons = [x for x in persons if x.lower() not in excluded]
    return Entities(persons, agencies)


def _complete(o: _Org, prov_counts: dict):
    """Parts of a body with the article's province added when it is written bare."""
    parts = list(o.parts)
    if o.place is not None:
        return parts
    if o.parse in ("local",) and o.level in ("tỉnh", "thành phố"):
        pv = _choose_province(prov_counts, o.level)
        if pv is None or pv[1] != o.level:
            return None
        return parts + pv[0].split()
    if o.parse == "bare" and "prov" not in o.flags:
        return None
    if o.parse in ("local", "party") and o.level is not None:
        return None  # "Công an huyện" with no name
    if o.parse == "party" and o.head and o.head[0] in ("Tỉnh", "Thành"):
        pv = _choose_province(prov_counts, "tỉnh" if o.head[0] == "Tỉnh" else "thành phố")
        if pv is None or (pv[1] == "tỉnh") != (o.head[0] == "Tỉnh"):
            return None
        return parts + pv[0].split()
    if o.parse == "party" and o.head and o.head[0] != "Đảng":
        return None
    if "prov" in o.flags and o.level is None:
        pv = _choose_province(prov_counts, None)
        if pv is None:
            return parts
        return parts + pv[1].split() + pv[0].split()
    return parts


def _assemble_agencies(found, prov_counts, excluded) -> list[str]:
    out: list[str] = []
    seen = set()

    def add(text):
        if not text:
            return
        c = canonical_agency(text)
        if c and c.lower() not in seen and c.lower() not in excluded and c not in _NOT_AGENCIES:
            seen.add(c.lower())
            out.append(c)

    # a unique police body of the province, to attach "Phòng Cảnh sát ..." to
    police = set()
    for pi, kind, o in found:
        if kind == "chain":
            last = o[-1]
            if last.head and last.head[0] == "Công" and last.level in ("tỉnh", "thành phố"):
                c = _complete(last, prov_counts)
                if c:
                    police.add(_join(c))
    hospitals = set()
    for pi, kind, o in found:
        if kind == "chain" and o[0].head == ["Bệnh", "viện"] and len(o) == 1:
            hospitals.add(_join(o[0].parts))
    for pi, kind, o in found:
        if kind == "org":
            add(_join(o.parts))
            continue
        chain = [x for x in o if "mgmt" not in x.flags]
        if not chain:
            continue
        last = chain[-1]
        tail = _complete(last, prov_counts)
        if tail is None:
            continue
        parts = [s for x in chain[:-1] for s in x.parts] + tail
        if len(chain) == 1 and "sub" in last.flags and last.parse == "name":
            # a sub-unit written without its parent
            if last.head == ["Phòng"] and len(last.parts) > 1 and last.parts[1] in ("Cảnh", "PC") and len(police) == 1:
                parts = parts + _syll_split(next(iter(police)))
            elif last.head == ["Khoa"] and len(hospitals) == 1:
                parts = parts + _syll_split(next(iter(hospitals)))
            elif len(parts) <= 2:
                continue
        add(_join(parts))
    return out


# --------------------------------------------------------------------------------------
# canonical_agency
# --------------------------------------------------------------------------------------

_NO_INSERT = ("Bệnh viện", "Trường", "Đại học", "Học viện", "CLB", "Câu lạc bộ", "Công ty", "Tập đoàn",
              "Tổng công ty", "Ngân hàng", "Khách sạn", "Báo", "Đội tuyển", "Hiệp hội", "Liên hiệp",
              "Liên đoàn bóng đá", "Cao đẳng", "Quỹ", "Tiệm", "Hãng", "Khoa", "Nhà máy", "U1", "U2",
              "Tỉnh ủy", "Thành ủy", "Huyện ủy", "Quận ủy", "Thị ủy", "Đảng ủy", "Tỉnh đoàn", "Thành đoàn")


@lru_cache(maxsize=100_000)
def canonical_agency(surface: str) -> str:
    """The canonical facet value of an organisation name as written:
    canonical_agency("UBND tỉnh Lâm Đồng") == "Ủy ban nhân dân tỉnh Lâm Đồng".
    The extractor returns values already in this form."""
    try:
        return _canonical(surface)
    except Exception:
        return (surface or "").strip() if isinstance(surface, str) else ""


def _canonical(surface: str) -> str:
    s = _clean_input(surface).replace("\n", " ").strip()
    if not s:
        return ""
    s = _fix_tones(s)
    al = _ALIAS.get(_squash(s))
    if al is not None:
        return al
    p = _build_para(sylabelize(s))
    sy = list(p.text)
    while sy and not sy[0][0].isalnum():
        sy.pop(0)
    while sy and not sy[-1][0].isalnum() and sy[-1] != ")":
        sy.pop()
    if not sy:
        return ""
    # "HA. GL" -> "HA.GL"
    sy2: list[str] = []
    for x in sy:
        if sy2 and sy2[-1].endswith(".") and sy2[-1][:-1].isupper() and x.isupper() and len(sy2[-1]) > 2:
            sy2[-1] += x
        else:
            sy2.append(x)
    sy = sy2
    keys = [_key(x) for x in sy]
    out: list[str] = []
    i = 0
    n = len(sy)
    while i < n:
        out.append(sy[i])
        if keys[i] in ("bộ", "sở", "phòng") and i + 1 < n:
            m = _match(keys, i + 1, n, _MINISTRIES, _MIN_MAX)
            if m:
                out += _syll_split(m[1])
                i += 1 + m[0]
                continue
        i += 1
    sy = out
    keys = [_key(x) for x in sy]
    # Mặt trận Tổ quốc -> Mặt trận Tổ quốc Việt Nam
    for i in range(len(sy) - 3):
        if keys[i:i + 4] == ["mặt", "trận", "tổ", "quốc"]:
            if keys[i + 4:i + 6] != ["việt", "nam"]:
                sy[i + 4:i + 4] = ["Việt", "Nam"]
                keys[i + 4:i + 4] = ["việt", "nam"]
            break
    # the head in its canonical spelling and case
    m = _match(keys, 0, len(keys), _HEADS, _HEAD_MAX)
    if m:
        L, (_, _, canon) = m
        if canon[0] == "Câu":
            sy[:L] = ["CLB"]
            keys[:L] = ["clb"]
        else:
            sy[:L] = canon
    elif sy[0][0].islower():
        sy[0] = sy[0][0].upper() + sy[0][1:]
    # administrative levels in lower case before a place
    for i in range(1, len(sy) - 1):
        nxt = sy[i + 1]
        if keys[i] in _LEVEL1 and (nxt[0].isupper() or nxt[0].isdigit()):
            sy[i] = keys[i]
        elif i + 2 < len(sy) and (keys[i], keys[i + 1]) in _LEVELS and (sy[i + 2][0].isupper() or sy[i + 2][0].isdigit()):
            sy[i] = keys[i]
            sy[i + 1] = keys[i + 1]
    # a province after a state body without its level: "Công an Hà Nội" -> "... thành phố Hà Nội"
    text0 = " ".join(sy)
    if not text0.startswith(_NO_INSERT):
        for i in range(1, len(sy)):
            if keys[i] in _PROV_FIRST and sy[i][0].isupper():
                mm = _match(keys, i, len(keys), _PROV, 5)
                if mm and i + mm[0] == len(sy):
                    canon, level = mm[1]
                    prev = keys[i - 1]
                    if prev in ("tỉnh", "phố") or (prev in ("huyện", "quận", "xã", "phường", "trấn")):
                        if prev in ("tỉnh", "phố"):
                            sy[i - (2 if prev == "phố" else 1):] = level.split() + canon.split()
                        break
                    sy[i:] = level.split() + canon.split()
                    break
    # "Bệnh viện Chợ Rẫy thành phố Hồ Chí Minh" -> the place after a proper name goes
    res = _join(sy)
    al = _ALIAS.get(_squash(res))
    if al is not None:
        return al
    return res[0].upper() + res[1:]
