"""Occupations by name: "undersköterska", "lagerarbetare", "jobba som hotellreceptionist".

People name the job they want; an interest or a search that names an occupation is matched to
ESCO occupations directly, not only through skills. Two ways, the better one counts:

- **lexical**: ``rapidfuzz`` over every preferred and alternative occupation label, in every
  imported language, compared without case, punctuation or å/ä/ö (``fold``), so a typo
  ("undersköterka") or a keyboard without Swedish letters ("lokalvardare") still finds the
  label. A score (0–1) of at least :data:`LEXICAL_CUTOFF` counts. A Swedish query is also
  looked up through its English gloss, in each sense the glossary gives ("städare": "cleaner",
  "building cleaner"), and a label of two words or more said inside a longer gloss names its
  occupation ("Taxiförarlegitimation – förberedande kurs": "taxi driver …"); where several
  occupations carry the name, the one whose preferred label it is comes first;
- **semantic**: the embedding of the query (and, for Swedish, of its English gloss) against
  the embeddings of the preferred labels in every language and the imported Swedish labels:
  Swedish titles meet English labels through the multilingual model when no Swedish labels
  are imported.

The label vectors are built once per taxonomy and model and saved under
``MATCHER_HOME/occupation-names/<taxonomy hash>-<model>/`` (numpy, no pickle).

Measured on Swedish job titles written for the project (benchmarks/occupation_names.py).
"""

from __future__ import annotations

import json
import logging
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from matcher.embedding import Embedder
from matcher.storage import replace_dir
from matcher.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
# rapidfuzz WRatio (0–100) from which a label counts as named: 90 lets one wrong, missing or
# swapped letter through in a title of eight or more letters ("undersköterka"), not a
# different word ("sjuksköterska" against "undersköterska" scores 81).
LEXICAL_CUTOFF = 0.9
# A hit through the query's English gloss counts this share of one through the query itself.
GLOSS_FACTOR = 0.95
ALTERNATIVE_FACTOR = 0.99  # a name that is an alternative label counts this share
GLOSS_SENSES = 2  # other senses of a glossed title looked up besides its first
# A label of MIN_CONTAINED_WORDS to MAX_CONTAINED_WORDS words said inside a longer gloss
# names the occupation, at this share of a whole-label hit.
MIN_CONTAINED_WORDS, MAX_CONTAINED_WORDS = 2, 6
CONTAINED_FACTOR = 0.97
# Words after which a name may begin inside a gloss ("… for shop assistant").
_PHRASE_START = frozenset("a an the and or for to as of in on at with by from".split())
CLOSENESS_CACHE = 1024  # queries whose closeness is remembered (2 x 3,000 floats: ~24 MB)
# How people say that they name a job rather than a field: removed before matching.
_FORMULA = re.compile(
    r"^(?:(?:jag\s+)?(?:vill|skulle\s+vilja)\s+(?:bli|jobba|arbeta)(?:\s+som)?|"
    r"(?:jobba|jobb|arbeta|arbete|tjänst|anställning)\s+som|"
    r"(?:i\s+)?(?:want\s+to\s+|would\s+like\s+to\s+)?(?:work|become|be)"
    r"(?:\s+as)?(?:\s+an?)?|job\s+as(?:\s+an?)?)\s+",
    re.IGNORECASE)
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def fold(text: str) -> str:
    """Lower case, punctuation to spaces, å/ä/ö as a/a/o: how labels and queries compare."""
    text = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
    return " ".join(re.findall(r"[\w+#]+", text))


def strip_formula(query: str) -> str:
    """"jobba som undersköterska" → "undersköterska"."""
    stripped = _FORMULA.sub("", query.strip(), count=1).strip()
    return stripped or query.strip()


@dataclass(frozen=True)
class NameMatch:
    """An occupation found by name, with the label that matched."""

    uri: str
    score: float  # 0–1: the lexical score, or the semantic cosine
    method: str  # "lexical" | "semantic"
    matched_label: str
    matched_lang: str


class OccupationNames:
    """Every occupation label, for lexical and semantic lookup by name."""

    def __init__(self, taxonomy: Taxonomy, embedder: Embedder, *, home: Path | None = None,
                 show_progress: bool | None = None) -> None:
        self.taxonomy = taxonomy
        self.embedder = embedder
        self.uris = list(taxonomy.occupations)
        row = {uri: i for i, uri in enumerate(self.uris)}
        labels: list[tuple[int, str, str, bool]] = []  # occupation row, text, lang, preferred
        for uri, occupation in taxonomy.occupations.items():
            for lang, text in occupation.labels.items():
                labels.append((row[uri], text, lang, True))
            for lang, texts in occupation.alt_labels.items():
                labels.extend((row[uri], text, lang, False) for text in texts)
        self.labels = labels
        self.keys = [fold(text) for _, text, _, _ in labels]
        self.rows = np.array([r for r, _, _, _ in labels], dtype=np.int64)
        # Labels of two words or more by their words, to find one inside a longer gloss.
        self._phrases: dict[str, list[int]] = {}
        for i, key in enumerate(self.keys):
            if MIN_CONTAINED_WORDS <= len(key.split()) <= MAX_CONTAINED_WORDS:
                self._phrases.setdefault(key, []).append(i)
        # Embedded: preferred labels in every language and every non-English label (English
        # alternative labels are ten per occupation and found lexically).
        self._embedded = np.array([i for i, (_, _, lang, preferred) in enumerate(labels)
                                   if preferred or lang != "en"], dtype=np.int64)
        self._home = home
        self._show_progress = show_progress
        self._vectors: np.ndarray | None = None
        self._closeness: Callable[[str], np.ndarray] = lru_cache(maxsize=CLOSENESS_CACHE)(
            self._closeness_of)

    # -- vectors -------------------------------------------------------------------------------
    @property
    def vectors(self) -> np.ndarray:
        """Vectors of the embedded labels (loaded from the cache, else built and saved)."""
        if self._vectors is None:
            path = (self._home / "occupation-names" /
                    f"{self.taxonomy.content_hash}-{self.embedder.model_id}"
                    if self._home is not None else None)
            if path is not None and (path / "meta.json").exists():
                try:
                    meta = json.loads((path / "meta.json").read_text())
                    vectors = np.load(path / "vectors.npy", allow_pickle=False)
                    if meta.get("format") == FORMAT_VERSION and len(vectors) == len(
                            self._embedded):
                        self._vectors = vectors
                except (OSError, ValueError) as exc:
                    logger.warning("rebuilding the occupation-name vectors: %s", exc)
            if self._vectors is None:
                self._vectors = self._build()
                if path is not None:
                    with replace_dir(path) as staging:
                        np.save(staging / "vectors.npy", self._vectors, allow_pickle=False)
                        (staging / "meta.json").write_text(json.dumps(
                            {"format": FORMAT_VERSION, "labels": len(self._embedded),
                             "model_id": self.embedder.model_id}))
        return self._vectors

    def _build(self) -> np.ndarray:
        from matcher.embedding import embed_in_batches

        texts = [self.labels[i][1] for i in self._embedded.tolist()]
        started = time.perf_counter()
        progress = None
        if self._show_progress:
            from tqdm.auto import tqdm

            progress = tqdm(total=len(texts), desc="embedding occupation labels", unit="label")
        vectors = embed_in_batches(self.embedder.embed_passages, self.embedder.dim, texts,
                                   progress)
        if progress is not None:
            progress.close()
        logger.info("embedded %d occupation labels in %.1fs", len(texts),
                    time.perf_counter() - started)
        return vectors.astype(np.float32)

    # -- lookup --------------------------------------------------------------------------------
    def scores(self, query: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per occupation (in ``self.uris`` order): the lexical score (0 below the cutoff),
        the best semantic cosine, and the label index that gave the better of the two."""
        from rapidfuzz import fuzz, process

        from matcher.gloss import load_glossary
        from matcher.spelling import correct_swedish

        text = strip_formula(query)
        n = len(self.uris)
        lexical = np.zeros(n, dtype=np.float32)
        best_label = np.full(n, -1, dtype=np.int64)
        # The query as typed, and its English gloss ("svetsare" → "welder"): a Swedish title
        # then meets an English label word for word even when no Swedish labels are imported.
        # A title's gloss may name the job in several ways ("städare": "cleaner", "building
        # cleaner"), each looked up. A gloss is a guess, so its hits count a little less
        # (GLOSS_FACTOR).
        # Glossed as it would be spelt: a title typed without å/ä/ö or with a slip
        # ("underskoterska", "lokalvardare") is no glossary word until restored
        # (matcher.spelling); the query as typed still meets Swedish labels itself.
        glosses = load_glossary().gloss_senses(correct_swedish(text), GLOSS_SENSES)
        queries = [text]
        for gloss in glosses:
            if gloss and fold(gloss) not in {fold(q) for q in queries}:
                queries.append(gloss)
        factors = [1.0] + [GLOSS_FACTOR] * (len(queries) - 1)
        for factor, variant in zip(factors, queries, strict=True):
            key = fold(variant)
            if not key:
                continue
            for _, score, i in process.extract(key, self.keys, scorer=fuzz.WRatio,
                                               limit=50, score_cutoff=100 * LEXICAL_CUTOFF):
                # WRatio rewards a short query inside a long label ("kock" in "kockelev")
                # as much as an equal one; a whole-label match comes first.
                whole = fuzz.ratio(key, self.keys[i]) / 100
                # The query as typed may be part of a label or carry a typo (WRatio), but a
                # label far shorter than the query is no name for it ("RTT" inside
                # "supporttekniker"); the gloss is a guess, and counts only as the whole
                # label ("care assistant" is not "foot care assistant").
                partial = factor == 1.0 and 2 * len(self.keys[i]) >= len(key)
                value = factor * (max(whole, 0.97 * score / 100) if partial else whole)
                # Several occupations may carry the name: ESCO's preferred label names the
                # occupation, an alternative label another's variant ("healthcare assistant"
                # is also a variant of *medical administrative assistant*).
                value *= 1.0 if self.labels[i][3] else ALTERNATIVE_FACTOR
                r = self.rows[i]
                if value > lexical[r]:
                    lexical[r], best_label[r] = value, i
        # A gloss that says an occupation's name among other words ("Taxiförarlegitimation –
        # förberedande kurs": "taxi driver licence preparatory course") names it, as a whole
        # label of two words or more (one word, "guide" or "host", is too often something
        # else) that begins the gloss or a phrase of it ("… for shop assistant"), not the
        # end of a longer name ("motor cycle mechanic" is no *cycle mechanic*).
        for gloss in queries[1:]:
            words = fold(gloss).split()
            for size in range(MIN_CONTAINED_WORDS, min(MAX_CONTAINED_WORDS, len(words)) + 1):
                for start in range(len(words) - size + 1):
                    if start and words[start - 1] not in _PHRASE_START:
                        continue
                    for i in self._phrases.get(" ".join(words[start:start + size]), ()):
                        value = (GLOSS_FACTOR * CONTAINED_FACTOR
                                 * (1.0 if self.labels[i][3] else ALTERNATIVE_FACTOR))
                        r = self.rows[i]
                        if value > lexical[r]:
                            lexical[r], best_label[r] = value, i
        lexical[lexical < LEXICAL_CUTOFF * GLOSS_FACTOR] = 0.0
        # By meaning: the query and its first gloss. Its other senses only name labels word
        # for word: as more queries they would lift every occupation's best cosine and blur
        # the title closeness that is read relative to the best (a course title's "för
        # butikssäljare" then pointed to *shop assistant*, no longer to *clothing seller*).
        vectors = self.embedder.embed_queries(
            [text] + [glosses[0]] * bool(glosses[0] and fold(glosses[0]) != fold(text)))
        sims = (self.vectors @ vectors.T).max(axis=1)
        semantic = np.zeros(n, dtype=np.float32)
        semantic_label = np.full(n, -1, dtype=np.int64)
        rows = self.rows[self._embedded]
        order = np.argsort(sims)  # ascending: the best label of each occupation is set last
        semantic[rows[order]] = sims[order]
        semantic_label[rows[order]] = self._embedded[order]
        best_label = np.where(lexical > 0, best_label, semantic_label)
        return lexical, semantic, best_label

    def match(self, query: str, top_k: int = 10) -> list[NameMatch]:
        """The occupations the query most likely names: lexical hits first, then by cosine."""
        lexical, semantic, label = self.scores(query)
        key = np.where(lexical > 0, 1.0 + lexical, semantic)
        order = np.argsort(-key, kind="stable")[:top_k]
        out = []
        for r in order.tolist():
            _, text, lang, _ = self.labels[int(label[r])]
            out.append(NameMatch(self.uris[r], float(lexical[r] or semantic[r]),
                                 "lexical" if lexical[r] > 0 else "semantic", text, lang))
        return out

    def closeness(self, query: str) -> np.ndarray:
        """How close each occupation's name is to the query, in [0, 1] (``self.uris`` order).

        A lexical hit counts its score. A semantic cosine counts by how far it stands above
        the typical one for this query: the 99th percentile over all occupations maps to 0,
        the best to 1 (multilingual-e5 crowds cosines, so a fixed cut-off would not carry from
        one query to the next).

        Remembered for the last :data:`CLOSENESS_CACHE` queries (credential titles repeat:
        every holder of a course has its title); the array is read-only.
        """
        closeness: np.ndarray = self._closeness(query)[0]
        return closeness

    def lexical_closeness(self, query: str) -> np.ndarray:
        """The lexical part of :meth:`closeness`: where the query (or its gloss) names the
        occupation word for word or with a typo, its score; 0 elsewhere (read-only)."""
        lexical: np.ndarray = self._closeness(query)[1]
        return lexical

    def _closeness_of(self, query: str) -> np.ndarray:
        lexical, semantic, _ = self.scores(query)
        floor = float(np.quantile(semantic, 0.99))
        top = float(semantic.max())
        near = np.clip((semantic - floor) / max(top - floor, 1e-6), 0.0, 1.0)
        both: np.ndarray = np.stack([np.maximum(lexical, near), lexical]).astype(np.float32)
        both.flags.writeable = False
        return both
