"""Autocomplete over ESCO labels: skills and occupations by text, Swedish and English.

Reads every preferred and alternative label of every skill and occupation of the engine's
taxonomy, in every language it holds. Each label is cut into words (normalised as the skill
index normalises text, :func:`matcher.index.normalise_text`), and the words go into two
sorted vocabularies: as written, and folded to ASCII (å, ä → a, ö → o, é → e), so that
"lokalvardare" typed without the Swedish letters finds "lokalvårdare". A query word typed in
ASCII is looked up among the folded words; one typed with å, ä or ö among the words as
written, so "bär" does not find "bartender".

Each query word (all of them count as prefixes: people type "kör gaff") matches a word of a
label in one of three ways, best first:

1. the label's word starts with it (binary search in the sorted vocabulary);
2. it is inside the label's word, such as a part of a Swedish compound: "truck" in
   "gaffeltruck" (binary search among the words' suffixes);
3. only when 1 and 2 give fewer labels than asked for: it is within one or two typing
   errors of the start of the label's word, by optimal-string-alignment distance (a swap of
   two neighbouring letters is one error), computed by rapidfuzz
   (:func:`rapidfuzz.process.extract`) over the vocabulary's word starts of about the
   query word's length that begin with its first letter: "undersköterka" finds
   "undersköterska".

A label is a hit when every query word matches one of its words; the kind of match decides
its order, then whether the label starts with the query, is the concept's preferred label,
is in the asked language, and is short. The best label of each concept stands for it. For
skills, when fewer concepts than asked for match, the engine's semantic mapping fills the
rest, so "kan köra truck" still finds "operate forklift".

Why not rapidfuzz's ``fuzz.WRatio`` over the labels themselves: it scores each label on its
own, so a keystroke costs time in proportion to all the labels (about 0.1 million skill labels
in ESCO v1.1.1 English: half a second and more per keystroke, docs/benchmarks.md), where the
vocabularies here take a few milliseconds. Why not ``rapidfuzz.utils.default_process`` for
normalising: it turns every non-alphanumeric character into a space, so "C++" and "C#"
would be looked up as "c".
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from matcher.engine import Engine
from matcher.index import normalise_text

ConceptType = Literal["skill", "occupation"]

# -- how a query word matches a label's word (the order of these decides the ranking) --------
# The kinds are 0.2 apart and the tie-breakers below add up to less than 0.2, so for a query
# of one word no tie-breaker lifts a label over one with a better kind of match.
PREFIX = 1.0  # the label's word starts with the query word
INFIX = 0.8  # the query word is inside the label's word (a compound's part)
TYPO = (1.0, 0.6, 0.4)  # by the number of typing errors: 1 error 0.6, 2 errors 0.4

# -- tie-breakers within one kind of match ---------------------------------------------------
LABEL_START = 0.08  # the label's first word matches the query's first word: what autocomplete
                    # users expect first (they type a name from its beginning)
PREFERRED = 0.05  # ESCO's preferred label names the concept; an alternative label is a variant
ASKED_LANGUAGE = 0.04  # the label is in the asked language
SHORTER = 0.02  # at most this much for the label's length beyond the query's: a label that the
SHORTER_CHARS = 40  # query covers more of comes first; 40 characters and more count the same

# -- limits, each a trade between recall and the time of a keystroke -------------------------
MIN_INFIX = 4  # shorter query words are inside too many words (English "-ing") to help;
               # Swedish compound parts worth finding ("vård", "truck", "svets") have 4+
MIN_TYPO = 4  # with 3 letters or fewer, one error away from the start of a word is almost
              # any word; from 4 letters on one error is allowed ...
TWO_TYPOS = 8  # ... and from 8 letters two (Elasticsearch's "AUTO" fuzziness allows 1 from 3
               # letters and 2 from 6; here stricter, since a prefix matches many words)
MAX_WORDS = 8  # query words looked up; ESCO labels seldom have more, and longer texts are
               # the semantic mapping's work
CANDIDATES_PER_HIT = 8  # labels ranked per concept asked for, before keeping each concept's
                        # best label (a concept has a few labels that match alike)
SEMANTIC_SCALE = 0.35  # semantic fallback hits score their similarity times this: below every
                       # lexical hit (the lowest, two errors in every word, is 0.4 - 0.02)


def fold(text: str) -> str:
    """``text`` without accents: å, ä → a, ö → o, é → e (NFKD, combining marks dropped)."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class _Vocabulary:
    """The distinct words of the labels (sorted), the labels each word occurs in, and what the
    three kinds of match look up: the words' suffixes and their starts by first letter and
    length."""

    def __init__(self, label_words: list[list[str]]) -> None:
        tokens = [w for words in label_words for w in words]
        counts = [len(words) for words in label_words]
        label_of = np.repeat(np.arange(len(label_words), dtype=np.int32), counts)
        position = np.arange(len(tokens)) - np.repeat(np.cumsum(counts) - counts, counts)
        self.words = sorted(set(tokens))
        row = {word: i for i, word in enumerate(self.words)}
        word_of = np.fromiter((row[w] for w in tokens), dtype=np.int64, count=len(tokens))
        order = np.argsort(word_of, kind="stable")
        self.indptr = np.zeros(len(self.words) + 1, dtype=np.int64)
        np.cumsum(np.bincount(word_of, minlength=len(self.words)), out=self.indptr[1:])
        self.labels = label_of[order]
        self.first = position[order] == 0  # the word is the label's first
        suffixes = sorted((word[i:], w) for w, word in enumerate(self.words)
                          for i in range(1, len(word) - MIN_INFIX + 1))
        self.suffixes = [s for s, _ in suffixes]
        self.suffix_word = np.array([w for _, w in suffixes], dtype=np.int32)
        starts: dict[tuple[str, int], set[str]] = {}
        for word in self.words:
            for n in range(MIN_TYPO - 1, len(word) + 1):
                starts.setdefault((word[0], n), set()).add(word[:n])
        self.starts = {key: sorted(values) for key, values in starts.items()}

    def prefix_range(self, prefix: str) -> tuple[int, int]:
        """The words that start with ``prefix``: a range of the sorted vocabulary."""
        lo = bisect.bisect_left(self.words, prefix)
        return lo, bisect.bisect_left(self.words, prefix + "\U0010ffff", lo)

    def postings(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """(label ids, is the label's first word) of the words ``lo`` to ``hi``."""
        a, b = self.indptr[lo], self.indptr[hi]
        return self.labels[a:b], self.first[a:b]

    def postings_of(self, words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(label ids, is the label's first word) of the given word ids."""
        begin, end = self.indptr[words], self.indptr[words + 1]
        sizes = end - begin
        offsets = np.repeat(begin - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())
        return self.labels[offsets], self.first[offsets]

    def infix_words(self, part: str) -> np.ndarray:
        """Ids of the words that hold ``part`` after their first letter."""
        lo = bisect.bisect_left(self.suffixes, part)
        hi = bisect.bisect_left(self.suffixes, part + "\U0010ffff", lo)
        return np.unique(self.suffix_word[lo:hi])

    def typo_words(self, word: str) -> dict[int, np.ndarray]:
        """Ids of the words whose start is one or two typing errors from ``word``, by the
        number of errors: starts that begin with its first letter, one letter shorter to one
        longer."""
        allowed = 2 if len(word) >= TWO_TYPOS else 1
        ranges: dict[int, list[np.ndarray]] = {}
        for n in (len(word) - 1, len(word), len(word) + 1):
            choices = self.starts.get((word[0], n))
            if not choices:
                continue
            for start, errors, _ in process.extract(word, choices, scorer=OSA.distance,
                                                    score_cutoff=allowed, limit=None):
                if errors:
                    ranges.setdefault(int(errors), []).append(
                        np.arange(*self.prefix_range(start)))
        return {errors: np.unique(np.concatenate(r)) for errors, r in ranges.items()}


@dataclass(frozen=True)
class Hit:
    uri: str
    type: ConceptType
    label: str
    matched_label: str
    matched_lang: str
    score: float


class _KindIndex:
    """The labels of one kind of concept, their vocabularies and what ranks them."""

    def __init__(self, concepts: Iterable[object]) -> None:
        self.uris: list[str] = []
        self.texts: list[str] = []
        keys: list[str] = []
        owner: list[int] = []
        langs: list[str] = []
        preferred: list[bool] = []
        for concept in concepts:
            self.uris.append(concept.uri)  # type: ignore[attr-defined]
            entries = [(lang, text, True)
                       for lang, text in concept.labels.items()]  # type: ignore[attr-defined]
            entries += [(lang, text, False)
                        for lang, alts in concept.alt_labels.items()  # type: ignore[attr-defined]
                        for text in alts]
            seen: set[tuple[str, str]] = set()
            for lang, text, is_preferred in entries:
                key = normalise_text(text)
                if not key or (lang, key) in seen:
                    continue
                seen.add((lang, key))
                self.texts.append(text)
                keys.append(key)
                owner.append(len(self.uris) - 1)
                langs.append(lang)
                preferred.append(is_preferred)
        self.owner = np.array(owner, dtype=np.int32)
        self.languages = sorted(set(langs))
        self.lang = np.array([self.languages.index(lang) for lang in langs], dtype=np.int8)
        self.preferred = np.array(preferred, dtype=bool)
        self.lengths = np.array([len(k) for k in keys], dtype=np.float32)
        self.exact = _Vocabulary([k.split() for k in keys])
        self.folded = _Vocabulary([fold(k).split() for k in keys])

    def rank(self, words: list[str], lang: str, limit: int) -> list[tuple[int, int, float]]:
        """(concept, label, score) of the best ``limit`` concepts."""
        n = len(self.texts)
        qualities = [np.zeros(n, dtype=np.float32) for _ in words]
        starts = np.zeros(n, dtype=bool)
        vocabularies = [self.folded if fold(w) == w else self.exact for w in words]

        def add(i: int, labels: np.ndarray, first: np.ndarray, quality: float) -> None:
            q = qualities[i]
            q[labels] = np.maximum(q[labels], quality)
            if i == 0:
                starts[labels[first]] = True

        for i, (word, vocabulary) in enumerate(zip(words, vocabularies, strict=True)):
            add(i, *vocabulary.postings(*vocabulary.prefix_range(word)), PREFIX)
            if len(word) >= MIN_INFIX:
                add(i, *vocabulary.postings_of(vocabulary.infix_words(word)), INFIX)
        hits = self._hits(qualities)
        if self._concepts(hits) < limit:
            for i, (word, vocabulary) in enumerate(zip(words, vocabularies, strict=True)):
                if len(word) >= MIN_TYPO:
                    # More errors first, so that fewer errors overwrite them.
                    for errors, ids in sorted(vocabulary.typo_words(word).items(),
                                              reverse=True):
                        add(i, *vocabulary.postings_of(ids), TYPO[errors])
            hits = self._hits(qualities)
        if not len(hits):
            return []
        match = sum(q[hits] for q in qualities) / len(words)
        extra = np.clip(self.lengths[hits] - sum(map(len, words)), 0, SHORTER_CHARS)
        asked = self.languages.index(lang) if lang in self.languages else -1
        score = (match + LABEL_START * starts[hits] + PREFERRED * self.preferred[hits]
                 + ASKED_LANGUAGE * (self.lang[hits] == asked)
                 - SHORTER * extra / SHORTER_CHARS)
        return self._best_per_concept(hits, score, limit)

    def _concepts(self, labels: np.ndarray) -> int:
        """How many concepts the labels belong to."""
        seen = np.zeros(len(self.uris), dtype=bool)
        seen[self.owner[labels]] = True
        return int(seen.sum())

    @staticmethod
    def _hits(qualities: list[np.ndarray]) -> np.ndarray:
        """Labels that every query word matches."""
        every = qualities[0] > 0
        for q in qualities[1:]:
            every &= q > 0
        return np.flatnonzero(every)

    def _best_per_concept(self, hits: np.ndarray, score: np.ndarray,
                          limit: int) -> list[tuple[int, int, float]]:
        wanted = limit * CANDIDATES_PER_HIT
        while True:
            if wanted < len(hits):
                top = np.argpartition(-score, wanted)[:wanted]
            else:
                top = np.arange(len(hits))
            # Best score first; equal scores in label order, so the result is deterministic.
            top = top[np.lexsort((hits[top], -score[top]))]
            best: dict[int, tuple[int, int, float]] = {}
            for i in top:
                concept = int(self.owner[hits[i]])
                if concept not in best:
                    best[concept] = (concept, int(hits[i]), float(score[i]))
                    if len(best) == limit:
                        return list(best.values())
            if wanted >= len(hits):
                return list(best.values())
            wanted *= 4


class LabelSearch:
    """Autocomplete for skills and occupations over the engine's taxonomy (see the module)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        taxonomy = engine.taxonomy
        self._kinds: dict[ConceptType, _KindIndex] = {
            "skill": _KindIndex(taxonomy.skills.values()),
            "occupation": _KindIndex(taxonomy.occupations.values()),
        }

    def search(self, kind: ConceptType, query: str, *, lang: str = "sv",
               limit: int = 10) -> list[Hit]:
        """The ``limit`` best skills or occupations for what was typed so far.

        Args:
            kind: ``"skill"`` or ``"occupation"``.
            query: the text typed so far, in Swedish or English.
            lang: the language of the returned labels; labels in it rank first.
            limit: at most this many hits.
        """
        q = normalise_text(query)
        if not q:
            return []
        index = self._kinds[kind]
        taxonomy = self.engine.taxonomy
        concepts = taxonomy.skills if kind == "skill" else taxonomy.occupations
        hits = [Hit(index.uris[c], kind, concepts[index.uris[c]].label(lang), index.texts[label],
                    index.languages[index.lang[label]], round(score, 4))
                for c, label, score in index.rank(q.split()[:MAX_WORDS], lang, limit)]
        if kind == "skill" and len(hits) < limit and len(q) >= 3:
            mapping = self.engine.map_outcomes([query], top_k=limit, lang=lang)[0]
            seen = {h.uri for h in hits}
            for link in mapping.skills:
                if link.uri not in seen and len(hits) < limit:
                    hits.append(Hit(link.uri, "skill", link.label, link.matched_text,
                                    link.matched_lang,
                                    round(SEMANTIC_SCALE * min(link.score, 1.0), 4)))
        if kind == "occupation" and len(hits) < limit and len(q) >= 4:
            # Occupations by name (matcher.occupation_names), as a job seeker's interest is
            # read: a Swedish title finds an English label through its gloss ("svetsare" →
            # welder) when no Swedish labels are imported. Only names found word for word (or
            # nearly): a list of merely similar meanings would answer gibberish too.
            seen = {h.uri for h in hits}
            for match in self.engine.match_occupations(query, top_k=limit):
                if (match.method == "lexical" and match.uri not in seen
                        and len(hits) < limit):
                    hits.append(Hit(match.uri, "occupation",
                                    taxonomy.occupations[match.uri].label(lang),
                                    match.matched_label, match.matched_lang,
                                    round(SEMANTIC_SCALE * min(match.score, 1.0), 4)))
        return hits
