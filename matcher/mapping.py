"""Text -> ranked ESCO skills, each with a score, a calibrated confidence and a reason.

For each input text:
1. segment it (:mod:`matcher.text`): outcome formula removed, sentences of long texts; English
   sentences whole and clause by clause, Swedish ones through an English gloss
   (:mod:`matcher.gloss`) and, when short, also as written (:class:`MappingParams`);
2. embed all segments of all texts in one call and retrieve the nearest label variants;
3. fuse per skill: best variant score (weighted by variant kind, clause vs whole sentence),
   moved towards the similarity of the skill's description, plus a bonus when a label occurs
   word for word in the text, plus a small prior for skills that many ESCO occupations need
   (when the taxonomy has relations);
4. rank, calibrate a confidence, and write the reason.

The weights are in :class:`MappingParams`; ``benchmarks/tune_mapping.py`` chose the defaults on
validation data only, and ``benchmarks/calibrate.py`` fitted the confidence model.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from matcher.calibration import Calibration, load_calibration
from matcher.embedding import Embedder
from matcher.errors import InvalidInputError, check_top_k
from matcher.index import SkillIndex, Variant
from matcher.models import Lang, OutcomeMapping, SkillLink
from matcher.skill_facts import LabelWords, skill_prior
from matcher.taxonomy import Taxonomy
from matcher.text import Segment, SegmentPlan, detect_language, segment

logger = logging.getLogger(__name__)

LANGS = ("auto", "sv", "en")
EMPTY = "empty text: nothing to map"
MAX_TOP_K = 100


@dataclass(frozen=True)
class MappingParams:
    """Fusion weights. Defaults chosen on validation data (see benchmarks/tune_mapping.py)."""

    kind_weights: dict[str, float] = field(
        default_factory=lambda: {
            "preferred": 1.0, "alternative": 0.99, "hidden": 0.97, "description": 0.96,
        }
    )
    clause_weight: float = 0.97
    # Segments glossed from Swedish; 0 turns glossing off. Above 1 the gloss outranks the
    # Swedish text it glosses, which by default is looked up as written only in short phrases
    # (below): Swedish dev hit@5 69.0 at every weight from 1.0 to 1.08, hit@1 37.3 -> 38.1
    # (one outcome) from 1.01 (benchmarks/tune_mapping.py --gloss-sweep), so they count alike.
    gloss_weight: float = 1.0
    # How a sentence is looked up (matcher.text.SegmentPlan): ``plan`` for English (and any
    # text not glossed), ``swedish_plan`` for Swedish when the gloss is on. Chosen with
    # benchmarks/tune_mapping.py --plan-sweep (126 Swedish dev outcomes, TECH and HOUSE
    # validation; results/tuning_plans.json):
    # - English: whole, and clause by clause from 18 words. Without clauses TECH validation
    #   RP@5 falls from 66.2 to 63.2, HOUSE from 52.7 to 51.7. Clauses of every sentence cost
    #   1.81 times the outcome's tokens, from 18 words 0.82, at equal quality within a text
    #   per set (--clause-sweep, results/tuning_clauses.json; docs/benchmarks.md).
    # - Swedish: through the gloss of the whole sentence. Swedish clauses and the Swedish
    #   sentence as written only added noise ("montering" is close to "monitor" for the model):
    #   as written + clauses + gloss (in use until 2026-11-26) hit@5 65.9, RP@5 53.3, at 2.67
    #   times the outcome's tokens; the gloss alone hit@5 69.0, RP@5 56.9, at 0.77 times.
    #   Glossed clauses lose (hit@5 63.5). A phrase of at most six words (a course title, an
    #   ad's list item, an interest) is also looked up as written: its gloss stands or falls
    #   with each word ("demensvård", "receptions- eller gästvärdsarbete"). On dev, whose
    #   outcomes are sentences, four to eight words score the same; at four or five a persona
    #   test fails (tests/e2e/test_personas.py: a receptionist's top five holds two hotel ads,
    #   or a care worker's dementia course no longer meets the elderly-care ads).
    plan: SegmentPlan = SegmentPlan(clause_min_words=18)
    # Also one gloss reading an ambiguous word in its second glossary sense (issue 14):
    # Swedish dev hit@1 / hit@5 / MRR 43.7 / 69.0 / 55.4 with the first sense alone, 50.0 /
    # 72.2 / 59.8 with one more gloss, 45.2 / 72.2 / 57.2 with three; every sense written
    # into one gloss 44.4 / 66.7 / 55.0 (benchmarks/typing_robustness.py, clean). Costs
    # about one more encode per Swedish sentence (1.94 segments instead of 1.02 on dev).
    # Off (senses=0): downstream, on the dev profiles of benchmarks/suggestions.py, one more
    # gloss cost hit@10 77.5 -> 72.5, MRR 0.525 -> 0.492 and employer MAP 0.805 -> 0.748, on
    # top of doubling the Swedish encode cost. The spelling correction stays on.
    swedish_plan: SegmentPlan = SegmentPlan(gloss=True, swedish_max_words=6, clauses=False,
                                            senses=0)
    # Swedish when the taxonomy has Swedish skill labels (an imported sv bundle): every
    # sentence also as written, so it meets those labels in its own language. Not measured:
    # no Swedish skill labels ship offline; the noise the Swedish text brought above was its
    # closeness to English look-alikes, while a Swedish label is the closest evidence there is.
    swedish_labels_plan: SegmentPlan = SegmentPlan(gloss=True, clauses=False)
    description_weight: float = 0.2  # pull towards the description's similarity
    lexical_bonus: float = 0.04
    # A label found word for word in an English gloss earns the bonus only with at least this
    # many words: a shorter label there ("plan", "communication", "clean rooms") mostly echoes
    # common Swedish words the gloss translated ("planera", "kommunikation"), not a skill the
    # text names. Found in the text as written (English, or "Python" in Swedish), any label
    # counts. Swedish dev (126 outcomes), hit@1 / MRR / hit@5 by the shortest label counted:
    # 1 word 28.6 / 46.0 / 68.3, 2 words 37.3 / 52.0 / 69.0, 3 words 43.7 / 55.4 / 69.0
    # (benchmarks/tune_mapping.py --lexical-sweep); English and TECH/HOUSE are not glossed.
    lexical_min_words: int = 3
    prior_weight: float = 0.01
    # Less for a skill whose preferred label says what the text does not (its rare words
    # weigh more: "construction", "textile"; matcher.skill_facts.LabelWords): the score loses
    # this times the share of the label's weight left unsaid. Off: at 0.02 (the best on
    # validation and dev: hit@1 TECH 46.7 -> 54.7, HOUSE 45.9 -> 47.5, Swedish 43.7 -> 46.8,
    # English 39.3 -> 42.9; English hit@5 82.1 -> 78.6; benchmarks/tune_mapping.py
    # --unsaid-sweep) ads and employer MAP gain, but suggestions lose (dev MRR 0.689 -> 0.654).
    # Retuned with the profile's link policy on three dev sets, its best variant left
    # suggestions within noise and made the personas' lists worse (a studio technician for a
    # preschool assistant). docs/benchmarks.md, thirteenth and fifteenth sessions.
    unsaid_weight: float = 0.0
    candidates: int = 128  # 256 gave the same RP@5 and hit@5 on validation and dev, slower


@dataclass(frozen=True)
class Context:
    """What the text around a phrase makes likely: the skills of a job ad's occupation.

    An ad's phrase is short and says little alone ("Läkemedelshantering enligt delegering");
    a recruiter reads it knowing the job (*healthcare assistant*). The context's skills are
    candidates for every segment, even when the nearest-neighbour search missed them, and
    gain ``weight`` in score. The reason of a link it raised says so (``name``).
    """

    skills: frozenset[str]  # ESCO skill URIs
    weight: float
    name: str  # for the reason: "the ad's occupation (cook)"


@dataclass
class _Hit:
    score: float
    variant: int
    segment: int
    similarity: float = 0.0  # of the best variant, before description, prior and bonus
    # Where a label of the skill occurs word for word: (that text, the Swedish it glosses or "").
    lexical_in: tuple[str, str] | None = None
    in_context: bool = False  # its skill is one of the context's (and gained its weight)

    @property
    def lexical(self) -> bool:
        return self.lexical_in is not None


_REASON = {
    "en": {
        "preferred": "preferred label", "alternative": "alternative label",
        "hidden": "hidden label", "description": "description",
        "sim": "{kind} {label!r} is close to {segment!r} (similarity {score:.2f})",
        "lex": "{kind} {label!r} occurs in the text",
        "gloss": " (English gloss of {original!r})",
        "lex_gloss": "{kind} {label!r} occurs in {segment!r}, the English gloss of {original!r}",
        "lang": " [{lang}]",
        "context": "; ESCO lists it for {name}",
    },
    "sv": {
        "preferred": "föredragen benämning", "alternative": "alternativ benämning",
        "hidden": "dold benämning", "description": "beskrivning",
        "sim": "{kind} {label!r} liknar {segment!r} (likhet {score:.2f})",
        "lex": "{kind} {label!r} finns i texten",
        "gloss": " (engelsk glosning av {original!r})",
        "lex_gloss": "{kind} {label!r} finns i {segment!r}, engelsk glosning av {original!r}",
        "lang": " [{lang}]",
        "context": "; ESCO anger den för {name}",
    },
}


class OutcomeMapper:
    """Maps texts to ESCO skills with a :class:`SkillIndex` and an :class:`Embedder`."""

    def __init__(self, taxonomy: Taxonomy, index: SkillIndex, embedder: Embedder, *,
                 params: MappingParams | None = None,
                 calibration: Calibration | None = None) -> None:
        self.taxonomy = taxonomy
        self.index = index
        self.embedder = embedder
        self.params = params or MappingParams()
        self.calibration = calibration or load_calibration(embedder.model_id)
        self._prior = skill_prior(taxonomy, index)
        self._label_words = LabelWords(taxonomy, index) if self.params.unsaid_weight else None
        if self.params.gloss_weight > 0:
            # Read the glossary and the Swedish lemma tables now, not on the first request.
            from matcher.gloss import load_glossary

            load_glossary()
        self._swedish_labels = any(v.lang == "sv" for v in index.variants)
        self._kind_weight = np.array(
            [self.params.kind_weights.get(v.kind, 1.0) for v in index.variants], dtype=np.float32
        )
        # A context's skill rows and their variants' ids and vectors: an ad's occupations,
        # few distinct ones at a time (lru_cache is safe across the service's threads).
        self._context_variants = lru_cache(maxsize=64)(self._variants_of)

    def map(
        self, texts: Sequence[str], *, top_k: int = 10, lang: str = "auto",
        contexts: Sequence[Context | None] | None = None,
        written_in: Sequence[Lang | None] | None = None,
    ) -> list[OutcomeMapping]:
        """Map each text to its ``top_k`` most likely ESCO skills, best first; each text in
        its :class:`Context` when ``contexts`` is given, and in the language ``written_in``
        says (both one per text, or None; :func:`matcher.text.detect_language`)."""
        if lang not in LANGS:
            raise InvalidInputError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}",
                                    field="lang")
        check_top_k(top_k, MAX_TOP_K)
        for name, given in (("contexts", contexts), ("languages", written_in)):
            if given is not None and len(given) != len(texts):
                raise ValueError(f"{len(given)} {name} for {len(texts)} texts")
        prepared: list[tuple[list[Segment], list[str]]] = []
        sources: list[Lang] = []  # the language each text is written in
        for text, known in zip(texts, written_in or [None] * len(texts), strict=True):
            if not isinstance(text, str):
                raise InvalidInputError(f"each text must be a string, not {type(text).__name__}",
                                        field="texts")
            sources.append(detect_language(text, known))
            prepared.append(self.segment(text, sources[-1]) if text.strip() else ([], [EMPTY]))
        flat = [s.text for segments, _ in prepared for s in segments]
        vectors = self.embedder.embed_queries(flat)
        k = min(self.params.candidates, len(self.index))
        scores, ids = self.index.search(vectors, k) if flat else (None, None)

        results: list[OutcomeMapping] = []
        offset = 0
        for i, (text, (segments, warnings)) in enumerate(zip(texts, prepared, strict=True)):
            rows = slice(offset, offset + len(segments))
            offset += len(segments)
            out_lang: Lang = sources[i] if lang == "auto" else lang
            if not segments:
                results.append(OutcomeMapping(text, out_lang, (), tuple(warnings)))
                continue
            assert scores is not None and ids is not None
            context = contexts[i] if contexts is not None else None
            hits = self._fuse(segments, vectors[rows], scores[rows], ids[rows], top_k,
                              context)
            links = self._rank(hits, segments, top_k, out_lang, context)
            results.append(OutcomeMapping(text, out_lang, tuple(links), tuple(warnings)))
        return results

    def segment(self, text: str, written_in: Lang | None = None
                ) -> tuple[list[Segment], list[str]]:
        """The segments :meth:`map` embeds for ``text``, and warnings for the user."""
        p = self.params
        if p.gloss_weight > 0 and detect_language(text, written_in) == "sv":
            return segment(text, p.swedish_labels_plan if self._swedish_labels
                           else p.swedish_plan)
        return segment(text, p.plan)

    def _fuse(
        self,
        segments: list[Segment],
        vectors: np.ndarray,
        scores: np.ndarray,
        ids: np.ndarray,
        top_k: int,
        context: Context | None = None,
    ) -> dict[int, _Hit]:
        """The ``top_k`` skills after fusion, best first (numpy over all candidates at once)."""
        p = self.params
        seg_weight = np.array(
            [(1.0 if seg.whole else p.clause_weight) * (p.gloss_weight if seg.glossed else 1.0)
             for seg in segments], dtype=np.float64,
        )
        valid = ids >= 0
        variant_ids = ids[valid].astype(np.int64)
        seg_of = np.nonzero(valid)[0]
        weighted = (scores[valid].astype(np.float64) * self._kind_weight[variant_ids]
                    * seg_weight[seg_of])
        skills = self.index.variant_skill[variant_ids].astype(np.int64)
        # Labels that occur word for word: make sure they are candidates, then add the bonus.
        lexical: dict[int, tuple[str, str]] = {}  # skill -> (text its label occurs in, glossed)
        extra: list[tuple[int, int, float]] = []
        candidates = set(skills.tolist())
        for s, seg in enumerate(segments):
            for text, glossed in seg.lexical:
                min_words = p.lexical_min_words if glossed else 1
                for vid in self.index.lexical_hits(text, min_words):
                    skill = int(self.index.variant_skill[vid])
                    lexical.setdefault(skill, (text, glossed))
                    if skill in candidates:
                        continue
                    sim = float(self.index.vector(vid) @ vectors[s])
                    extra.append((vid, s, sim * float(self._kind_weight[vid])))
        if extra:
            extra_vids = np.array([e[0] for e in extra], dtype=np.int64)
            variant_ids = np.concatenate([variant_ids, extra_vids])
            seg_of = np.concatenate([seg_of, np.array([e[1] for e in extra], dtype=np.int64)])
            weighted = np.concatenate([weighted, np.array([e[2] for e in extra])])
            skills = np.concatenate([skills, self.index.variant_skill[extra_vids]])
        context_rows = np.zeros(0, dtype=np.int64)
        if context is not None:
            # Every variant of the context's skills against every segment: each variant's best.
            context_rows, context_vids, context_vectors = self._context_variants(
                context.skills)
            if len(context_vids):
                sims = (context_vectors @ vectors.T) * seg_weight[None, :]
                best_seg = sims.argmax(axis=1)
                variant_ids = np.concatenate([variant_ids, context_vids])
                seg_of = np.concatenate([seg_of, best_seg])
                weighted = np.concatenate([
                    weighted, sims[np.arange(len(context_vids)), best_seg]
                    * self._kind_weight[context_vids]])
                skills = np.concatenate([skills, self.index.variant_skill[context_vids]])
        if not len(skills):
            return {}
        # Per skill, its best-scoring variant: sort by score, keep each skill's first row.
        order = np.argsort(-weighted, kind="stable")
        rows, first = np.unique(skills[order], return_index=True)
        best = order[first]
        similarity = weighted[best]
        score = similarity.copy()
        if p.description_weight:
            # The description's similarity (best over segments) moves the label score towards
            # it: a label that matched by accident rarely has a matching description too.
            described = (self.index.descriptions[rows] @ vectors.T).max(axis=1)
            score += p.description_weight * (described - score)
        score += p.prior_weight * self._prior[rows]
        if self._label_words is not None:
            said = [t for seg in segments for t in (seg.text, seg.original)]
            score -= p.unsaid_weight * self._label_words.unsaid(rows, said)
        is_lexical = np.fromiter((r in lexical for r in rows.tolist()), dtype=bool,
                                 count=len(rows))
        score += p.lexical_bonus * is_lexical
        in_context = np.zeros(len(rows), dtype=bool)
        if context is not None:
            in_context = np.isin(rows, context_rows)
            score += context.weight * in_context
        top = np.argsort(-score, kind="stable")[:top_k]
        return {
            int(rows[i]): _Hit(
                float(score[i]), int(variant_ids[best[i]]), int(seg_of[best[i]]),
                similarity=float(similarity[i]), lexical_in=lexical.get(int(rows[i])),
                in_context=bool(in_context[i]),
            )
            for i in top.tolist()
        }

    def _variants_of(self, skills: frozenset[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The skills' rows, and the ids and vectors of their label variants."""
        rows = np.array(sorted(r for u in skills if (r := self.index.row(u)) is not None),
                        dtype=np.int64)
        vids = np.nonzero(np.isin(self.index.variant_skill, rows))[0].astype(np.int64)
        vectors = (np.stack([self.index.vector(int(v)) for v in vids]) if len(vids)
                   else np.zeros((0, self.embedder.dim), dtype=np.float32))
        return rows, vids, vectors

    def _rank(
        self, hits: dict[int, _Hit], segments: list[Segment], top_k: int, lang: Lang,
        context: Context | None = None,
    ) -> list[SkillLink]:
        ranked = sorted(hits.items(), key=lambda item: -item[1].score)[:top_k]
        if not ranked:
            return []
        # Confidence is the link's own evidence (what the calibration was fitted on): the
        # context orders the links but does not make the model surer of any of them.
        lift = context.weight if context is not None else 0.0
        own = {row: hit.score - lift * hit.in_context for row, hit in ranked}
        top = max(own.values())
        words = _REASON["sv" if lang == "sv" else "en"]
        links = []
        for rank, (skill_row, hit) in enumerate(ranked, start=1):
            variant: Variant = self.index.variants[hit.variant]
            skill = self.taxonomy.skills[self.index.uris[skill_row]]
            seg = segments[hit.segment]
            kind = words[variant.kind]
            label_text = variant.text if len(variant.text) <= 80 else variant.text[:77] + "…"
            if hit.lexical_in is not None and hit.lexical_in[1]:
                reason = words["lex_gloss"].format(kind=kind, label=label_text,
                                                   segment=hit.lexical_in[0],
                                                   original=hit.lexical_in[1])
            elif hit.lexical:
                reason = words["lex"].format(kind=kind, label=label_text)
            else:
                reason = words["sim"].format(kind=kind, label=label_text, segment=seg.text,
                                             score=hit.similarity)
                if seg.glossed:
                    reason += words["gloss"].format(original=seg.original)
            if variant.lang != lang:
                reason += words["lang"].format(lang=variant.lang)
            if hit.in_context and context is not None:
                reason += words["context"].format(name=context.name)
            links.append(
                SkillLink(
                    uri=skill.uri,
                    label=skill.label(lang),
                    score=hit.score,
                    confidence=self.calibration(own[skill_row], own[skill_row] - top, rank,
                                                hit.lexical),
                    method=("semantic+lexical" if hit.lexical else "semantic")
                    + ("+gloss" if seg.glossed else ""),
                    matched_text=variant.text,
                    matched_kind=variant.kind,
                    matched_lang=variant.lang,
                    segment=seg.original,
                    reason=reason,
                )
            )
        return links
