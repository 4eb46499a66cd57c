"""The grouped segment writer must write what Whoosh's own SegmentWriter writes: the same
terms, term statistics, postings, lengths and stored fields, on real analysed articles."""
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from search.corpus import Article
from search.indexer import analyse
from search.schema import build_schema
from search.segment_writer import BLOCK, GroupedSegmentWriter

FIELDS = ("id", "title", "body", "date", "source", "category", "url", "author")


def _build(folder, cls, docs, **kwargs):
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), build_schema())
    writer = cls(ix, **kwargs)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return ix


def _dump(ix):
    """Everything a reader can tell about the index, in comparable form."""
    with ix.searcher() as s:
        r = s.reader()
        terms = {}
        for field, btext in r.all_terms():
            info = r.term_info(field, btext)
            m = r.postings(field, btext)
            postings = []
            while m.is_active():
                postings.append((m.id(), m.weight(), m.value()))
                m.next()
            terms[field, btext] = (info.doc_frequency(), info.weight(), info.min_length(),
                                   info.max_length(), info.max_weight(), info.min_id(),
                                   info.max_id(), postings)
        lengths = {f: [r.doc_field_length(d, f) for d in range(r.doc_count_all())]
                   for f in ix.schema.scorable_names()}
        stored = [r.stored_fields(d) for d in range(r.doc_count_all())]
        columns = [list(r.column_reader(f)) for f in ("key", "facets", "title_syllables")]
    return terms, lengths, stored, columns


def test_grouped_writer_writes_what_whoosh_writes(tmp_path, test_articles):
    docs = [analyse(Article(**{k: a.get(k) for k in FIELDS}), (1, i))
            for i, a in enumerate(test_articles)]
    expected = _dump(_build(tmp_path / "whoosh", SegmentWriter, docs))
    # limitmb=1 spills the postings to several sorted runs that the flush must merge.
    grouped = _build(tmp_path / "grouped", GroupedSegmentWriter, docs, limitmb=1)
    terms = expected[0]
    assert len(terms) > 5000
    # Posting lists of one block, of several, and ending exactly on a block boundary.
    sizes = {len(t[-1]) for t in terms.values()}
    assert 1 in sizes and max(sizes) > 2 * BLOCK and {BLOCK, 2 * BLOCK} & sizes
    assert _dump(grouped) == expected


def test_grouped_writer_merges_older_segments(tmp_path, test_articles):
    """Whoosh merges older segments into the new one through the pool's add()."""
    docs = [analyse(Article(**{k: a.get(k) for k in FIELDS}), (1, i))
            for i, a in enumerate(test_articles[:60])]
    dumps = []
    for cls in (SegmentWriter, GroupedSegmentWriter):
        ix = _build(tmp_path / cls.__name__, SegmentWriter, docs[:30])
        writer = cls(ix)
        for doc in docs[30:]:
            writer.add_document(**doc)
        writer.commit(optimize=True)
        assert len(ix.reader().leaf_readers()) == 1
        dumps.append(_dump(ix))
    assert dumps[0] == dumps[1]


def test_single_posting_path_writes_the_general_paths_bytes():
    from whoosh.formats import Positions

    from search.segment_writer import _posting_blocks, _single_posting

    values = [Positions().encode([3]), Positions().encode(list(range(0, 900, 3))), b"\x05", b""]
    for docnum in (0, 7, 1499):
        for weight in (1.0, 3.0, 300.0):
            for lengths in (None, [0] * 1500, [docnum % 9] * 1500):
                for value, fixed in zip(values, (None, None, 1, 0)):
                    postings = [docnum, weight, value]
                    assert _single_posting(*postings, lengths, fixed) == \
                        _posting_blocks(postings, lengths, fixed)
