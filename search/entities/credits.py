"""Names that are not the article's subject: the byline author, credits and sources.

Decides which names to leave out of an article's persons and agencies: the author,
"Ảnh: X" / "Video: X" credits, "Theo X" / "Nguồn X" sources at the end, "Mai Liên/VOV"
style signatures and a short byline as the last line, and the masthead block.
"""
from __future__ import annotations

import re
import unicodedata

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


def _masthead_cut(paras: list) -> int:
    """Index of the first paragraph of a trailing masthead block ("Tổng biên tập: ...")."""
    return len(paras)
