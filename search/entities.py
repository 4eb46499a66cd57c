"""Rule-based extraction of persons and agencies (organisations) from Vietnamese news.

No model: pyvi word boundaries (passed in by the indexer), capitalisation and the word
lists in ``search/data/*.txt`` (loaded once at import).

Public interface::

    extract_entities(title, body, author=None, tokens=None) -> Entities
    canonical_agency(surface) -> str      # same normalisation as the extractor applies

How it works, per paragraph (title first):

1. The pyvi tokens are split into syllables; abbreviations are expanded in place
   ("UBND" -> "Ủy ban nhân dân", "TP.HCM" -> "thành phố Hồ Chí Minh", "GD&ĐT" -> ...).
2. Agencies: at every organisation head word ("Công an", "Ủy ban nhân dân", "Sở", "Bộ",
   "Công ty", "Bệnh viện" ...) the name is read on: capitalised words, "và"/"-" joining two
   capitalised words, an administrative level plus a place ("tỉnh Lâm Đồng", "quận 9"), and
   a parent body ("Phòng Cảnh sát hình sự Công an tỉnh Bến Tre"). Fixed names ("Quốc hội",
   "Nhà Trắng", "UEFA", clubs and companies in known_orgs.txt) are matched as they are.
   A bare "Công an tỉnh" / "UBND tỉnh" is completed with the article's province when it is
   unambiguous.
3. Persons: maximal runs of capitalised syllables outside agencies and places, taken when a
   title or honorific stands before them ("Đại tá", "ông", "HLV" ...), when they open with a
   Vietnamese family name, or when they look like a foreign name. Short later mentions
   ("ông Thống") resolve to the longest form of the same person; the byline author,
   "Theo X" and "Ảnh: X" credits are left out.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["Entities", "extract_entities", "canonical_agency"]

_DATA_DIR = Path(__file__).resolve().parent / "data"

# Above this many characters, the rest of an article is ignored (5 MB inputs must not hang).
_MAX_CHARS = 200_000
_MAX_SYLLABLES = 60_000


@dataclass(frozen=True)
class Entities:
    persons: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------

def _read_lines(name: str) -> list[str]:
    path = _DATA_DIR / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if line:
            out.append(unicodedata.normalize("NFC", line))
    return out


# Old-style tone placement ("hoà", "thuỷ", "Uỷ") -> new style ("hòa", "thủy", "Ủy").
_TONE_FIX = {}
for _base, _marks in (("a", "àáảãạ"), ("e", "èéẻẽẹ"), ("y", "ỳýỷỹỵ")):
    pass
_OLD_NEW = [
    ("oà", "òa"), ("oá", "óa"), ("oả", "ỏa"), ("oã", "õa"), ("oạ", "ọa"),
    ("oè", "òe"), ("oé", "óe"), ("oẻ", "ỏe"), ("oẽ", "õe"), ("oẹ", "ọe"),
    ("uỳ", "ùy"), ("uý", "úy"), ("uỷ", "ủy"), ("uỹ", "ũy"), ("uỵ", "ụy"),
]
_OLD_NEW += [(a.upper(), b.upper()) for a, b in _OLD_NEW] + [
    (a[0].upper() + a[1:], b[0].upper() + b[1:]) for a, b in _OLD_NEW]
_OLD_RE = re.compile(
    r"(?<![qQ])(" + "|".join(re.escape(a) for a, _ in _OLD_NEW) + r")(?![^\W\d_])")
_OLD_MAP = dict(_OLD_NEW)


def _fix_tones(s: str) -> str:
    """Move old-style tone marks at syllable end: "Toà" -> "Tòa", "Uỷ" -> "Ủy"."""
    if not any(c in s for c in "àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ"):
        return s
    return _OLD_RE.sub(lambda m: _OLD_MAP[m.group(1)], s)


def _key(s: str) -> str:
    """Case- and tone-style-insensitive key of a syllable."""
    return _fix_tones(s).lower()


def _load():
    g = {}
    # provinces
    prov = {}          # key tuple -> (canonical, level)
    prov_level = {}    # canonical -> level
    for line in _read_lines("provinces.txt"):
        parts = [p.strip() for p in line.split("|")]
        canon, level = parts[0], parts[1] if len(parts) > 1 else "tỉnh"
        variants = [canon] + [v.strip() for v in (parts[2].split(",") if len(parts) > 2 else []) if v.strip()]
        prov_level[canon] = level
        for v in variants:
            prov[tuple(_key(x) for x in _syll_split(v))] = (canon, level)
    g["prov"] = prov
    g["prov_level"] = prov_level
    g["surnames"] = {_key(x) for x in _read_lines("surnames.txt")}
    g["weak_surnames"] = {_key(x) for x in _read_lines("weak_surnames.txt")}
    g["titles"] = {tuple(_key(x) for x in _syll_split(t.replace(".", " "))) for t in _read_lines("titles.txt")}
    g["places"] = {tuple(_key(x) for x in _syll_split(p)) for p in _read_lines("places.txt")}
    abbr = {}
    for line in _read_lines("abbreviations.txt"):
        if "=" not in line:
            continue
        k, v = (x.strip() for x in line.split("=", 1))
        abbr[k.replace(" ", "")] = v.split()
    g["abbr"] = abbr
    g["abbr_maxlen"] = max((len(k) for k in abbr), default=0)
    heads = {}
    for line in _read_lines("org_heads.txt"):
        parts = [p.strip() for p in line.split("|")]
        sy = _syll_split(parts[0])
        heads[tuple(_key(x) for x in sy)] = (parts[1] if len(parts) > 1 else "named", sy)
    g["heads"] = heads
    g["head_max"] = max((len(k) for k in heads), default=1)
    min_ = {}
    for line in _read_lines("ministries.txt"):
        parts = [p.strip() for p in line.split("|")]
        for v in parts:
            min_[tuple(_key(x) for x in _syll_split(v))] = parts[0]
    g["ministries"] = min_
    fixed = {}
    for name in ("central_bodies.txt", "known_orgs.txt"):
        for line in _read_lines(name):
            parts = [p.strip() for p in line.split("|")]
            for v in parts:
                fixed[tuple(_syll_split(v))] = parts[0]
    g["fixed"] = fixed
    g["fixed_max"] = max((len(k) for k in fixed), default=1)
    g["place_heads"] = {tuple(_key(x) for x in _syll_split(p)) for p in _read_lines("place_heads.txt")}
    g["not_names"] = {tuple(_key(x) for x in _syll_split(p)) for p in _read_lines("not_names.txt")}
    g["stop"] = {tuple(_key(x) for x in _syll_split(p)) for p in _read_lines("org_stopwords.txt")}
    return g


_SYL_RE = re.compile(r"[^\W_]+(?:\.(?=\s|$))?|[^\w\s]", re.UNICODE)


def _syll_split(s: str) -> list[str]:
    """Split a word-list entry into syllables (and punctuation marks)."""
    return re.findall(r"[^\W_]+|[^\w\s]", s)


_G = _load()
_PROV = _G["prov"]
_PROV_LEVEL = _G["prov_level"]
_SURNAMES = _G["surnames"]
_WEAK_SURNAMES = _G["weak_surnames"]
_TITLES = _G["titles"]
_TITLE_MAX = max((len(t) for t in _TITLES), default=1)
_PLACES = _G["places"] | set(_PROV)
_PLACE_MAX = max((len(p) for p in _PLACES), default=1)
_ABBR = _G["abbr"]
_HEADS = _G["heads"]
_HEAD_MAX = _G["head_max"]
_MINISTRIES = _G["ministries"]
_MIN_MAX = max((len(k) for k in _MINISTRIES), default=1)
_FIXED = _G["fixed"]
_FIXED_MAX = _G["fixed_max"]
_FIXED_FIRST = {k[0] for k in _FIXED}
_PLACE_HEADS = _G["place_heads"]
_PLACE_HEAD_MAX = max((len(p) for p in _PLACE_HEADS), default=1)
_NOT_NAMES = _G["not_names"]
_STOP = {k[0] for k in _G["stop"] if len(k) == 1}

# Administrative levels that precede a place name.
_LEVELS = {
    ("tỉnh",): "tỉnh", ("thành", "phố"): "thành phố", ("huyện",): "huyện", ("quận",): "quận",
    ("thị", "xã"): "thị xã", ("xã",): "xã", ("phường",): "phường", ("thị", "trấn"): "thị trấn",
}

# Lexicon of common Vietnamese words (pyvi ships one): a capitalised word at the start of
# a sentence that is a common word is not part of a name.
def _load_lexicon() -> set[str]:
    try:
        import pyvi
        p = Path(pyvi.__file__).resolve().parent / "models" / "words.txt"
        return {unicodedata.normalize("NFC", w.strip()).lower() for w in p.read_text(encoding="utf-8").splitlines() if w.strip()}
    except Exception:  # pragma: no cover - pyvi is a hard dependency of the project
        return set()


_LEXICON = _load_lexicon()
_LEX_SYLLABLES = {s for w in _LEXICON for s in w.split()}

_SENT_END = {".", "!", "?", ":", "…", "...", '"', "“", "”", "'", "‘", "’", "(", "[", "-", "–", "—", "•", ";", "*", ">", "|", "/"}
_VN_CHARS = set("ăâêôơưđàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


# --------------------------------------------------------------------------------------
# Syllable stream
# --------------------------------------------------------------------------------------

class _Para:
    """One paragraph as parallel lists of syllables and their features."""
    __slots__ = ("text", "key", "cap", "tok", "tokcap", "n")

    def __init__(self, text, tok):
        self.text = text
        self.key = [_key(s) for s in text]
        self.n = n = len(text)
        self.tok = tok
        # cap: 1 = name-like (Title case / initial), 2 = acronym (all caps), 0 = other
        cap = [0] * n
        for i, s in enumerate(text):
            c = s[0]
            if c.isupper():
                if len(s) == 1:
                    cap[i] = 1
                elif s.isupper():
                    cap[i] = 2
                else:
                    cap[i] = 1
        self.cap = cap
        # tokcap[i]: all syllables of i's token are capitalised (cap == 1)
        tokcap = [False] * n
        i = 0
        while i < n:
            j = i
            t = tok[i]
            while j < n and tok[j] == t:
                j += 1
            ok = all(cap[k] == 1 for k in range(i, j))
            for k in range(i, j):
                tokcap[k] = ok
            i = j
        self.tokcap = tokcap


def _build_para(tokens: list[str]) -> _Para:
    text: list[str] = []
    tok: list[int] = []
    n = len(tokens)
    i = 0
    tid = 0
    while i < n:
        t = tokens[i]
        # abbreviation across up to 5 tokens ("TP." "HCM", "GD" "&" "ĐT")
        matched = False
        if t and (t[0].isupper() or t[0] == "&"):
            acc = ""
            best = None
            for j in range(i, min(n, i + 6)):
                acc += tokens[j].replace("_", "")
                if len(acc) > _G["abbr_maxlen"]:
                    break
                if acc in _ABBR:
                    best = (j, acc)
            if best is not None:
                j, acc = best
                for s in _ABBR[acc]:
                    text.append(s)
                    tok.append(tid)
                tid += 1
                i = j + 1
                matched = True
        if matched:
            continue
        for s in t.split("_") if "_" in t and len(t) > 1 else (t,):
            if not s:
                continue
            # "S." (an initial closing a sentence) -> "S" "."
            if len(s) == 2 and s[1] == "." and s[0].isupper():
                text.append(s[0])
                tok.append(tid)
                text.append(".")
                tok.append(tid + 1)
                tid += 1
                continue
            text.append(s)
            tok.append(tid)
        tid += 1
        i += 1
    return _Para(text, tok)


def _is_caps_para(tokens: list[str]) -> bool:
    letters = [c for t in tokens for c in t if c.isalpha()]
    if len(letters) < 8:
        return False
    up = sum(1 for c in letters if c.isupper())
    return up / len(letters) > 0.8


def _sentence_start(p: _Para, i: int) -> bool:
    if i == 0:
        return True
    return p.text[i - 1] in _SENT_END


# --------------------------------------------------------------------------------------
# Agencies
# --------------------------------------------------------------------------------------

def _match(p: _Para, i: int, table, maxlen: int):
    """Longest key of `table` (tuples of syllable keys) starting at i; (length, value)."""
    best = None
    keys = p.key
    for L in range(min(maxlen, p.n - i), 0, -1):
        v = table.get(tuple(keys[i:i + L]))
        if v is not None:
            return L, v
    return best


def _match_level(p: _Para, i: int):
    if i >= p.n:
        return None
    k = p.key[i]
    if k in ("tỉnh", "huyện", "quận", "xã", "phường") and p.cap[i] != 2:
        return 1, _LEVELS[(k,)]
    if i + 1 < p.n:
        two = (k, p.key[i + 1])
        if two in _LEVELS:
            return 2, _LEVELS[two]
    return None


def _place_after(p: _Para, i: int):
    """A place name at i: a run of capitalised syllables (max 5) or a number. -> end index."""
    n = p.n
    if i >= n:
        return None
    if p.text[i].isdigit() and len(p.text[i]) <= 3:
        return i + 1
    j = i
    while j < n and j - i < 6 and (p.cap[j] == 1 and (p.tokcap[j] or (j > i and p.tok[j] == p.tok[j - 1]))):
        j += 1
    # hyphenated places ("Phan Rang - Tháp Chàm", "Bà Rịa - Vũng Tàu")
    if j > i and j + 1 < n and p.text[j] == "-" and p.cap[j + 1] == 1:
        m = _match(p, i, _PROV, 6)
        if m and m[0] > j - i:
            j = i + m[0]
    return j if j > i else None


def _org_span(p: _Para, i: int, used: list[bool]):
    """Try to read an organisation name starting at i. Returns (end, text, kind, level, place, parts)."""
    n = p.n
    m = _match(p, i, _HEADS, _HEAD_MAX)
    if m is None:
        return None
    L, (kind, head_sy) = m
    e = i + L
    # the head must be a capitalised word of its own (not "Trường hợp", "Công an" is ok)
    if p.cap[i] == 0:
        # lower-case "công an huyện Bắc Bình", "ủy ban nhân dân xã X": explicit place only
        if kind != "local":
            return None
        lv = _match_level(p, e)
        if not lv or _place_after(p, e + lv[0]) is None:
            return None
    if e < n and p.tok[e] == p.tok[e - 1] and p.cap[e] != 1:
        return None  # head ends inside a pyvi word ("Trường_hợp")
    parts = list(head_sy)
    parts[0] = parts[0][0].upper() + parts[0][1:]
    level = place = None
    if kind in ("local", "party"):
        # optional "Việt Nam" after Mặt trận Tổ quốc
        if e + 1 < n and p.key[e] == "việt" and p.key[e + 1] == "nam" and "quốc" in head_sy[-1].lower():
            parts += ["Việt", "Nam"]
            e += 2
        lv = _match_level(p, e)
        if lv:
            end = _place_after(p, e + lv[0])
            level = lv[1]
            if end is not None:
                place = p.text[e + lv[0]:end]
                parts += [level] + place
                e = end
            else:
                parts += [level]
                e += lv[0]
        else:
            end = _place_after(p, e)
            if end is not None:
                pm = _match(p, e, _PROV, 6)
                if kind == "party" or (pm and pm[0] == end - e):
                    place = p.text[e:end]
                    parts += place
                    e = end
        if kind == "local" and place is None and level is None and head_sy[0].lower() in ("công",):
            return None  # plain "Công an" (the force, not a body)
        if kind == "party" and place is None and level is None and head_sy[0].lower() != "đảng":
            return None
        return e, parts, kind, level, place
    # ministries ("Bộ Y tế"), departments, named bodies
    if head_sy[0].lower() in ("bộ", "sở") and len(head_sy) == 1:
        mm = _match(p, e, _MINISTRIES, _MIN_MAX)
        if mm and p.cap[e] != 0:
            parts += _syll_split(mm[1])
            e += mm[0]
            # "Bộ Ngoại giao Mỹ", "Sở Y tế tỉnh X", "Sở Y tế Hà Nội"
            lv = _match_level(p, e)
            if lv:
                end = _place_after(p, e + lv[0])
                if end is not None:
                    parts += [lv[1]] + p.text[e + lv[0]:end]
                    level, place = lv[1], p.text[e + lv[0]:end]
                    e = end
                else:
                    level = lv[1]
            else:
                end = _place_after(p, e)
                if end is not None and end - e <= 4:
                    parts += p.text[e:end]
                    place = p.text[e:end]
                    e = end
            return e, parts, "ministry", level, place
    # generic: capitalised words, connectors between them, numbers, level + place
    start_e = e
    j = e
    last_good = e
    lower_run = 0
    while j < n:
        s = p.text[j]
        c = p.cap[j]
        if c == 1 or c == 2:
            if c == 2 and j > start_e and p.text[j] in ("TP",):
                break
            j += 1
            # the rest of the same pyvi word (e.g. "Cảnh_sát", "Tài_nguyên")
            while j < n and p.tok[j] == p.tok[j - 1] and p.text[j][0].isalnum():
                j += 1
            last_good = j
            lower_run = 0
            continue
        if s.isdigit() and j == last_good and len(s) <= 4:
            j += 1
            last_good = j
            continue
        lv = _match_level(p, j)
        if lv:
            end = _place_after(p, j + lv[0])
            if end is not None:
                j = end
                last_good = j
                lower_run = 0
                continue
            break
        if s in ("và", "&", "-", "–") and j + 1 < n and p.cap[j + 1] in (1, 2) and last_good == j and last_good > start_e:
            j += 1
            continue
        if c == 0 and s[0].isalpha():
            # lower-case descriptor words, only if a capitalised word follows soon
            if p.key[j] in _STOP or lower_run >= 5:
                break
            lower_run += 1
            j += 1
            continue
        break
    e = last_good
    if e == start_e:
        # nothing named follows: allow a short lower-case descriptor for a few heads
        return None
    parts = parts + p.text[start_e:e]
    return e, parts, kind, None, None


def _join(parts: list[str]) -> str:
    out = ""
    for s in parts:
        if not out:
            out = s
        elif s in (",", ".", ")"):
            out += s
        elif out.endswith("("):
            out += s
        else:
            out += " " + s
    return out


def _find_agencies(p: _Para, used: list[bool], out: list, prov_counts: dict, bare: list):
    n = p.n
    i = 0
    while i < n:
        if used[i]:
            i += 1
            continue
        c = p.cap[i]
        if c == 0 and p.key[i] not in ("công", "ủy", "hội", "tòa", "viện"):
            i += 1
            continue
        # fixed names: "Quốc hội", "Nhà Trắng", "UEFA", clubs, companies
        if c and p.text[i] in _FIXED_FIRST:
            best = None
            for L in range(min(_FIXED_MAX, n - i), 0, -1):
                v = _FIXED.get(tuple(p.text[i:i + L]))
                if v is not None:
                    best = (L, v)
                    break
            if best is not None:
                L, v = best
                e = i + L
                # must not be the start of a longer capitalised name
                if e < n and p.tok[e] == p.tok[e - 1] and p.cap[e] == 0:
                    i += 1
                    continue
                parts = _syll_split(v)
                # "Chính phủ Myanmar", "Quốc hội Mỹ"
                if v in ("Chính phủ", "Quốc hội") and e < n and p.cap[e] == 1:
                    pe = _place_after(p, e)
                    if pe is not None and tuple(p.key[e:pe]) in _PLACES:
                        parts += p.text[e:pe]
                        e = pe
                for k in range(i, e):
                    used[k] = True
                out.append((_join(parts), i))
                i = e
                continue
        r = _org_span(p, i, used)
        if r is None:
            i += 1
            continue
        e, parts, kind, level, place = r
        # a parent body right after ("Phòng Cảnh sát hình sự Công an tỉnh Bến Tre")
        if e < n and kind in ("dept", "named") or (kind == "local" and e < n and parts[0] in ("Phòng", "Đội")):
            r2 = _org_span(p, e, used) if e < n and p.cap[e] else None
            if r2 is not None and r2[2] in ("local", "party", "ministry", "named", "dept"):
                e2, parts2, kind2, level2, place2 = r2
                out.append((_join(parts + parts2), i))
                for k in range(i, e2):
                    used[k] = True
                if place2 is not None or kind2 in ("ministry", "named", "dept"):
                    out.append((_join(parts2), e))
                elif level2 is not None:
                    bare.append((len(out), parts2, level2))
                    out.append((None, e))
                _count_place(prov_counts, level2, place2, 3)
                i = e2
                continue
        for k in range(i, e):
            used[k] = True
        if kind in ("local", "ministry") and place is None and level is not None:
            bare.append((len(out), parts, level))
            out.append((None, i))
        else:
            out.append((_join(parts), i))
        _count_place(prov_counts, level, place, 3)
        i = e


def _count_place(prov_counts, level, place, w):
    if place is None:
        return
    key = tuple(_key(s) for s in place)
    pv = _PROV.get(key)
    if pv is not None:
        prov_counts[pv] = prov_counts.get(pv, 0) + w
    elif level is not None and level in ("tỉnh", "thành phố"):
        pv = (" ".join(place), level)
        prov_counts[pv] = prov_counts.get(pv, 0) + w


# --------------------------------------------------------------------------------------
# Persons
# --------------------------------------------------------------------------------------

def _title_before(p: _Para, i: int) -> bool:
    """Is there a title / honorific ending right before syllable i?"""
    for L in range(1, min(_TITLE_MAX, i) + 1):
        t = tuple(p.key[i - L:i])
        if t in _TITLES:
            return True
    return False


def _place_head_before(p: _Para, i: int) -> bool:
    for L in range(1, min(_PLACE_HEAD_MAX, i) + 1):
        if tuple(p.key[i - L:i]) in _PLACE_HEADS:
            return True
    return False


def _is_foreign(s: str) -> bool:
    low = s.lower()
    if any(c in _VN_CHARS for c in low):
        return False
    return low not in _LEX_SYLLABLES or any(c in low for c in "fjwz")


def _find_persons(p: _Para, used: list[bool], out: list, excluded: set):
    n = p.n
    i = 0
    while i < n:
        if used[i] or p.cap[i] != 1 or not p.tokcap[i]:
            i += 1
            continue
        # run of name-like syllables (token-level), hyphens inside foreign names
        j = i
        while j < n and not used[j] and p.cap[j] == 1 and p.tokcap[j]:
            j += 1
            if j + 1 < n and p.text[j] == "-" and p.cap[j + 1] == 1 and p.tokcap[j + 1] and _is_foreign(p.text[j - 1]):
                j += 1
        _person_run(p, i, j, out, excluded)
        i = j


def _person_run(p: _Para, i: int, j: int, out: list, excluded: set):
    titled = _title_before(p, i)
    sent = _sentence_start(p, i)
    # leading capitalised titles inside the run ("Ông Nguyễn Văn A", "Bà", "Anh")
    while i < j:
        hit = 0
        for L in range(min(_TITLE_MAX, j - i), 0, -1):
            if tuple(p.key[i:i + L]) in _TITLES:
                hit = L
                break
        if hit and i + hit < j:
            i += hit
            titled = True
            sent = False
            continue
        break
    if i >= j:
        return
    # a common word opening a sentence ("Theo", "Trong", "Sau") is not part of the name
    if sent and not titled:
        k = i
        t = p.tok[i]
        while k < j and p.tok[k] == t:
            k += 1
        w = " ".join(p.key[i:k])
        if w in _LEXICON and p.key[i] not in _SURNAMES:
            i = k
            if i >= j:
                return
            # "Theo ông A" handled by the title check of the rest
            titled = _title_before(p, i)
    names = p.text[i:j]
    keys = tuple(p.key[i:j])
    if len(names) > 6:
        # too long to be one name: keep a leading surname-initial prefix of 2-4 syllables
        if keys[0] in _SURNAMES:
            names = names[:4]
            keys = keys[:4]
        else:
            return
    if keys in _PLACES or keys in _NOT_NAMES or _place_head_before(p, i):
        return
    if any(keys[k:k + 2] in _PLACES for k in range(len(keys) - 1)) and keys[0] not in _SURNAMES:
        return
    first = keys[0]
    vn = not all(_is_foreign(s) for s in names if len(s) > 1)
    ok = False
    if titled:
        ok = len(names) <= 5
    elif first in _SURNAMES and 2 <= len(names) <= 5:
        ok = first not in _WEAK_SURNAMES or len(names) >= 3
    elif not vn and 2 <= len(names) <= 4:
        ok = True
    if not ok:
        return
    name = " ".join(names)
    if name.lower() in excluded:
        return
    out.append((name, titled, vn))


# --------------------------------------------------------------------------------------
# Article level
# --------------------------------------------------------------------------------------

_CREDIT_RE = re.compile(r"(?:^|[\s(.])(?:Ảnh|Ảnh minh họa|Ảnh minh hoạ|Video|Clip|Nguồn|Đồ họa|Đồ hoạ|Bài và ảnh|Bài, ảnh|Bài|Theo|Tin|Tin, ảnh|Tin và ảnh)\s*[:/-]\s*([^\n.;()]{2,60})")
_THEO_END_RE = re.compile(r"(?:^|[\s.])(?:Theo|Nguồn)\s+([^\n.;()]{2,60})(?:\([^)]*\))?\s*$")


def _excluded_names(title: str, body: str, author: str | None) -> set[str]:
    ex: set[str] = set()
    if author:
        a = unicodedata.normalize("NFC", str(author)).strip()
        for part in re.split(r"[,;&]| và | - ", a):
            part = part.strip(" .")
            if part:
                ex.add(part.lower())
    for m in _CREDIT_RE.finditer(body):
        ex.add(m.group(1).strip(" .-").lower())
    lines = [l.strip() for l in body.split("\n") if l.strip()]
    if lines:
        last = lines[-1]
        m = _THEO_END_RE.search(last)
        if m:
            ex.add(m.group(1).strip(" .-").lower())
        # a last line that is a short name (byline) or the last short "sentence" of it
        tail = re.split(r"(?<=[.!?”\"])\s+", last)[-1].strip()
        tail = re.sub(r"\s*\([^)]*\)\s*$", "", tail).strip(" .-")
        tail = re.sub(r"^(?:Theo|Nguồn|Bài|Ảnh)\s*:?\s*", "", tail)
        if 1 <= len(tail.split()) <= 5 and not re.search(r"[,:;!?\"“”]", tail):
            ex.add(tail.lower())
    return ex


def _choose_province(prov_counts: dict, level: str):
    cands = [(v, k) for k, v in prov_counts.items() if k[1] == level or level in ("tỉnh", "thành phố") and k[1] in ("tỉnh", "thành phố")]
    same = [(v, k) for v, k in cands if k[1] == level]
    if same:
        cands = same
    if not cands:
        return None
    cands.sort(key=lambda x: -x[0])
    if len(cands) == 1 or cands[0][0] >= 2 * cands[1][0]:
        return cands[0][1]
    return None


def _resolve_persons(mentions: list) -> list[str]:
    """Map short mentions to the longest form of the same person; dedupe in order."""
    full = []
    for name, titled, vn in mentions:
        if name not in full:
            full.append(name)
    sy = {nm: nm.split() for nm in full}
    mapping = {}
    for nm in full:
        s = sy[nm]
        best = None
        for other in full:
            o = sy[other]
            if len(o) > len(s) and o[-len(s):] == s:
                if best is None or len(o) > len(sy[best]):
                    if best is not None and sy[best][-len(o):] != o and o[-len(sy[best]):] != sy[best]:
                        best = "?"
                        break
                    best = other
                elif best is not None and sy[best][-len(o):] != o:
                    best = "?"
                    break
            # abbreviated form "Phạm S" vs "Phạm Văn S"? keep as written
        if best and best != "?":
            mapping[nm] = best
    # chains (A -> B -> C)
    res = []
    seen = set()
    for nm in full:
        t = nm
        for _ in range(5):
            if t in mapping:
                t = mapping[t]
            else:
                break
        if t not in seen:
            seen.add(t)
            res.append(t)
    # single-syllable untitled leftovers are dropped; titled ones ("anh Hải") stay
    return res


def _clean_input(s) -> str:
    if s is None:
        return ""
    if not isinstance(s, str):
        s = str(s)
    if len(s) > _MAX_CHARS:
        s = s[:_MAX_CHARS]
    s = unicodedata.normalize("NFC", s)
    # control characters (keep \n), zero-width and non-breaking spaces
    s = re.sub(r"[\x00-\x09\x0b-\x1f\x7f\u200b-\u200f\ufeff]", " ", s).replace("\xa0", " ")
    return s


def extract_entities(title: str, body: str, author: str | None = None,
                     tokens: list[list[str]] | None = None) -> Entities:
    """Persons and agencies named in an article (deduplicated, in order of first mention)."""
    try:
        return _extract(title, body, author, tokens)
    except Exception:  # never raise on any input
        return Entities([], [])


def _extract(title, body, author, tokens) -> Entities:
    title = _clean_input(title)
    body = _clean_input(body)
    if tokens is None:
        from search.segment import segment
        tokens = [segment(title)] + [segment(p) for p in body.split("\n") if p.strip()]
    excluded = _excluded_names(title, body, author)
    persons: list = []
    agencies: list = []
    prov_counts: dict = {}
    bare: list = []
    caps_paras = []
    total = 0
    order = 0
    for pi, toks in enumerate(tokens):
        if not toks:
            continue
        toks = [t for t in toks if isinstance(t, str) and t]
        total += len(toks)
        if total > _MAX_SYLLABLES:
            break
        if _is_caps_para(toks):
            caps_paras.append(toks)
            continue
        p = _build_para(toks)
        used = [False] * p.n
        ag: list = []
        _find_agencies(p, used, ag, prov_counts, bare_local := [])
        for idx, parts, level in bare_local:
            bare.append((len(agencies) + idx, parts, level))
        for a, pos in ag:
            agencies.append(a)
        # places mentioned with their level, and bare province names
        _count_places(p, prov_counts)
        # credits: "Ảnh: X" -> mark as used
        _find_persons(p, used, persons, excluded)
    # complete bare "Công an tỉnh", "Ủy ban nhân dân tỉnh"
    for idx, parts, level in bare:
        pv = _choose_province(prov_counts, level)
        if pv is not None:
            agencies[idx] = _join(parts + ([] if parts[-len(level.split()):] == level.split() else [level]) + pv[0].split()) \
                if parts[-len(level.split()):] != level.split() else _join(parts + pv[0].split())
    ag_out = []
    seen = set()
    for a in agencies:
        if not a:
            continue
        c = canonical_agency(a)
        if c and c not in seen:
            seen.add(c)
            ag_out.append(c)
    # persons
    pers = [m for m in persons if len(m[0].split()) >= 2 or m[1]]
    names = _resolve_persons(pers)
    names = [n for n in names if n.lower() not in excluded and (len(n.split()) >= 2 or _titled_single_ok(n, persons))]
    # all-caps paragraphs: only names / agencies already found elsewhere
    return Entities(names, ag_out)


def _titled_single_ok(n: str, persons) -> bool:
    return any(m[0] == n and m[1] for m in persons)


def _count_places(p: _Para, prov_counts: dict):
    n = p.n
    for i in range(n):
        if p.cap[i] != 1:
            continue
        k = p.key[i]
        # cheap pre-check: is it the first syllable of a province name?
        if k not in _PROV_FIRST:
            continue
        m = _match(p, i, _PROV, 4)
        if m:
            w = 1
            if i > 0 and p.key[i - 1] in ("tỉnh", "phố"):
                w = 2
            prov_counts[m[1]] = prov_counts.get(m[1], 0) + w


_PROV_FIRST = {k[0] for k in _PROV}


# --------------------------------------------------------------------------------------
# canonical_agency
# --------------------------------------------------------------------------------------

_ADMIN_FIRST = {"Ủy", "Hội", "Công", "Tòa", "Viện", "Sở", "Bộ", "Cục", "Chi", "Kho", "Bảo", "Liên",
                "Ban", "Thanh", "Trung", "Văn", "Đoàn", "Phòng", "Đài", "Mặt"}
_NO_INSERT_FIRST = ("Bệnh viện", "Trường", "Đại học", "Học viện", "Câu lạc bộ", "Công ty", "Tập đoàn",
                    "Tổng công ty", "Ngân hàng", "Khách sạn", "Báo", "Đội tuyển", "Hội Khoa học", "Hiệp hội",
                    "Liên hiệp", "Liên đoàn bóng đá", "Trung tâm Thương mại")


@lru_cache(maxsize=65536)
def canonical_agency(surface: str) -> str:
    """The canonical facet value of an organisation name as written ("UBND tỉnh Lâm Đồng"
    -> "Ủy ban nhân dân tỉnh Lâm Đồng"). Same normalisation as the extractor applies."""
    try:
        return _canonical(surface)
    except Exception:
        return (surface or "").strip()


def _canonical(surface: str) -> str:
    s = _clean_input(surface).replace("\n", " ").strip()
    if not s:
        return ""
    s = _fix_tones(s)
    from pyvi.ViTokenizer import ViTokenizer
    _, toks = ViTokenizer.sylabelize(s)
    p = _build_para(toks)
    sy = list(p.text)
    # strip surrounding punctuation / quotes
    while sy and not sy[0][0].isalnum():
        sy.pop(0)
    while sy and not sy[-1][0].isalnum() and sy[-1] != ")":
        sy.pop()
    if not sy:
        return ""
    keys = [_key(x) for x in sy]
    # ministry / department names after Bộ / Sở / Phòng / Vụ, in their canonical form
    out: list[str] = []
    i = 0
    n = len(sy)
    while i < n:
        out.append(sy[i])
        if keys[i] in ("bộ", "sở") and i + 1 < n:
            best = None
            for L in range(min(_MIN_MAX, n - i - 1), 0, -1):
                v = _MINISTRIES.get(tuple(keys[i + 1:i + 1 + L]))
                if v is not None:
                    best = (L, v)
                    break
            if best:
                out += _syll_split(best[1])
                i += 1 + best[0]
                continue
        i += 1
    sy = out
    keys = [_key(x) for x in sy]
    # Mặt trận Tổ quốc -> Mặt trận Tổ quốc Việt Nam
    for i in range(len(sy) - 2):
        if keys[i:i + 3] == ["mặt", "trận", "tổ"] and i + 3 < len(sy) and keys[i + 3] == "quốc":
            if not (i + 5 < len(sy) + 1 and keys[i + 4:i + 6] == ["việt", "nam"]):
                sy[i + 4:i + 4] = ["Việt", "Nam"]
                keys[i + 4:i + 4] = ["việt", "nam"]
            break
    # head capitalisation: known heads in their canonical spelling
    m = None
    for L in range(min(_HEAD_MAX, len(keys)), 0, -1):
        v = _HEADS.get(tuple(keys[:L]))
        if v is not None:
            m = (L, v)
            break
    if m:
        L, (kind, head_sy) = m
        sy[:L] = head_sy
    # administrative levels in lower case before a place
    for i in range(1, len(sy) - 1):
        if keys[i] in ("tỉnh", "huyện", "quận", "xã", "phường") and (sy[i + 1][0].isupper() or sy[i + 1][0].isdigit()):
            sy[i] = keys[i]
        elif i + 2 < len(sy) and (keys[i], keys[i + 1]) in _LEVELS and (sy[i + 2][0].isupper() or sy[i + 2][0].isdigit()):
            sy[i] = keys[i]
            sy[i + 1] = keys[i + 1]
    # a province written without its level after a state body: "Công an Lâm Đồng"
    text0 = " ".join(sy)
    if sy[0] in _ADMIN_FIRST and not text0.startswith(_NO_INSERT_FIRST):
        for i in range(1, len(sy)):
            if sy[i][0].isupper() and keys[i] in _PROV_FIRST:
                mm = None
                for L in range(min(4, len(sy) - i), 0, -1):
                    v = _PROV.get(tuple(keys[i:i + L]))
                    if v is not None:
                        mm = (L, v)
                        break
                if mm and i + mm[0] == len(sy):
                    prev = keys[i - 1]
                    if prev not in ("tỉnh", "phố", "huyện", "quận", "xã", "phường", "trấn"):
                        canon, level = mm[1]
                        sy[i:] = level.split() + canon.split()
                    else:
                        canon, level = mm[1]
                        sy[i:] = canon.split()
                    break
    s = _join(sy)
    s = s.replace(" - ", " - ")
    s = s[0].upper() + s[1:]
    return s
