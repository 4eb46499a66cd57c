"""The single declaration of what an article becomes in the Whoosh index.

Text fields are "pre-analysed": the indexer computes postings (term, frequency, weight,
encoded value) itself and Whoosh only writes them, so Whoosh's per-token analyzer
pipeline never runs. Every posting and term costs writing time (segment_writer.py), so the
fields hold no redundancy:

  {title,body}_f  folded syllables with positions: matching and phrases ("cong an")
  {title,body}_s  the syllables that carry diacritics, frequencies: ranks matches with
                  the diacritics as typed higher (a syllable without any is in _f already)
  {title,body}_w  pyvi compound words, frequencies: ranks whole-word matches with the
                  diacritics as typed higher ("công_an"; one-syllable words are in _s)
  date, year, month, source, agency, person: facet terms, one per value (Whoosh's own
                  faceting can use them; timtin counts from the `facets` column)
  key             column "id\\thash": lets an incremental reindex see what changed
                  without reading stored documents
"""
from __future__ import annotations

from collections import Counter

from whoosh import columns, fields, formats
from whoosh.system import emptybytes, pack_uint

_POSITIONS = formats.Positions()
MAX_TERM_CHARS = 64  # longer "syllables" are noise (base64, URLs) and bloat the lexicon

# Bump when the analysis or this schema changes: the next reindex then rebuilds whole,
# and a server refuses an index of another version (with a message saying to rebuild).
ANALYSIS_VERSION = "8"



class PreAnalyzed(fields.FieldType):
    """A field whose value is already a list of (btext, freq, weight, encoded) postings."""

    def __init__(self, positions: bool = False, scorable: bool = True):
        self.format = formats.Positions() if positions else (
            formats.Frequency() if scorable else formats.Existence())
        self.analyzer = None
        self.scorable = scorable
        self.stored = False
        self.unique = False
        self.vector = None
        self.multitoken_query = "default"
        self.set_sortable(False)

    def index(self, value, **kwargs):
        return value

    def process_text(self, qstring, mode="", **kwargs):
        return iter([qstring])


class ColumnOnly(fields.FieldType):
    """A per-document string kept in a column: fast random access without reading the
    stored document (used to re-rank top hits by their title)."""

    def __init__(self):
        self.format = None
        self.analyzer = None
        self.indexed = self.scorable = self.stored = self.unique = False
        self.vector = None
        self.column_type = columns.VarBytesColumn()

    def to_column_value(self, value):
        return value.encode("utf-8")

    def from_column_value(self, value):
        return value.decode("utf-8")


def positional_postings(terms: list[str]):
    positions: dict[str, list[int]] = {}
    for i, term in enumerate(terms):
        p = positions.get(term)
        if p is None:
            positions[term] = [i]
        else:
            p.append(i)
    out = []
    for t, p in positions.items():
        if len(t) > MAX_TERM_CHARS:
            continue
        if len(p) == 1 and p[0] < _SINGLE_LIMIT:  # most terms: one position, encoded once
            value = _SINGLE.get(p[0]) or _SINGLE.setdefault(p[0], _POSITIONS.encode(p))
            out.append((t.encode("utf-8"), 1, 1.0, value))
        else:
            out.append((t.encode("utf-8"), len(p), float(len(p)), _POSITIONS.encode(p)))
    return out


_SINGLE: dict[int, bytes] = {}
_SINGLE_LIMIT = 20_000


def frequency_postings(terms: list[str]):
    return [(t.encode("utf-8"), n) + (_FREQ[n] if n < len(_FREQ) else (float(n), pack_uint(n)))
            for t, n in Counter(terms).items() if len(t) <= MAX_TERM_CHARS]


_FREQ = [(float(n), pack_uint(n)) for n in range(256)]  # (weight, encoded) of small counts


def value_postings(values):
    return [(v.encode("utf-8"), 1, 1.0, emptybytes) for v in dict.fromkeys(values) if v]


def build_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        key=ColumnOnly(),            # "id\thash", read by an incremental reindex
        title_f=PreAnalyzed(positions=True), body_f=PreAnalyzed(positions=True),
        title_s=PreAnalyzed(), body_s=PreAnalyzed(),
        title_w=PreAnalyzed(), body_w=PreAnalyzed(),
        title_syllables=ColumnOnly(),  # the title's lower-cased syllables, space-separated
        facets=ColumnOnly(),           # date, source, agencies, persons (facets.facet_record)
        date=fields.ID(stored=True),
        year=PreAnalyzed(scorable=False), month=PreAnalyzed(scorable=False),
        source=PreAnalyzed(scorable=False),
        agency=PreAnalyzed(scorable=False), person=PreAnalyzed(scorable=False),
        # What a result page shows; stored, not indexed.
        title=fields.STORED(), body=fields.STORED(), source_name=fields.STORED(),
        category=fields.STORED(), url=fields.STORED(), author=fields.STORED(),
        agencies=fields.STORED(), persons=fields.STORED(),
        seq=fields.STORED(),  # (run, order read): the later of two equal ids wins
    )
