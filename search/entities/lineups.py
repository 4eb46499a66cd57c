"""Sport line-ups: lists of players' names with no cue word before each.

"Roma: Svilar; Mancini, Ndicka, Hermoso; Celik, …" names a dozen persons that neither a
title nor a family name announces, and foreign ones that no word list holds. A run of
five or more capitalised names of one to four words, separated by commas and semicolons,
is a line-up when it holds a semicolon (the lines of a formation) or follows a line-up
word ("đội hình", "dự bị", "xuất phát") in the paragraph; each name in it is a person.
"""
from __future__ import annotations

import re

_UPPER = "A-ZÀÁẢÃẠĂẮẰẲẴẶÂẤẦẨẪẬĐÈÉẺẼẸÊẾỀỂỄỆÌÍỈĨỊÒÓỎÕỌÔỐỒỔỖỘƠỚỜỞỠỢÙÚỦŨỤƯỨỪỬỮỰỲÝỶỸỴÄÖÜÇÑ"
_WORD = rf"[{_UPPER}][^\W\d_]*(?:['’\-][^\W\d_]+)*"
_PARTICLE = r"(?:de|da|van|der|den|di|dos|del|la|le|el|al)"
_NAME = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{0,3}}"
_ITEM = rf"{_NAME}(?:\s*\([^()]{{1,20}}\))?"
_RUN = re.compile(rf"(?<![\w])({_ITEM}(?:\s*[,;]\s*{_ITEM}){{4,}})(?![\w])")
_CUE = re.compile(r"(đội hình|dự bị|xuất phát|ra sân|line-up|lineup)", re.IGNORECASE)
CUE_BEFORE = 300  # characters before a run searched for a line-up word
_NAME_RE = re.compile(_NAME)
MIN_NAMES = 5


def lineup_names(text: str) -> list[tuple[int, int]]:
    """Character spans of the players' names in the line-ups of one paragraph."""
    out = []
    for m in _RUN.finditer(text):
        run = m.group(1)
        before = text[max(0, m.start() - CUE_BEFORE):m.start()]
        if ";" not in run and not _CUE.search(before):
            continue
        names = _names_in(run, m.start())
        if names and text[m.end():m.end() + 1] == ":":
            # "…, Ibrahimovic Watford: Gomes, …": the last word names the next team
            a, b = names[-1]
            cut = text.rfind(" ", a, b)
            names[-1:] = [(a, cut)] if cut > a else []
        if len(names) >= MIN_NAMES:
            out += names
    return out


def _names_in(run: str, offset: int) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for piece in re.split(r"(\s*[,;]\s*)", run):
        if piece and not re.fullmatch(r"\s*[,;]\s*", piece):
            n = _NAME_RE.search(piece)
            if n:
                start, end = n.start(), n.end()
                # a byline glued after the last name: "Zarate CTV Bảo Long"
                caps = re.search(r"\s[A-ZĐ]{2,}\b", piece[start:end])
                if caps:
                    end = start + caps.start()
                out.append((offset + pos + start, offset + pos + end))
        pos += len(piece)
    return out
