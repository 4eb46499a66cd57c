"""The fast segmenter gives exactly pyvi's words; the analysis forms."""
import random

from pyvi.ViTokenizer import ViTokenizer

from search.analysis import fold, syllables
from search.segment import segment, sylabelize

from conftest import sample_articles


def test_segment_is_identical_to_pyvi_on_real_paragraphs():
    # segment.py scores syllables with pyvi's CRF weights itself: any slip in the weights,
    # the order of additions or Viterbi's tie-breaking shows up as a different word here.
    paragraphs = [p for a in sample_articles() for p in [a["title"]] + a["body"].split("\n")
                  if p.strip()][::8]
    assert len(paragraphs) >= 2000
    for p in paragraphs:
        assert " ".join(segment(p)) == ViTokenizer.tokenize(p)


def test_segment_is_identical_to_pyvi_on_edge_cases():
    for text in ["A", "Hà", "HÀ NỘI", "Ngày 26/12/2022, TP.HCM có 1.234 ca mắc mới.",
                 "Ông Nguyễn Quang Thống - Giám đốc Sở Y tế", "email: a.b@example.com ->",
                 "http://example.com/x?y=1 và ... >> ==> İstanbul", "123 456", "\u00a0x \t y"]:
        assert " ".join(segment(text)) == ViTokenizer.tokenize(text), text


def test_sylabelize_is_identical_to_pyvi_on_tricky_strings():
    # sylabelize skips pyvi's pattern on runs of letters and digits: strings made of the
    # pieces its alternatives care about (dots, URLs, e-mails, numbers, arrows, odd spaces).
    pieces = list("aAđĐbTpMrsDhS.=->\n@:/_,09 \t\u00a0\u2003Ôế²½") + [
        "http://", "a@b.c", "Tp.", "ThS.", "Mrs.", "...", "1.2", "1_2", "==>", ">>", "UBND."]
    rnd = random.Random(7)
    for _ in range(5000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 12)))
        assert sylabelize(text) == ViTokenizer.sylabelize(text)[1], text


def test_segment_empty_and_punctuation_only():
    assert segment("") == []
    assert segment("...") == ["..."]


def test_fold_removes_diacritics_and_d_stroke():
    assert fold("Công an tỉnh Lâm Đồng") == "cong an tinh lam dong"
    assert fold("Đắk Lắk") == "dak lak"


def test_syllables_and_words():
    assert syllables("Bộ Công an, UBND_tỉnh") == ["bộ", "công", "an", "ubnd", "tỉnh"]
    # Lower-casing "İ" adds a combining dot: the syllable must stay whole.
    assert syllables("İstanbul") == ["İstanbul".lower()]
    assert "Công_an" in segment("Bộ Công an cho biết")
