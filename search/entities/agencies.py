"""Agencies (organisations) of a paragraph and of an article.

Decides, per paragraph, which bodies are named: fixed names as written ("Quốc hội",
"UEFA", known_orgs.txt), sports sides (``sides``: "U23 Việt Nam", "Sài Gòn FC", a place
standing for a side in a sports story), elliptical lists ("các bộ Y tế, Công Thương") and names read at a head
(``org_names``) together with their parent bodies ("Phòng Cảnh sát hình sự Công an tỉnh
Bến Tre"). Per article, it completes bare bodies with the article's province, attaches
sub-units to a unique parent, and assembles the deduplicated canonical values.
"""
from __future__ import annotations

from .canonical import canonical_agency
from .lexicon import (_FIXED_FIRST, _FOREIGN_ORG_WORDS, _FUNC, _MIN_MAX, _MINISTRIES, _NOT_AGENCIES, _NOT_PERSON_WORDS,
                      _PLACE_FIRST, _PLACE_MAX, _PLACES, _PLACES_D, _TITLE_MAX, _TITLES, _key,
                      _syll_split)
from .org_names import _COUNTRY_HEADS, _LC_FIRST, _match_fixed, _Org, _org_at, _school_name_at
from .places import LOCAL_LEVELS, _choose_local, _choose_province
from .sides import _fc_club, _national_team, _place_side, _u_team
from .tokens import _join, _match, _Para


# words after a body's name that make the whole an event or a product
_EVENT_WORDS = {"cup", "games", "open", "awards", "award", "festival", "show", "galaxy", "series", "championship"}


# sub-units by size: a sub-unit's parent may be a larger sub-unit ("Đội CSGT số 2 Phòng CSGT
# Công an thành phố Hà Nội"); any other body ranks above them all
_SUB_RANK = {"Tổ": 0, "Đội": 1, "Trạm": 1}


def _parent_rank(o) -> int:
    return _SUB_RANK.get(" ".join(o.head), 2) if "sub" in o.flags else 9


def _standing_before(p: _Para, i: int) -> bool:
    """"Thường trực" before the body at i ("Thường trực Thành ủy", "Thường trực HĐND tỉnh",
    "Thường trực Chính phủ"): the standing committee is a body; not in a role ("Phó Chủ tịch
    Thường trực UBND", "Thứ trưởng Thường trực")."""
    if i < 2 or p.key[i - 2:i] != ["thường", "trực"] or not p.cap[i - 2]:
        return False
    return not any(tuple(p.key[i - 2 - L:i - 2]) in _TITLES for L in range(1, min(_TITLE_MAX, i - 2) + 1))


def _find_agencies(p: _Para, used: list[bool], found: list, sports: bool = False):
    """Append (kind, _Org-or-text) records in order of mention; in a sports story (`sports`)
    places that stand for sides too."""
    n = p.n
    i = 0
    side_end = -2  # where the last sports side ended: a list of sides goes on after it
    while i < n:
        if used[i]:
            i += 1
            continue
        c = p.cap[i]
        k = p.key[i]
        # sides: "đội tuyển Thái Lan", "LĐBĐ Malaysia", "U23 Việt Nam"
        side = (_national_team(p, i) if k in ("đội", "tuyển", "đt", "lđbđ")
                else _u_team(p, i) if c and p.text[i][0] == "U" else None) or (_fc_club(p, i) if c else None) \
            or (_place_side(p, i, side_end == i - 1) if sports and c else None)
        if side:
            e, parts = side
            side_end = e
            for x in range(i, e):
                used[x] = True
            found.append(("org", _Org(i, e, parts, "fixed", frozenset())))
            i = e
            continue
        if (k == "các" or p.text[i].isdigit()) and i + 2 < n:
            e = _plural_list(p, i, used, found)
            if e > i:
                i = e
                continue
        lc_fixed = c == 0 and p.text[i] in _FIXED_FIRST  # a fixed name written in lower case: "điện Kremlin"
        if c == 0 and k not in _LC_FIRST and not lc_fixed:
            i += 1
            continue
        if c or lc_fixed:
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
                if v == "Chính phủ" and _standing_before(p, i):
                    parts = ["Thường", "trực"] + parts
                    i -= 2
                for x in range(i, e):
                    used[x] = True
                if not any(x.lower() in _EVENT_WORDS for x in parts[len(_syll_split(v)):]):
                    found.append(("org", _Org(i, e, parts, "fixed", frozenset())))
                i = e  # "FIFA World Cup", "Samsung Galaxy": an event or a product, not the body
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
            if p.text[j] in ("-", "–", ",") and j + 1 < n and ("sub" in chain[-1].flags or (
                    chain[-1].head == ["Trường"] and p.key[j + 1:j + 3] == ["đại", "học"])):
                j += 1  # "Trường Đại học Ngoại ngữ, Đại học Quốc gia Hà Nội"
            elif p.text[j] == "(" and ("sub" in chain[-1].flags or chain[-1].head[:1] == ["Ủy"]):
                # "Phòng Cảnh sát hình sự (PC45) Công an tỉnh Tiền Giang", "Ủy ban Kiểm tra (UBKT)
                # Tỉnh ủy Phú Yên": the code between
                close = next((c for c in range(j + 1, min(n, j + 10)) if p.text[c] == ")"), None)
                if close is not None and close + 1 < n and p.cap[close + 1]:
                    j = close + 1 + (close + 2 < n and p.text[close + 1] == ",")
            if j < n and p.cap[j]:
                par = _org_at(p, j)
                if par is not None and par.parse != "bare" and par.head != ["Trường"] and (
                        "sub" not in par.flags or _parent_rank(par) > _parent_rank(chain[-1])) and (
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
        if (chain[0].parse == "party" or chain[0].head[:2] == ["Hội", "đồng"]) and _standing_before(p, i):
            chain[0].parts = ["Thường", "trực"] + chain[0].parts
            i = chain[0].start = i - 2
        for x in range(i, e):
            used[x] = True
        found.append(("chain", chain))
        if len(chain) == 1:
            e = _elliptical_list(p, o, e, used, found)
        # "Đảng ủy - UBND xã Gio Linh": a bare body shares the next one's place
        if len(chain) == 1 and o.parse in ("bare", "party") and o.place is None and o.level is None \
                and e + 1 < n and p.text[e] in ("-", "–", "và", ","):
            nxt = _org_at(p, e + 1)
            if nxt is not None and nxt.place is not None and nxt.parse in ("local", "party"):
                o.parts = o.parts + ([nxt.level] if nxt.level else []) + list(nxt.place)
                o.place, o.level, o.parse = nxt.place, nxt.level, "local"
        i = e


# "các bệnh viện: Nhân dân 115, Nhân dân Gia Định": a plural head before a list of names
_PLURAL_HEADS = {("bệnh", "viện"): ["Bệnh", "viện"], ("ngân", "hàng"): ["Ngân", "hàng"],
                 ("công", "ty"): ["Công", "ty"], ("tập", "đoàn"): ["Tập", "đoàn"]}


def _plural_list(p: _Para, i: int, used: list, found: list) -> int:
    """Bodies listed after "các <head>[:]", each with the head -> the list's end (i if none)."""
    n = p.n
    head = _PLURAL_HEADS.get(tuple(p.key[i + 1:i + 3]))
    j = i + 3
    if head is None and p.key[i + 1] == "trường":
        # "4 trường THPT chuyên: Hà Nội - Amsterdam, Nguyễn Huệ": the kind of school is shared too
        k = _school_name_at(p, i + 2)
        if k is not None:
            j = k
            head = ["Trường"] + p.text[i + 2:j]
    if head is None or p.cap[i + 1]:
        return i
    if j < n and p.text[j] == ":":
        j += 1
    members = []
    while j < n and p.cap[j] and p.key[j] not in _FUNC:
        a = j
        while j < n and (p.cap[j] or (p.cont[j] and p.text[j].isalpha()) or p.text[j].isdigit()
                         or (p.text[j] in ("-", "–") and j > a and j + 1 < n and p.cap[j + 1])) \
                and p.text[j] not in ("và",) and not (j > a and p.cap[j] and not p.cont[j] and p.key[j] in _FUNC):
            j += 1  # ("Hà Nội - Amsterdam" is one member)
        members.append((a, j))
        if j < n and p.text[j] == "(":
            # "Chu Văn An (quận Tây Hồ); Thanh Xuân (…)": where a member is, skipped
            close = next((c for c in range(j + 1, min(n, j + 8)) if p.text[c] == ")"), None)
            if close is None:
                break
            j = close + 1
        if j + 1 < n and p.text[j] in (",", ";", "và") and p.cap[j + 1]:
            j += 1
            continue
        break
    if len(members) < 2:
        return i
    for a, b in members:
        for x in range(a, b):
            used[x] = True
        f = _match_fixed(p, a)  # "các ngân hàng Vietcombank, BIDV": known by their own name
        parts = _syll_split(f[1]) if f and a + f[0] == b else head + p.text[a:b]
        found.append(("org", _Org(a, b, parts, "fixed", frozenset())))
    return members[-1][1]


def _elliptical_list(p: _Para, o: _Org, e: int, used: list, found: list) -> int:
    """Members of a list that share o's head word, each its own body: "quân đội Anh, Mỹ,
    Bỉ" (a country's forces), "các bộ Y tế, Công Thương" (ministries) -> the list's end."""
    n = p.n
    if o.parse == "ministry" and o.place is None and len(o.head) == 1:
        table, mx = _MINISTRIES, _MIN_MAX
    elif " ".join(_key(x) for x in o.head) in _COUNTRY_HEADS and o.place is not None:
        table, mx = _PLACES_D, _PLACE_MAX
    else:
        return e
    while e + 1 < n and p.text[e] in (",", "và") and p.cap[e + 1] == 1:
        m = _match(p.key, e + 1, n, table, mx)
        if m is None or (e + 1 + m[0] < n and p.cap[e + 1 + m[0]] == 1):
            break
        a, e = e + 1, e + 1 + m[0]
        name = _syll_split(m[1]) if table is _MINISTRIES else p.text[a:e]
        for x in range(a, e):
            used[x] = True
        found.append(("chain", [_Org(a, e, list(o.head) + name, o.parse, o.flags, None,
                                     None if table is _MINISTRIES else p.text[a:e], head=o.head)]))
    return e


def _fixed_blocked(p: _Para, e: int) -> bool:
    """A product-like word after a one-word fixed name ("Samsung Galaxy", "Apple Watch")
    makes it part of a longer name."""
    if p.cont[e]:
        return True
    return p.key[e] in _NOT_PERSON_WORDS and p.key[e] not in _FOREIGN_ORG_WORDS


# --------------------------------------------------------------------------------------
# Article level
# --------------------------------------------------------------------------------------

def _complete(o: _Org, prov_counts: dict, local_counts: dict | None = None):
    """Parts of a body with the article's province added when it is written bare (and
    its district, commune or ward: "công an xã" in a story about xã Tân Lộc)."""
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
        place = _choose_local(local_counts, o.level) \
            if local_counts and o.level in LOCAL_LEVELS else None
        return parts + place.split() if place else None  # "Công an huyện" with no name
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
        place = pv[0].split()
        if len(parts) > len(place) and [s.lower() for s in parts[-len(place):]] == [s.lower() for s in place]:
            parts = parts[:-len(place)]  # "Sở Công Thương Bắc Giang": the place is written, not its level
        return parts + pv[1].split() + place
    return parts


def _assemble_agencies(found, prov_counts, excluded, local_counts=None) -> list[str]:
    out: list[str] = []
    mentions: dict[str, int] = {}

    def add(text):
        if not text:
            return
        c = canonical_agency(text)
        if c and c not in _NOT_AGENCIES:
            if c.lower() not in mentions:
                out.append(c)
            mentions[c.lower()] = mentions.get(c.lower(), 0) + 1

    # a unique police body of the province, to attach "Phòng Cảnh sát ..." to
    police = set()
    for pi, kind, o in found:
        if kind == "chain":
            last = o[-1]
            if last.head and last.head[0] == "Công" and last.level in ("tỉnh", "thành phố"):
                c = _complete(last, prov_counts, local_counts)
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
        tail = _complete(last, prov_counts, local_counts)
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
    # a body named in a credit ("Ảnh: Bộ Quốc phòng Nga") is left out unless the story names it again
    return [c for c in out if c.lower() not in excluded or mentions[c.lower()] > 1]
