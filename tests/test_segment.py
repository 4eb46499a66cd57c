"""The fast segmenter gives exactly pyvi's words; the analysis forms."""
from pyvi.ViTokenizer import ViTokenizer

from search.analysis import fold, syllables
from search.segment import segment

from conftest import sample_articles


def test_segment_is_identical_to_pyvi_on_real_paragraphs():
    paragraphs = [p for a in sample_articles()[::15] for p in a["body"].split("\n") if p.strip()]
    paragraphs = paragraphs[:600]
    assert len(paragraphs) >= 500
    for p in paragraphs:
        assert " ".join(segment(p)) == ViTokenizer.tokenize(p)


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
