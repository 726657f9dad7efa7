"""Domain objects: ESCO concepts and the results of mapping text to them.

Skills and occupations are identified by their ESCO concept URI. Labels and descriptions are
kept per language (ISO 639-1 code), so several language bundles merge into one object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Lang = str
VariantKind = Literal["preferred", "alternative", "hidden", "description"]


def _pick(values: dict[Lang, str], lang: Lang) -> str:
    if lang in values:
        return values[lang]
    if "en" in values:
        return values["en"]
    return next(iter(values.values()), "")


@dataclass(frozen=True, eq=False)
class Concept:
    """What skills and occupations share: a URI and multilingual labels."""

    uri: str
    labels: dict[Lang, str]
    alt_labels: dict[Lang, tuple[str, ...]] = field(default_factory=dict)
    hidden_labels: dict[Lang, tuple[str, ...]] = field(default_factory=dict)
    descriptions: dict[Lang, str] = field(default_factory=dict)

    def label(self, lang: Lang = "en") -> str:
        """Preferred label in ``lang``, else English, else any language."""
        return _pick(self.labels, lang)

    def description(self, lang: Lang = "en") -> str:
        return _pick(self.descriptions, lang)

    def has_label_in(self, lang: Lang) -> bool:
        return lang in self.labels


@dataclass(frozen=True, eq=False)
class Skill(Concept):
    """An ESCO skill or knowledge concept."""

    skill_type: str = ""  # "skill/competence" | "knowledge" | "" when unknown
    # "transversal" | "cross-sector" | "sector-specific" | "occupation-specific"
    reuse_level: str = ""


@dataclass(frozen=True, eq=False)
class Occupation(Concept):
    """An ESCO occupation."""

    isco_group: str = ""
    code: str = ""


@dataclass(frozen=True)
class OccupationSkill:
    """An ESCO occupation–skill link."""

    occupation_uri: str
    skill_uri: str
    essential: bool


@dataclass(frozen=True)
class SkillLink:
    """One ESCO skill suggested for a text, with why.

    Attributes:
        uri: ESCO skill URI.
        label: preferred label in the requested language when known, else English.
        score: similarity of the best-matching label variant after fusion (higher is better).
        confidence: calibrated probability in [0, 1] that an expert would tag this skill.
        method: how it was found: ``semantic`` (embedding), ``lexical`` (label found in the
            text) or ``semantic+lexical``.
        matched_text: the label variant that matched best.
        matched_kind: which kind of variant that was (preferred, alternative, hidden, description).
        matched_lang: language of that variant.
        segment: the part of the input that matched (the whole text or one clause of it).
        reason: one line a person can read.
    """

    uri: str
    label: str
    score: float
    confidence: float
    method: str
    matched_text: str
    matched_kind: VariantKind
    matched_lang: Lang
    segment: str
    reason: str

    def to_dict(self) -> dict[str, object]:
        return {
            "uri": self.uri,
            "label": self.label,
            "score": round(self.score, 4),
            "confidence": round(self.confidence, 4),
            "method": self.method,
            "matched_label": self.matched_text,
            "matched_kind": self.matched_kind,
            "matched_lang": self.matched_lang,
            "segment": self.segment,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class OutcomeMapping:
    """The skills suggested for one text (a learning outcome, a sentence of an ad)."""

    text: str
    lang: Lang
    skills: tuple[SkillLink, ...]
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "text": self.text,
            "lang": self.lang,
            "skills": [s.to_dict() for s in self.skills],
        }
        if self.warnings:
            out["warnings"] = list(self.warnings)
        return out
