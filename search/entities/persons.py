"""Persons: which capitalised runs name a person, and which mentions are the same person.

Decides, per paragraph, whether a maximal run of capitalised syllables outside agencies
and places is a person: after a title or honorific ("Đại tá", "ông", "HLV"), opening
with a Vietnamese family name, or looking like a foreign name. Per article, short later
mentions ("ông Thống") resolve to the longest form of the same person.
"""
from __future__ import annotations

from .lexicon import (_FIXED, _FIXED_MAX, _FOREIGN_ORG_WORDS, _FUNC, _GIVEN, _LEX_SYLL, _LEXICON,
                      _NOT_NAMES, _NOT_PERSON_WORDS, _PLACE_HEAD_MAX, _PLACE_HEADS, _PLACE_MAX,
                      _PLACES, _PROV, _SURNAMES, _TITLE_MAX, _TITLES, _WEAK_SURNAMES, _key)
from .tokens import _Para, _match, _sentence_start

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
    # a known organisation and one word is a product or a branch ("Ford Everest", "Kia Niro")
    if len(parts) == 2 and (parts[0],) in _FIXED:
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
