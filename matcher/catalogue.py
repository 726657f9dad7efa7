"""The issuers' catalogue: credentials one can take, with the skills their outcomes teach, and
which of them close a gap.

Each offering's title and outcomes are mapped as a credential's are and its links go through
the engine's :class:`~matcher.evidence.LinkPolicy`; the mappings are cached under
``MATCHER_HOME/cache``, keyed by taxonomy, model, mapper and the catalogue's text.

A gap (a missing or partly held skill of a suggestion) is closed by an offering that teaches
the skill itself, or a narrower or broader one (the ESCO hierarchy; relations and embedding
neighbours are too loose to say a course "teaches" it).

Reads: the demo catalogue, the partial-credit matrix. Writes: the mapping cache.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matcher.ad_library import DerivedWith
from matcher.evidence import LinkPolicy
from matcher.jobs import (
    CatalogueEntry,
    CatalogueSkill,
    demo_catalogue_text,
    read_cache,
    read_catalogue,
    write_cache,
)
from matcher.models import OutcomeMapping
from matcher.scoring.partial_credit import METHODS, PartialCredit
from matcher.scoring.results import CourseOffer
from matcher.taxonomy import Taxonomy

# (texts, language) → each text's mapping
MapTexts = Callable[[Sequence[str], str], list[OutcomeMapping]]


@dataclass(frozen=True)
class _Link:
    """A cached suggestion: what :meth:`LinkPolicy.select` needs of a SkillLink."""

    uri: str
    confidence: float


class Catalogue:
    """The demo catalogue's offerings with the skills they teach (mapped once, cached)."""

    def __init__(self, home: Path, derived: DerivedWith, map_texts: MapTexts,
                 taxonomy: Taxonomy, policy: LinkPolicy, partial: PartialCredit) -> None:
        self.cache_dir = home / "cache"
        self.derived = derived
        self.map_texts = map_texts
        self.taxonomy = taxonomy
        self.policy = policy
        self.partial = partial
        self._entries: list[CatalogueEntry] | None = None

    def entries(self) -> list[CatalogueEntry]:
        if self._entries is None:
            text = demo_catalogue_text()
            offerings = read_catalogue(json.loads(text), source="demo catalogue")
            d = self.derived
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            key = f"{d.taxonomy_hash}-{d.model_id}-{d.mapper_key}-{digest}"
            path = self.cache_dir / f"catalogue-v2-{key}.json"
            cached = read_cache(path)
            if not (isinstance(cached, dict) and set(cached) == {o.id for o in offerings}):
                cached = {}
                for offering in offerings:
                    texts = [offering.title, *offering.learning_outcomes]
                    lang = offering.language if offering.language in ("sv", "en") else "auto"
                    cached[offering.id] = [
                        [[link.uri, link.confidence] for link in mapping.skills]
                        for mapping in self.map_texts(texts, lang)
                    ]
                write_cache(path, cached)
            entries = []
            for offering in offerings:
                skills = []
                texts = [offering.title, *offering.learning_outcomes]
                for text, links in zip(texts, cached[offering.id], strict=True):
                    suggested = [_Link(uri, float(conf)) for uri, conf in links
                                 if uri in self.taxonomy.skills]
                    for link, factor in self.policy.select(suggested):
                        skills.append(CatalogueSkill(link.uri, factor, text))
                entries.append(CatalogueEntry(offering, tuple(skills)))
            self._entries = entries
        return self._entries

    def courses_for(self, uri: str, limit: int, lang: str) -> tuple[CourseOffer, ...]:
        """Offerings that teach ``uri``, or a narrower or broader skill of it, surest first."""
        partial = self.partial
        col = partial.space.col.get(uri)
        related: dict[str, tuple[str, float]] = {}
        if col is not None:
            rows, credits, codes = partial.column(col)
            for row, credit, code in zip(rows.tolist(), credits.tolist(), codes.tolist(),
                                         strict=True):
                if int(code) in (1, 2):  # narrower or broader in the hierarchy
                    related[partial.space.uris[row]] = (METHODS[int(code)][0], float(credit))
        offers: dict[str, CourseOffer] = {}
        support: dict[str, float] = {}  # how much of the offering teaches the gap
        for entry in self.entries():
            for taught in entry.skills:
                if taught.uri == uri:
                    method, credit = "exact", 1.0
                elif taught.uri in related:
                    method, credit = related[taught.uri]
                else:
                    continue
                credit *= taught.factor
                support[entry.offering.id] = support.get(entry.offering.id, 0.0) + credit
                current = offers.get(entry.offering.id)
                if current is None or credit > current.credit:
                    offering = entry.offering
                    skill = self.taxonomy.skills[taught.uri]
                    offers[offering.id] = CourseOffer(
                        offering.id, offering.title, offering.awarding_body.name, taught.uri,
                        skill.label(lang), method, credit, taught.outcome,
                        offering.workload.hours, offering.url)
        # Best first: the surest link, then the offering with more outcomes teaching it.
        return tuple(sorted(offers.values(),
                            key=lambda c: (-round(c.credit, 2), -support[c.id], c.id))[:limit])
