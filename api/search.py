"""Autocomplete over ESCO labels: skills and occupations by text, Swedish and English.

Every preferred and alternative label of every skill and occupation, normalised as the skill
index normalises them (:func:`matcher.index.normalise_text`). A query matches a label that
starts with it (best), a word of it that starts with it, or a label containing it; preferred
labels and labels in the asked language rank first. For skills, when fewer labels than asked
for match literally, the engine's semantic mapping fills the rest, so "kan köra truck" still
finds "operate forklift".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from matcher.engine import Engine
from matcher.index import normalise_text

ConceptType = Literal["skill", "occupation"]


@dataclass(frozen=True)
class _Label:
    key: str
    uri: str
    text: str
    lang: str
    preferred: bool


@dataclass(frozen=True)
class Hit:
    uri: str
    type: ConceptType
    label: str
    matched_label: str
    matched_lang: str
    score: float


class LabelSearch:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        taxonomy = engine.taxonomy
        self._labels: dict[ConceptType, list[_Label]] = {
            "skill": self._collect(taxonomy.skills.values()),
            "occupation": self._collect(taxonomy.occupations.values()),
        }

    @staticmethod
    def _collect(concepts: object) -> list[_Label]:
        labels: list[_Label] = []
        for concept in concepts:  # type: ignore[attr-defined]
            for lang, text in concept.labels.items():
                labels.append(_Label(normalise_text(text), concept.uri, text, lang, True))
            for lang, texts in concept.alt_labels.items():
                for text in texts:
                    labels.append(_Label(normalise_text(text), concept.uri, text, lang, False))
        return labels

    def search(self, kind: ConceptType, query: str, *, lang: str = "sv",
               limit: int = 10) -> list[Hit]:
        q = normalise_text(query)
        if not q:
            return []
        taxonomy = self.engine.taxonomy
        concepts = taxonomy.skills if kind == "skill" else taxonomy.occupations
        best: dict[str, tuple[float, _Label]] = {}
        for label in self._labels[kind]:
            key = label.key
            if key.startswith(q):
                score = 1.0
            elif f" {q}" in f" {key}":
                score = 0.85
            elif q in key:
                score = 0.7
            else:
                continue
            score += (0.05 if label.preferred else 0.0) + (0.04 if label.lang == lang else 0.0)
            score -= min(len(key) - len(q), 60) / 1000  # shorter labels first
            if label.uri not in best or score > best[label.uri][0]:
                best[label.uri] = (score, label)
        ranked = sorted(best.items(), key=lambda item: -item[1][0])[:limit]
        hits = [Hit(uri, kind, concepts[uri].label(lang), label.text, label.lang,
                    round(score, 4)) for uri, (score, label) in ranked]
        if kind == "skill" and len(hits) < limit and len(q) >= 3:
            mapping = self.engine.map_outcomes([query], top_k=limit, lang=lang)[0]
            seen = {h.uri for h in hits}
            for link in mapping.skills:
                if link.uri not in seen and len(hits) < limit:
                    hits.append(Hit(link.uri, "skill", link.label, link.matched_text,
                                    link.matched_lang, round(min(link.score, 0.69), 4)))
        return hits
