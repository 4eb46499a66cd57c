"""How the archive writes each word once its diacritics are removed.

An unaccented query ("dong dat") cannot be segmented by pyvi; query.py groups its
syllables into words and picks their likeliest diacritics from these counts, read from
the index's own lexicon: "dong dat" → {"động đất": 2,310, "đồng đất": 12, …}.

  words      folded pyvi compound words → their written forms with occurrence counts
             (from the _w fields: every compound pyvi found in a title or body)
  syllables  folded syllables → written forms with counts (accented forms from the _s
             fields; the plain form is the folded total minus the accented ones)

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
    def __init__(self, words: dict[str, dict[str, int]], syllables: dict[str, dict[str, int]]):
        self.words = words          # "dong dat" → {"động đất": n, …}
        self.syllables = syllables  # "dong" → {"đông": n, "động": m, "dong": k, …}
        self.totals = {k: sum(v.values()) for k, v in words.items()}
        self.syllable_totals = {k: sum(v.values()) for k, v in syllables.items()}
        self.token_count = max(1, sum(self.syllable_totals.values()))

    def forms(self, folded: str) -> list[tuple[str, int]]:
        """Written forms of a folded word or syllable, most frequent first."""
        table = self.words.get(folded) if " " in folded else self.syllables.get(folded)
        return sorted((table or {}).items(), key=lambda kv: (-kv[1], kv[0]))

    def log_prob(self, folded: str) -> float | None:
        """Log-probability of folded as one word of a text (a unigram model over
        syllable tokens); None if the archive never writes it as a word."""
        count = self.totals.get(folded) if " " in folded else self.syllable_totals.get(folded)
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
        return cls(words, {k: v for k, v in syllables.items() if v})

    def write(self, gen: Path) -> None:
        tmp = Path(gen) / (FILE + ".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=3) as f:
            for kind, table in (("w", self.words), ("s", self.syllables)):
                for key, forms in table.items():
                    for form, n in forms.items():
                        f.write(f"{kind}\t{key}\t{form}\t{n}\n")
        tmp.replace(Path(gen) / FILE)

    @classmethod
    def read(cls, gen: Path) -> "Vocabulary | None":
        path = Path(gen) / FILE
        if not path.exists():
            return None
        words: dict[str, dict[str, int]] = defaultdict(dict)
        syllables: dict[str, dict[str, int]] = defaultdict(dict)
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                kind, key, form, n = line.rstrip("\n").split("\t")
                (words if kind == "w" else syllables)[key][form] = int(n)
        return cls(dict(words), dict(syllables))
