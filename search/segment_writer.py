"""A Whoosh segment writer that groups postings by term as documents arrive.

Whoosh's own SegmentWriter turns every posting into a tuple, sorts them all, and then
writes them one Python call at a time: ~10 µs per posting, the larger part of indexing
time. Here each field keeps term → [docnum, weight, value, docnum, …] lists; a flush
sorts the terms (not the postings) and writes each term's blocks in one go. The bytes
on disk are Whoosh 2.7.4's W3 format (the same block layout W3PostingsWriter writes), so
every Whoosh reader reads the segments as before.

It serves timtin's schema: no field boosts, spelling words or term vectors. Memory stays
bounded: when the postings held pass a limit they are spilled, term by term, to a sorted
run in an anonymous temporary file, and the flush merges the runs.
"""
from __future__ import annotations

import heapq
import marshal
import tempfile
import zlib
from array import array
from itertools import groupby
from operator import itemgetter, sub
from pickle import dumps

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from .pairs import PairIndex, PairWriter
from .term_arrays import TermArrayWriter

BLOCK = 128           # postings per block: Whoosh's default block limit
COMPRESS_ABOVE = 256  # bytes; zlib's set-up costs more than it saves on tiny blocks
POSTING_BYTES = 100   # rough memory per held posting, to turn limitmb into a count
_TERMINFO = W3TermInfo._struct


class GroupedPostings:
    """Postings grouped by field and term, spilled to sorted runs past a limit."""

    def __init__(self, folder: str, limitmb: int = 128):
        self.folder = folder
        self.limit = limitmb * 1024 * 1024 // POSTING_BYTES
        self.held = 0
        self.fields: dict[str, dict[bytes, list]] = {}
        self.runs: list = []

    def add_field(self, fieldname: str, docnum: int, items) -> int:
        """Add one document's postings of one field; returns the sum of frequencies."""
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = {}
        get = terms.get
        length = n = 0
        for btext, freq, weight, value in items:
            postings = get(btext)
            if postings is None:
                terms[btext] = [docnum, weight, value]
            else:
                postings += (docnum, weight, value)
            length += freq
            n += 1
        self.held += n
        if self.held > self.limit:
            self.spill()
        return length

    def add(self, item) -> None:
        """Whoosh's pool interface, one (fieldname, btext, docnum, weight, value) posting:
        used when Whoosh merges an older segment into this one."""
        fieldname, btext, docnum, weight, value = item
        self.add_field(fieldname, docnum, ((btext, 0, weight, value or b""),))

    def _sorted_terms(self):
        for fieldname in sorted(self.fields):
            terms = self.fields[fieldname]
            for btext in sorted(terms):
                yield fieldname, btext, terms[btext]

    def spill(self) -> None:
        run = tempfile.TemporaryFile(dir=self.folder, prefix="timtin-run-")
        for record in self._sorted_terms():
            marshal.dump(record, run)
        run.seek(0)
        self.runs.append(run)
        self.fields = {}
        self.held = 0

    def grouped(self):
        """(fieldname, [(btext, postings)…]) per field in order, runs merged: a term's
        postings are concatenated in the order they were added, so docnums ascend."""
        sources = [_read_run(run) for run in self.runs] + [self._sorted_terms()]
        merged = heapq.merge(*sources, key=itemgetter(0, 1)) if self.runs else sources[0]
        for fieldname, records in groupby(merged, key=itemgetter(0)):
            yield fieldname, _join_terms(records)

    def cleanup(self) -> None:
        for run in self.runs:
            run.close()
        self.runs = []
        self.fields = {}


def _read_run(run):
    while True:
        try:
            yield marshal.load(run)
        except EOFError:
            return


def _join_terms(records):
    for btext, same in groupby(records, key=itemgetter(1)):
        postings = next(same)[2]
        for _, _, more in same:
            postings += more  # runs are in the order written, so docnums still ascend
        yield btext, postings


class GroupedSegmentWriter(SegmentWriter):
    """SegmentWriter with GroupedPostings in place of Whoosh's sorting pool."""

    def __init__(self, ix, limitmb: int = 128, **kwargs):
        # Not compound: Whoosh reads a compound segment's parts into memory (a private copy
        # of the postings in every serving process); separate files are read in place.
        kwargs.setdefault("compound", False)
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.pool = GroupedPostings(ix.storage.folder, limitmb)
        self.pairs = PairWriter()
        self.term_arrays = TermArrayWriter()

    def add_document(self, **fields):
        """fields as Whoosh takes them, plus `_pairs`: {field: (pair keys, counts)}."""
        self._check_state()
        pdw = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        for field, (keys, tfs) in (fields.get("_pairs") or {}).items():
            self.pairs.add(docnum, field, keys, tfs)
        names = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, names)
        pdw.start_doc(docnum)
        for name in names:
            value = fields[name]
            if value is None:
                continue
            field = schema[name]
            length = 0
            if field.indexed:
                length = self.pool.add_field(name, docnum, field.index(value))
                if not field.scorable:
                    length = 0
            pdw.add_field(name, field, value if field.stored else None, length)
            if field.column_type:
                pdw.add_column_value(name, field.column_type, field.to_column_value(value))
        pdw.finish_doc()
        self._added = True
        self.docnum += 1

    def add_reader(self, reader):
        """Whoosh merging an older segment into this one: its pairs come along, renumbered
        as Whoosh renumbers its documents (in order, deleted ones left out)."""
        base = self.docnum
        n = reader.doc_count_all()
        live = np.array([not reader.is_deleted(d) for d in range(n)], bool)
        renumber = np.where(live, base + np.cumsum(live) - 1, -1).astype(np.int32)
        try:
            self.pairs.add_index(PairIndex(self.storage.folder, reader.segment().segment_id()),
                                 renumber)
        except FileNotFoundError:  # a segment Whoosh's own writer wrote: from its text
            for old in np.flatnonzero(live).tolist():
                self.pairs.add_text(int(renumber[old]), reader.stored_fields(old))
        super().add_reader(reader)

    def _finalize_segment(self):
        # The serving arrays are written once the segment is complete (and assembled into a
        # compound file if one were asked for, which would otherwise swallow them).
        segment = super()._finalize_segment()
        self.pairs.write(self.storage.folder, segment.segment_id())
        self.term_arrays.write(self.storage.folder, segment.segment_id(), self.docnum,
                               [name for name, f in self.schema.items() if f.scorable])
        return segment

    def _flush_segment(self):
        self.perdocwriter.close()
        reader = self.per_document_reader()
        try:
            fw = self.fieldwriter
            for structfile in (fw._postfile, fw._tindex.dbfile):
                structfile.file = _CountingFile(structfile.file)
            for fieldname, terms in self.pool.grouped():
                field = self.schema[fieldname]
                fw.start_field(fieldname, field)
                # The lengths Whoosh's reader gives (byte-quantised), read once per field.
                lengths = ([reader.doc_field_length(d, fieldname, 0)
                            for d in range(reader.doc_count_all())] if field.scorable else None)
                fixed = field.format.fixed_value_size()
                shared: dict = {}
                serving = self.term_arrays if field.scorable else None
                if serving is not None:
                    serving.add_lengths(fieldname, lengths)
                for btext, postings in terms:
                    _write_term(fw, btext, postings, lengths, fixed, shared)
                    if serving is not None:
                        serving.add_term(fieldname, btext, postings)
                fw.finish_field()
            fw.close()
        finally:
            reader.close()


class _CountingFile:
    """A file whose position is counted, not asked for: a buffered file's tell() is an
    lseek call, and writing a term asks for the position three times."""

    def __init__(self, f):
        self._f = f
        self._pos = f.tell()

    def write(self, data) -> int:
        n = self._f.write(data)
        self._pos += n
        return n

    def tell(self) -> int:
        return self._pos

    def seek(self, *args) -> int:
        self._pos = self._f.seek(*args)
        return self._pos

    def __getattr__(self, name):
        return getattr(self._f, name)


def _write_term(fw, btext: bytes, postings: list, lengths: list | None, fixed,
                shared: dict | None = None) -> None:
    """Write one term's posting list in W3 blocks, the bytes W3PostingsWriter would write
    (but for compression, which each block records for itself), and its W3TermInfo row.

    Terms of one field found once, in the same document with the same weight and value,
    have the same posting block: it is written once and their rows all point at it (most
    pairs of syllables occur in one article of a segment: a block each doubled the index)."""
    if len(postings) == 3:  # most terms of a segment are in one document
        key = tuple(postings)
        known = shared.get(key) if shared is not None else None
        if known is not None:
            fw._tindex.add(pack_ushort(fw._fieldid) + btext, known)
            return
        block, info = _single_posting(*postings, lengths, fixed)
    else:
        key = None
        block, info = _posting_blocks(postings, lengths, fixed)
    postfile = fw._postfile
    start = postfile.tell()
    postfile.write(block)
    row = info + pack_long(start) + pack_int(len(block))
    fw._tindex.add(pack_ushort(fw._fieldid) + btext, row)
    if key is not None and shared is not None:
        shared[key] = row


def _single_posting(docnum: int, weight: float, value: bytes, lengths: list | None, fixed):
    """_posting_blocks for a list of one posting, without its loops and slices."""
    length = lengths[docnum] if lengths is not None else 0
    minlength = length or None
    maxweight = max(0, weight)
    # weights are frequencies: exact as the float32 the general path rounds them to
    mweights = None if weight == 1.0 else weight
    mvalues = None if fixed == 0 else ((value,) if fixed is None or fixed < 0 else value)
    data = dumps(((docnum,), mweights, mvalues), 2)
    comp = 3 if len(data) > COMPRESS_ABOVE else 0
    if comp:
        data = zlib.compress(data, comp)
    lbyte = length_to_byte(minlength)
    infobytes = dumps((1, docnum, maxweight, comp, lbyte, length_to_byte(length)), 2)
    block = b"".join((WHOOSH3_HEADER_MAGIC, pack_int(-(len(infobytes) + len(data))), infobytes, data))
    info = _TERMINFO.pack(0, float(weight), 1, lbyte, length_to_byte(length), maxweight, docnum, docnum)
    return block, info


def _posting_blocks(postings: list, lengths: list | None, fixed):
    """A term's posting list ([docnum, weight, value, ...]) as W3 blocks, and the start of
    its W3TermInfo row."""
    ids = postings[0::3]
    weights = array("f", postings[1::3])
    values = postings[2::3] if fixed != 0 else None
    total = len(ids)
    out = [WHOOSH3_HEADER_MAGIC]
    weight_sum = 0.0
    term_min = None    # the term's smallest non-zero document length
    term_max = 0       # its largest
    term_maxweight = 0
    for i in range(0, total, BLOCK):
        if total > BLOCK:
            bids, bweights = ids[i:i + BLOCK], weights[i:i + BLOCK]
            bvalues = values[i:i + BLOCK] if values is not None else None
        else:
            bids, bweights, bvalues = ids, weights, values
        n = len(bids)
        minlength, maxlength = None, 0
        if lengths is not None:
            blens = [x for x in map(lengths.__getitem__, bids) if x]
            if blens:
                minlength, maxlength = min(blens), max(blens)
                term_min = minlength if term_min is None else min(term_min, minlength)
                term_max = max(term_max, maxlength)
        maxweight = max(0, max(bweights))
        term_maxweight = max(term_maxweight, maxweight)
        weight_sum += sum(bweights)

        deltas = tuple(map(sub, bids, [0] + bids[:-1])) if n > 1 else (bids[0],)
        if bweights.count(1.0) == n:
            mweights = None
        elif bweights.count(bweights[0]) == n:
            mweights = bweights[0]
        else:
            mweights = tuple(bweights)
        if bvalues is None:
            mvalues = None
        else:  # pre-analysed values are never empty (Whoosh's writer drops empty ones)
            mvalues = tuple(bvalues) if fixed is None or fixed < 0 else b"".join(bvalues)
        data = dumps((deltas, mweights, mvalues), 2)
        comp = 3 if len(data) > COMPRESS_ABOVE else 0
        if comp:
            data = zlib.compress(data, comp)
        infobytes = dumps((n, bids[-1], maxweight, comp,
                           length_to_byte(minlength), length_to_byte(maxlength)), 2)
        size = len(infobytes) + len(data)
        out += (pack_int(-size if i + BLOCK >= total else size), infobytes, data)
    block = b"".join(out)
    info = _TERMINFO.pack(0, weight_sum, total, 0 if term_min is None else length_to_byte(term_min),
                          length_to_byte(term_max), term_maxweight, ids[0], ids[-1])
    return block, info
