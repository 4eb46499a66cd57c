"""Extraction of persons and agencies (organisations) from Vietnamese news.

Agencies come from rules; persons from a trained sequence tagger (``tagger``: a CRF
over tokens, search/data/persons.crfsuite) that reads the rules' verdicts and what the
whole corpus writes before each name (``contexts``, search/data/name_contexts.tsv.gz) as
features. Inputs: pyvi word boundaries (passed in by the indexer), capitalisation and the
word lists in ``search/data/*.txt`` (loaded once at import).

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
3. Persons (the rules' reading, which the tagger weighs; names cut to initials, "Phạm S.",
   are taken from it as they are): maximal runs of capitalised syllables outside agencies and places, taken when a
   title or honorific stands before them ("Đại tá", "ông", "HLV" ...), when they open with a
   Vietnamese family name, or when they look like a foreign name. Short later mentions
   ("ông Thống") resolve to the longest form of the same person; the byline author,
   "Theo X", "Ảnh: X" credits and the masthead are left out.

Modules, from the bottom of the dependency graph up: ``lexicon`` (word lists and tables),
``tokens`` (the paragraph's syllable stream), ``places``, ``org_names`` (one name at a
head), ``canonical`` (``canonical_agency``), ``sides`` (sports sides), ``agencies``, ``persons``, ``credits``
(bylines and credits left out), ``lineups``, ``contexts``, ``tagger`` and ``extract``
(``extract_entities``).
"""
from __future__ import annotations

from .canonical import canonical_agency
from .extract import Entities, extract_entities
from .lexicon import place_names

__all__ = ["Entities", "extract_entities", "canonical_agency", "place_names"]
