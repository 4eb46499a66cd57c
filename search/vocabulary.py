"""How the archive writes each word once its diacritics are removed.

An unaccented query ("dong dat") cannot be segmented by pyvi; query.py groups its
syllables into words and picks their likeliest diacritics from these counts, read from
the index's own lexicon: "dong dat" → {"động đất": 2,310, "đồng đất": 12, …}.

  words      folded pyvi compound words → their written forms with occurrence counts
             (from the _w fields: every compound pyvi found in a title or body)
  syllables  folded syllables → written forms with counts (accented forms from the _s
             fields; the plain form is the folded total minus the accented ones)
  pairs      folded pairs of adjacent title syllables → written pairs with counts: the
             context that picks a lone syllable's diacritics ("tinh" after "công an" is
             "tỉnh", not the more frequent "tình")

Built when a generation is written (vocabulary.tsv.gz beside the segments) or, for an
index that lacks the file, from the lexicon when a snapshot opens.
"""
from __future__ import annotations

import gzip
import math
from collections import defaultdict
from pathlib import Path

from .analysis import fold
from .analysis import syllables as syllables_of

FILE = "vocabulary.tsv.gz"
MIN_WORD_COUNT = 2  # a compound written once is as likely a typo as a word


class Vocabulary:
    def __init__(self, words: dict[str, dict[str, int]], syllables: dict[str, dict[str, int]],
                 pairs: dict[str, dict[str, int]] | None = None):
        self.words = words          # "dong dat" → {"động đất": n, …}
        self.syllables = syllables  # "dong" → {"đông": n, "động": m, "dong": k, …}
        self.pairs = pairs or {}    # "an tinh" → {"an tỉnh": n, "an tình": m, …}
        self.totals = {k: sum(v.values()) for k, v in words.items()}
        # A syllable's uses as a word of its own: its uses less those inside compounds.
        inside: dict[str, int] = defaultdict(int)
        for key, n in self.totals.items():
            for s in key.split(" "):
                inside[s] += n
        self.alone = {k: max(1, sum(v.values()) - inside.get(k, 0))
                      for k, v in syllables.items()}
        self.token_count = max(1, sum(self.alone.values()) + sum(self.totals.values()))

    def forms(self, folded: str) -> list[tuple[str, int]]:
        """Written forms of a folded word or syllable, most frequent first."""
        table = self.words.get(folded) if " " in folded else self.syllables.get(folded)
        return sorted((table or {}).items(), key=lambda kv: (-kv[1], kv[0]))

    def pair_forms(self, folded_pair: str) -> dict[str, int]:
        return self.pairs.get(folded_pair, {})

    def log_prob(self, folded: str) -> float | None:
        """Log-probability of folded as one word of a text (a unigram model over the
        archive's pyvi words); None if the archive never writes it as a word."""
        count = self.totals.get(folded) if " " in folded else self.alone.get(folded)
        return math.log(count / self.token_count) if count else None

    # -- building and storing --------------------------------------------------------

    @classmethod
    def from_reader(cls, reader) -> "Vocabulary":
        def totals(field):
            out: dict[str, int] = defaultdict(int)
            for leaf, _ in reader.leaf_readers():
                if field not in leaf.schema or not leaf.doc_count_all():
                    continue
                for btext, info in leaf.iter_field(field):
                    text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
                    out[text] += int(info.weight())
            return out

        words: dict[str, dict[str, int]] = defaultdict(dict)
        for field in ("title_w", "body_w"):
            for text, n in totals(field).items():
                form = " ".join(syllables_of(text))
                key = fold(form)
                if " " not in form:
                    continue
                words[key][form] = words[key].get(form, 0) + n
        words = {k: v for k, v in words.items() if sum(v.values()) >= MIN_WORD_COUNT}
        syllables: dict[str, dict[str, int]] = defaultdict(dict)
        for field in ("title_f", "body_f"):
            for text, n in totals(field).items():
                syllables[text][text] = syllables[text].get(text, 0) + n
        for field in ("title_s", "body_s"):
            for text, n in totals(field).items():
                table = syllables[fold(text)]
                table[text] = table.get(text, 0) + n
                # The folded total counted this occurrence under the plain form too.
                plain = fold(text)
                table[plain] = table.get(plain, 0) - n
        syllables = {k: {f: n for f, n in v.items() if n > 0} for k, v in syllables.items()}
        pairs: dict[str, dict[str, int]] = defaultdict(dict)
        if reader.doc_count_all():
            for title in reader.column_reader("title_syllables"):
                sylls = title.split(" ")
                for a, b in zip(sylls, sylls[1:]):
                    form = a + " " + b
                    table = pairs[fold(form)]
                    table[form] = table.get(form, 0) + 1
        pairs = {k: v for k, v in pairs.items() if sum(v.values()) >= MIN_WORD_COUNT}
        return cls(words, {k: v for k, v in syllables.items() if v}, pairs)

    def write(self, gen: Path) -> None:
        tmp = Path(gen) / (FILE + ".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=3) as f:
            for kind, table in (("w", self.words), ("s", self.syllables), ("p", self.pairs)):
                for key, forms in table.items():
                    for form, n in forms.items():
                        f.write(f"{kind}\t{key}\t{form}\t{n}\n")
        tmp.replace(Path(gen) / FILE)

    @classmethod
    def read(cls, gen: Path) -> "Vocabulary | None":
        path = Path(gen) / FILE
        if not path.exists():
            return None
        tables = {kind: defaultdict(dict) for kind in "wsp"}
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                kind, key, form, n = line.rstrip("\n").split("\t")
                tables[kind][key][form] = int(n)
        return cls(dict(tables["w"]), dict(tables["s"]), dict(tables["p"]))
