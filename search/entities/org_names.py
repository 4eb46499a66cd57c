"""Reading one organisation's name at its head word.

Decides whether an organisation head ("Công an", "Ủy ban nhân dân", "Sở", "Công ty" ...
org_heads.txt) starts a name at a position, and how far the name runs: capitalised
words, organisation words, "và"/"-" between capitalised words, a ministry, an
administrative level and a place. The result is an ``_Org``; parent bodies and
whole-article decisions are left to ``agencies``.
"""
from __future__ import annotations

import re

from .lexicon import (_FIXED, _FIXED_FIRST, _FIXED_MAX, _FUNC, _FUNC_MULTI, _GIVEN, _HEAD_FIRST, _HEAD_MAX, _HEADS,
                      _LEX_SYLL, _LEXICON, _NOT_ORG_WORDS,
                      _MIN_MAX, _MINISTRIES, _ORG_WORDS, _ORG_WORDS_MAX, _PLACE_FIRST, _PLACE_MAX,
                      _PLACES, _PLACES_D, _PROV, _SCHOOL_KINDS, _SCHOOL_MAX, _TITLE_MAX, _TITLES, _syll_split)
from .places import _match_level, _person_like_at, _place_after
from .tokens import _Para, _match, _tok_end

class _Org:
    __slots__ = ("start", "end", "parts", "parse", "flags", "level", "place", "head")

    def __init__(self, start, end, parts, parse, flags, level=None, place=None, head=None):
        self.start, self.end, self.parts = start, end, parts
        self.parse, self.flags, self.level, self.place, self.head = parse, flags, level, place, head


# kinds of school named after their commune or district
_LOCAL_SCHOOL_KINDS = {"trung", "thcs", "thpt", "tiểu", "mầm", "mẫu", "phổ", "ptcs", "ptth"}

# a unit's number with a dot: "Trạm CSGT 1.48", "Công ty cổ phần Sông Đà 1.01"
_UNIT_NUMBER = re.compile(r"\d{1,2}\.\d{1,2}$")

# "Quốc <word>" written with one capital inside a name
_QUOC_TAILS = {"dân", "gia", "học", "tế", "phòng", "hội"}

# organisation heads that may be written in lower case before a capitalised name
_LC_HEADS = {"sở", "cục", "chi cục", "tổng cục", "trung tâm", "công ty", "tập đoàn",
             "ngân hàng", "bệnh viện", "tiệm vàng", "khách sạn", "viện", "học viện", "hãng",
             "câu lạc bộ", "đội tuyển", "ủy ban", "văn phòng", "thanh tra", "khoa", "chi nhánh",
             "tòa án", "viện kiểm sát", "đại học", "tổng công ty", "quỹ", "hiệp hội", "liên đoàn",
             "quân đội", "chính phủ", "nội các", "đảng", "không quân", "hải quân", "lục quân",
             "chính quyền"}

# heads that name a country's body with the country after them: "quân đội Anh", "Chính
# quyền Mỹ" ("Chính quyền" only so: not "Chính quyền Trump")
_COUNTRY_HEADS = {"quân đội", "chính phủ", "nội các", "không quân", "hải quân", "lục quân", "chính quyền"}

_LC_FIRST = {h.split()[0] for h in _LC_HEADS} | {"công", "ủy", "hội", "tòa", "viện", "bộ", "trường", "đoàn", "cơ"}


# what "Tổ chức" (to organise) is often followed by as a verb: "Tổ chức Lễ hội", "Tổ chức Giải"
_EVENT_FIRST = {"lễ", "hội", "giải", "cuộc", "chương", "tuần", "ngày", "đêm", "lớp", "khóa", "buổi", "đoàn", "đại"}


def _head_at(p: _Para, i: int):
    if p.key[i] not in _HEAD_FIRST:
        return None
    if i > 0 and p.cont[i] and p.cap[i] == 0 and not (
            p.key[i:i + 2] == ["công", "an"] and _tok_end(p, i) == i + 2 and _match_level(p, i + 2)):
        return None  # inside a word; but pyvi glues a verb to "công an": "ra_công_an quận Đống Đa"
    if i > 0 and p.cap[i - 1] == 1 and p.cap[i] == 1:
        m = _match(p.key, i - 1, p.n, _PLACES_D, _PLACE_MAX)
        if m and m[0] > 1:
            return None  # "Tây Ban Nha" is no "Ban"
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
    head = " ".join(p.key[i:e])
    if head == "chính quyền" and not (e < p.n and p.cap[e] == 1 and _match(p.key, e, p.n, _PLACES_D, _PLACE_MAX)):
        return None
    if head in _COUNTRY_HEADS and i > 1 and p.key[i - 2:i] in (["căn", "cứ"], ["sân", "bay"]):
        return None  # "căn cứ không quân Andrews" is a place
    if p.cap[i] == 0:
        if parse == "local":
            # "công an xã Tân Lộc", "công an Hà Tĩnh"; a bare "công an xã" only if the article
            # names its xã (completed later, or dropped)
            if not _match_level(p, e) and not (e < p.n and p.cap[e] == 1 and _match(p.key, e, p.n, _PROV, 5)):
                return None
        elif head == "trường" and e < p.n:
            # "trường mầm non Hạnh Thông Tây", "trường THPT Lê Quý Đôn": a kind of school, then a name
            k = _school_name_at(p, e)
            if k is None or k >= p.n or p.cap[k] == 0 or p.key[k] in _FUNC:
                return None
            if _country_only(p, k):
                return None  # "các trường đại học Mỹ": a country's schools
        elif head in _LC_HEADS and e < p.n:
            if p.cap[e] == 0 and not (p.text[e].isdigit() and canon[0] == "Bệnh"):
                return None
            country = head in _COUNTRY_HEADS and _match(p.key, e, p.n, _PLACES_D, _PLACE_MAX)
            if p.cap[e] and not country and (
                    p.key[e] in _FUNC or _person_like_at(p, e) or p.text[e] in _FIXED_FIRST
                    or _match(p.key, e, p.n, _PLACES_D, _PLACE_MAX)):
                return None
        elif p.key[i] == "phòng" and e + 1 < p.n and p.key[e] in ("cảnh", "pc") and p.cap[e]:
            pass
        elif head.startswith("cơ quan") and head.endswith("điều tra") and e + 1 < p.n and p.cap[e] \
                and p.key[e] in ("công", "bộ"):
            pass  # "cơ quan CSĐT Công an tỉnh Đồng Nai": the investigators of a police body
        elif head == "bộ" and e < p.n and p.cap[e] == 1 and _match(p.key, e, p.n, _MINISTRIES, _MIN_MAX):
            pass  # "bộ Y tế", "các bộ Y tế, Công Thương"
        else:
            return None
    return L, parse, flags, canon


def _read_place(p: _Para, e: int):
    """Level + place, or a bare province, at e -> (end, level, place syllables) or None."""
    lv = _match_level(p, e)
    if lv:
        end = _place_after(p, e + lv[0], lv[1])
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
        r = _read_place(p, e) if e < n and p.cap[e] == 0 else None
        if r is not None and r[1] and r[2]:
            # "Kho bạc Nhà nước tỉnh Phú Yên": a national body's branch, with its level and place
            return _Org(i, r[0], parts + [r[1]] + list(r[2]), parse, flags, r[1], r[2], head=canon)
        return _Org(i, e, parts, parse, flags, head=canon)
    if parse in ("local", "party"):
        if e + 1 < n and p.key[e] == "việt" and p.key[e + 1] == "nam" and canon[-1] in ("quốc", "Quốc", "MTTQ"):
            parts += ["Việt", "Nam"]
            e += 2
        level = place = None
        r = _read_place(p, e)
        if r is None and parse == "local":
            k = _run_to_place(p, e)  # "Trung tâm Y tế dự phòng tỉnh Lâm Đồng"
            if k is not None:
                r = _read_place(p, k)
                if r is not None:
                    parts += p.text[e:k]
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
    if canon[0] == "Thanh" and e < n and p.key[e] in ("các", "xây", "liên"):
        return None  # "Thanh tra các Sở ...", "thanh tra xây dựng": the work, not a body
    if canon == ["Trung", "tâm"] and _match_level(p, e):
        return None  # "trung tâm thành phố Đà Lạt": the city centre
    if canon == ["Đảng"] and e < n and (p.key[e] in _FUNC or any(
            tuple(p.key[e:e + L]) in _TITLES for L in range(1, _TITLE_MAX + 1))):
        return None  # "Đảng Cục trưởng", "Đảng Nguồn:"
    if canon in (["Cơ", "quan"], ["Tổ", "chức"], ["Diễn", "đàn"]) and (
            e >= n or p.cap[e] != 1 or p.key[e] in _EVENT_FIRST or _head_at(p, e) is not None
            or " ".join(p.key[e:_tok_end(p, e)]) not in _LEXICON):
        return None  # "Cơ quan Thống kê Canada", "Tổ chức Di trú Quốc tế"; not "Tổ chức Lễ hội ..."
    if canon == ["Bộ"] and e < n and p.key[e] == "luật":
        return None  # "Bộ luật hình sự": a code of law
    if canon == ["Vụ"] and (e >= n or p.cap[e] != 1 or " ".join(p.key[e:_tok_end(p, e)]) not in _LEXICON):
        return None  # "Vụ Pháp chế", not "Vụ De Gea" (the De Gea affair) or "Vụ 3"
    if canon == ["Hội"] and e < n:
        # "Hội Nông dân", "Hội Khoa học ...": a common-noun word must follow (not "Hội An")
        if p.cap[e] != 2 and (p.cap[e] == 0 or " ".join(p.key[e:e + 2]) not in _LEXICON):
            return None
    if canon[0] in ("Bộ", "Sở") and len(canon) == 1 and e < n:
        if canon[0] == "Bộ" and p.text[e] == ":" and i > 0 and p.key[i - 1] == "các" and e + 1 < n:
            e += 1  # "Các Bộ: Y tế, Công Thương"
        if p.text[e].isdigit():
            return None  # "Bộ 4" (a set of four), "Sở 2": no ministry or department
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
    if " ".join(p.key[i:e]) in _COUNTRY_HEADS and e < n and p.cap[e] == 1:
        m = _match(p.key, e, n, _PLACES_D, _PLACE_MAX)
        if m:  # "quân đội Anh": the country ends the name
            return _Org(i, e + m[0], parts + p.text[e:e + m[0]], "name", flags, None, p.text[e:e + m[0]], head=canon)
    start_e = e
    j = e
    last_cap_lex = True   # the last capitalised word is a common word ("Cảnh sát"), not a proper name
    named = "prov" not in flags and "sub" not in flags and canon[0] not in ("Sở", "Cục", "Tổng", "Vụ", "Viện", "Ủy", "Hội", "Ban", "Chi")
    last = e          # end of the name read so far
    parts_skip: list = []
    ntok = 0          # name words read
    after_place = False
    level = place = None
    if "school" in flags and p.cap[e] == 0:
        j = _school_name_at(p, e)  # "trường mầm non Hạnh Thông Tây"
        if j >= n or p.cap[j] == 0 or (_country_only(p, j) and p.key[e] not in _LOCAL_SCHOOL_KINDS):
            return None  # "trường đại học Mỹ"; but "trường trung học cơ sở Cầu Giấy" is named after its district
        last = j
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
            if ntok and not named and j + 2 < n and p.cap[j + 1] == 1 and p.cap[j + 2] == 1 \
                    and _person_like_at(p, j):
                break  # "Tổng cục Môi trường | Hoàng Dương Tùng": a department is not named after a person
            if ntok and _person_like_at(p, j) and (_ends_with_place(p, start_e, j) or (
                    p.cap[j - 1] == 2 and p.text[j - 1] in _FIXED_FIRST) or p.key[j - 1] in ("ương",)):
                break
            if ntok and c == 1 and _ends_with_place(p, start_e, j) and not p.tokcap[j - 1] is False:
                # "Bộ Ngoại giao Mỹ Heather Nauert": nothing after a country
                if tuple(p.key[j - 1:j]) in _PLACES or _ends_with_place(p, start_e, j):
                    break
            if ntok and c == 1 and p.tokcap[j] and any(tuple(p.key[j:j + L]) in _FUNC_MULTI for L in (2, 3)):
                break  # "... Đại học Pennsylvania | Thực tế, có 5 trường": a sentence the crawl ran on
            if c == 1 and p.key[j] in _FUNC and p.tokcap[j] and _tok_end(p, j) == j + 1 and ntok \
                    and tuple(p.key[j - 1:j + 1]) not in _PLACES:  # "Cu Ba": a place, not "ba" (three)
                break
            j2 = _tok_end(p, j)
            k = j
            while k < j2 and p.cap[k]:
                k += 1
            if j < k < j2 and (tuple(p.key[j:k]) in _PLACES or (k - j >= 2 and j2 - k == 1)):
                j2 = k  # pyvi glued the next words to a place or a name: "Hà_Nội_công_bố", "Lê_Quý_Đôn_đoạt"
            if j2 == j + 1 and j2 < n and not p.cap[j2] and p.text[j2].isalpha() and (
                    (p.key[j] == "quốc" and p.key[j2] in _QUOC_TAILS)
                    or (not p.cap[j - 1] and f"{p.key[j]} {p.key[j2]}" in _LEXICON)):
                # pyvi left a word with one capital apart: "Kinh tế Quốc dân", "Trung tâm Tuyển
                # sinh", "Ủy ban Chứng khoán" (after a capitalised word it may be a verb: "Hòa Phát triển")
                j2 += 1
            last_cap_lex = c == 2 or " ".join(p.key[j:j2]) in _LEXICON or (
                j2 - j == 1 and p.key[j] in _LEX_SYLL and p.key[j] not in _GIVEN)
            j = j2
            last = j
            ntok += 1
            continue
        if s[0].isdigit():
            score = j + 2 < n and p.text[j + 1] in ("-", ":", "–") and p.text[j + 2][0].isdigit()  # "2-0"
            year = len(s) == 4 and s[:2] in ("19", "20")  # "Bệnh viện 1979": a year
            if (len(s) <= 4 and s.isdigit() or _UNIT_NUMBER.match(s)) and j == last and not score and not year and (
                    ntok == 0 or p.cap[j - 1] or p.key[j - 1] in ("sở",)
                    or (len(s) <= 3 and not after_place and not p.text[j - 1][0].isdigit())):
                # "Bệnh viện 108", "Quân khu 5", "Bệnh viện Nhi đồng 1"
                j += 1
                last = j
                ntok += 1
                continue
            break
        if s == "số" and ntok and j == last and not after_place and j + 1 < n and p.text[j + 1].isdigit() \
                and len(p.text[j + 1]) <= 3 and not (j + 2 < n and p.text[j + 2][0].isdigit()):
            j += 2  # "Đội Cảnh sát giao thông số 14"
            last = j
            continue
        lv = _match_level(p, j)
        if lv and j + lv[0] < n and p.cont[j + lv[0]] and p.cap[j + lv[0]] == 0:
            lv = None  # "xã_hội" is no "xã"
        if lv:
            end = _place_after(p, j + lv[0], lv[1])
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
                and _head_at(p, j + 1) is None and not after_place \
                and not (s == "và" and (p.text[j - 1][0].isdigit() or _ends_with_place(p, start_e, j))):
            # (not "CLB Đồng Nai và Nam Định", "Quân khu 5 và Vòng Chung kết": two things)
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
            if ntok and j == last and (last_cap_lex or not named):
                k = _run_to_place(p, j)
                if k is not None:
                    j = last = k  # "Ban Quản lý khu kinh tế | tỉnh Hà Tĩnh": the place is read next
                    ntok += 1
                    last_cap_lex = True
                    if p.cap[k] == 1:  # a province or a country with no level: "... nhân văn Hà Nội"
                        m = _match(p.key, k, n, _PROV, 5) or _match(p.key, k, n, _PLACES_D, _PLACE_MAX)
                        place = p.text[k:k + m[0]]
                        j = last = k + m[0]
                        after_place = True
                    continue
            m = _match(p.key, j, n, _ORG_WORDS, _ORG_WORDS_MAX)
            if m and p.cap[j - 1] and tuple(p.key[j:j + m[0]]) == ("cấp", "cứu"):
                break  # "vào Bệnh viện Thanh Nhàn | cấp cứu": the verb (the unit is "Khoa Hồi sức cấp cứu")
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
    if len(parts) - len(canon) >= 2 and len(parts[-1]) == 1 and parts[-1].isupper():
        return None  # "Công ty Vận tải A": a body the story leaves anonymous (not "Bệnh viện K")
    if sum(1 for x in parts if len(x) <= 2 and x.isupper()) >= 3:
        return None  # "Đội Tr T H B BT BB": a table's header row
    return _Org(i, e, parts, "name", flags, level, place, head=canon)


def _run_to_place(p: _Para, j: int, limit: int = 8):
    """End of a run of lower-case words at j that a place follows ("khu kinh tế" in "Ban
    Quản lý khu kinh tế tỉnh Hà Tĩnh", "vừa và nhỏ" in "Hiệp hội Doanh nghiệp vừa và nhỏ
    thành phố Hà Nội"), or None: the words are the name's when none is a verb, a
    preposition or a determiner (not_org_words.txt)."""
    n = p.n
    k = j
    while k < n and k - j < limit and p.cap[k] == 0 and p.text[k].isalpha():
        if k > j and not p.cont[k]:
            lv = _match_level(p, k)
            if lv and _place_after(p, k + lv[0], lv[1]) is not None:
                return k
        e = _tok_end(p, k)
        if e - k > limit or tuple(p.key[k:e]) in _NOT_ORG_WORDS or any(
                tuple(p.key[a:a + 2]) in _NOT_ORG_WORDS for a in range(k, e - 1)):
            return None
        k = e
    if k > j and k < n and p.cap[k] == 1 and not p.cont[k] and (
            _match(p.key, k, n, _PROV, 5) or _country_only(p, k)):
        return k  # "... nhân văn Hà Nội", "Công ty CP thanh toán quốc gia Việt Nam"
    return None


# words between a kind of school and its name: "trường THPT chuyên", "trường mầm non dân lập"
_SCHOOL_QUALIFIERS = {"chuyên", "công", "dân", "lập", "bán", "trú"}


def _school_name_at(p: _Para, e: int):
    """Where a school's name begins after its kind and qualifiers at e ("THPT chuyên |
    Nguyễn Huệ") -> index, or None when no kind of school stands at e."""
    mk = _match(p.key, e, p.n, _SCHOOL_KINDS, _SCHOOL_MAX)
    if not mk:
        return None
    k = e + mk[0]
    while k < p.n and p.cap[k] == 0 and p.key[k] in _SCHOOL_QUALIFIERS:
        k += 1
    return k


def _country_only(p: _Para, k: int) -> bool:
    """Is the capitalised name at k just a place ("Mỹ" in "trường đại học Mỹ")?"""
    m = _match(p.key, k, p.n, _PLACES_D, _PLACE_MAX)
    return bool(m) and (k + m[0] >= p.n or p.cap[k + m[0]] == 0)


def _ends_with_place(p: _Para, a: int, j: int) -> bool:
    """Do the syllables before j (from a) end with a known place or country?"""
    for L in (1, 2, 3):
        if j - L >= a and tuple(p.key[j - L:j]) in _PLACES:
            return True
    return False


def _match_fixed(p: _Para, i: int):
    """A fixed name as written at i ("Quốc hội", "UEFA", known_orgs.txt) -> (length, canonical)."""
    if p.text[i] not in _FIXED_FIRST:
        t = p.text[i]
        if t.endswith(".") and t[:-1] in _FIXED_FIRST:
            # "trên HOSE." at a sentence's end (pyvi keeps the stop); "SHB. Đà Nẵng" a club
            for L in range(min(_FIXED_MAX, p.n - i), 0, -1):
                v = _FIXED.get((t[:-1],) + tuple(p.text[i + 1:i + L]))
                if v is not None:
                    return L, v
        return None
    for L in range(min(_FIXED_MAX, p.n - i), 0, -1):
        v = _FIXED.get(tuple(p.text[i:i + L]))
        if v is not None:
            e = i + L
            if e < p.n and p.cont[e] and p.cap[e] == 0:
                return None
            return L, v
    return None
