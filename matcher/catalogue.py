"""The issuers' catalogue: credentials one can take, with the skills their outcomes teach, and
which of them close a gap.

Each offering's title and outcomes are mapped as a credential's are and its links go through
the engine's :class:`~matcher.evidence.LinkPolicy`; the mappings are cached under
``MATCHER_HOME/cache``, keyed by taxonomy, model, mapper and the catalogue's text.

A gap (a missing or partly held skill of a suggestion) is closed by an offering that teaches
the skill itself, or a narrower or broader one (the ESCO hierarchy; relations and embedding
neighbours are too loose to say a course "teaches" it), with a credit (that route's credit ×
the course's own link factor) of at least :data:`MIN_CREDIT`, and only by an offering that is
about the job (:func:`about_the_job`): at least :data:`MIN_JOB_SKILLS` of the skills it teaches
are the job's listed skills or narrower or broader ones (the gap included), or half of them
are (a short course on one topic: "Demensvård grund" for a care job's *dementia care*).
Skills that many occupations list (*troubleshoot*), and their narrower skills, count on neither
side. One skill in common with a job is what a mis-read outcome gives: "konfigurera en enkel
switch", read as *install electric switches*, offered a network course to electricians, and
a hotel booking-system course stood in, through a broader skill, for an energy adviser's
*inform customers on energy consumption fees*. Each offer says how many of the skills it
teaches are the job's (``job_skills``). Chosen on the dev people of the profile benchmark
against courses labelled with the ISCO groups they lead towards
(``benchmarks/gap_courses.py``, docs/benchmarks.md).

Reads: the demo catalogue, the partial-credit matrix. Writes: the mapping cache.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
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

# An offering is offered for a gap only when at least this many of the skills it teaches are
# the job's (the gap included), or half of them are: see the module docstring and
# docs/benchmarks.md ("Gap courses"), where shares of a third, a quarter and a half were
# compared and lost too many courses on the job's own field.
MIN_JOB_SKILLS = 2
# An offer closes at least this share of its gap (1 for the skill itself, less through a
# narrower or broader skill, times the course's own link factor); below it the course's link
# is too unsure to say it teaches the skill (docs/benchmarks.md, "Gap courses").
MIN_CREDIT = 0.3


def about_the_job(shared: int, taught: int) -> bool:
    """Whether a course teaching ``taught`` distinct skills, ``shared`` of them the job's,
    is about the job (the module docstring)."""
    return shared >= MIN_JOB_SKILLS or (shared > 0 and 2 * shared >= taught)


# (texts, language) → each text's mapping
MapTexts = Callable[[Sequence[str], str], list[OutcomeMapping]]


@dataclass(frozen=True)
class _Link:
    """A cached suggestion: what :meth:`LinkPolicy.select` needs of a SkillLink."""

    uri: str
    confidence: float


def hierarchy_relatives(partial: PartialCredit, uri: str) -> dict[str, tuple[str, float]]:
    """Skills narrower or broader than ``uri`` in the ESCO hierarchy: uri → (method, credit)."""
    col = partial.space.col.get(uri)
    related: dict[str, tuple[str, float]] = {}
    if col is not None:
        rows, credits, codes = partial.column(col)
        for row, credit, code in zip(rows.tolist(), credits.tolist(), codes.tolist(),
                                     strict=True):
            if int(code) in (1, 2):  # narrower or broader in the hierarchy
                related[partial.space.uris[row]] = (METHODS[int(code)][0], float(credit))
    return related


class JobSkills:
    """A job's skills, for counting how many of the skills a course teaches are the job's:
    each taught skill counts once when it is one of them or a narrower or broader skill of
    one. Skills many occupations list (``general``, :attr:`OccupationSpace.general`:
    *troubleshoot*) say nothing about a course's field and never count."""

    def __init__(self, job: Iterable[str], partial: PartialCredit,
                 general: AbstractSet[str] = frozenset()) -> None:
        self.general = general
        self.near: set[str] = set()  # the job's skills and their hierarchy relatives
        for uri in dict.fromkeys(job):
            if uri not in general:  # nor its narrower skills (*troubleshoot website*)
                self.near.add(uri)
                self.near.update(hierarchy_relatives(partial, uri))

    def count(self, taught: Iterable[str]) -> tuple[int, int]:
        """(the job's, all) among the distinct specific skills taught."""
        specific = {uri for uri in taught if uri not in self.general}
        return len(specific & self.near), len(specific)


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

    def job_skills(self, job: Sequence[str], general: AbstractSet[str] = frozenset()
                   ) -> dict[str, tuple[int, int]]:
        """For each offering, how many of the skills it teaches are the job's (URIs), and
        how many it teaches in all (:class:`JobSkills`)."""
        within = JobSkills(job, self.partial, general)
        return {entry.offering.id: within.count(t.uri for t in entry.skills)
                for entry in self.entries()}

    def courses_for(self, uri: str, limit: int, lang: str,
                    job: Mapping[str, tuple[int, int]] | None = None
                    ) -> tuple[CourseOffer, ...]:
        """Offerings that teach ``uri``, or a narrower or broader skill of it, surest first.
        ``job``: :meth:`job_skills` of the job the gap is in; an offering that is not about
        the job (:func:`about_the_job`) is not offered."""
        related = hierarchy_relatives(self.partial, uri)
        offers: dict[str, CourseOffer] = {}
        support: dict[str, float] = {}  # how much of the offering teaches the gap
        for entry in self.entries():
            shared, taught_count = (job or {}).get(entry.offering.id, (0, 0))
            if job is not None and not about_the_job(shared, taught_count):
                continue
            for taught in entry.skills:
                if taught.uri == uri:
                    method, credit = "exact", 1.0
                elif taught.uri in related:
                    method, credit = related[taught.uri]
                else:
                    continue
                credit *= taught.factor
                if credit < MIN_CREDIT:
                    continue
                support[entry.offering.id] = support.get(entry.offering.id, 0.0) + credit
                current = offers.get(entry.offering.id)
                if current is None or credit > current.credit:
                    offering = entry.offering
                    skill = self.taxonomy.skills[taught.uri]
                    offers[offering.id] = CourseOffer(
                        offering.id, offering.title, offering.awarding_body.name, taught.uri,
                        skill.label(lang), method, credit, taught.outcome,
                        offering.workload.hours, offering.url, shared or None)
        # Best first: the surest link, then the offering that teaches more of the job, then
        # the one with more outcomes teaching the gap.
        return tuple(sorted(offers.values(),
                            key=lambda c: (-round(c.credit, 2), -(c.job_skills or 0),
                                           -support[c.id], c.id))[:limit])
