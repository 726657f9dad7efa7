"""What to suggest to one person: occupations and job ads in the order a counsellor weighs
them, each explained, with the courses that close its gaps.

:meth:`matcher.engine.Engine.suggest` resolves the person's profile and the ads and calls
:func:`advise`; the ordering itself is :mod:`matcher.suggest` (relevance, support, floor).
With an interest ("äldreomsorg med demensvård", "undersköterska"), rows close to it come
first: through the skills the interest is mapped to, or, for occupations, their names
(:mod:`matcher.occupation_names`); rows the interest asks for are suggested below the support
floor (:data:`INTEREST_ASKS`). Occupations whose names the person's credential titles come
close to gain (``SuggestionParams.title_weight``), and the explanation names the title.

Reads: the engine's resources (:class:`Resources`). Writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from matcher.catalogue import Catalogue
from matcher.evidence import LinkPolicy
from matcher.models import OutcomeMapping
from matcher.occupation_names import LEXICAL_CUTOFF, NameMatch, OccupationNames
from matcher.profiles import CandidateProfile, RequirementProfile
from matcher.scoring.partial_credit import PartialCredit
from matcher.scoring.results import Suggestion, Suggestions
from matcher.suggest import OccupationSpace, Relevance
from matcher.taxonomy import Taxonomy
from matcher.title_names import TitleName, title_lifts

# An interest asks for a row (an ad, an occupation) whose skills are at least this close to
# it, relative to the closest row: such rows are suggested even below the support floor.
INTEREST_ASKS = 0.5
# The titles read per person (those giving the most evidence): a first suggestion for someone
# with many credentials stays within about a second.
MAX_TITLES = 10

AdRow = tuple[str, str, RequirementProfile, Mapping[str, str]]


@dataclass(frozen=True)
class Titles:
    """A person's title lifts (:attr:`CandidateProfile.titles`) in :attr:`occupation_space`
    order: ``closeness`` per occupation (it orders suggestions), and ``namers``: the title
    that points to an occupation, by row (:mod:`matcher.title_names`). Only a pointing title
    lets an occupation count as supported with fewer skills and is named in the explanation.
    """

    closeness: np.ndarray
    namers: Mapping[int, str]

    @property
    def points(self) -> np.ndarray:
        """Per occupation: whether a title points to it."""
        pointing = np.zeros(len(self.closeness), dtype=bool)
        pointing[list(self.namers)] = True
        return pointing

    def named_by(self, row: int) -> str | None:
        """The title that points to the occupation in ``row``, if one does."""
        return self.namers.get(row)


class TitleReader(Protocol):
    """What :func:`with_title_lifts` needs of the engine."""

    @property
    def taxonomy(self) -> Taxonomy: ...

    def title_names(self, title: str) -> tuple[TitleName, ...]: ...


class Resources(TitleReader, Protocol):
    """What advice needs of the engine."""

    @property
    def taxonomy(self) -> Taxonomy: ...
    @property
    def partial_credit(self) -> PartialCredit: ...
    @property
    def occupation_space(self) -> OccupationSpace: ...
    @property
    def occupation_names(self) -> OccupationNames: ...
    @property
    def course_catalogue(self) -> Catalogue: ...

    def requirement_from_occupation(self, uri: str, *, must_have: Sequence[str] = (),
                                    lang: str = "en") -> RequirementProfile: ...

    def match_occupations(self, query: str, *, top_k: int = 10) -> list[NameMatch]: ...

    def map_outcomes(self, texts: Sequence[str], *, top_k: int = 10, lang: str = "auto",
                     written_in: Sequence[str | None] | None = None
                     ) -> list[OutcomeMapping]: ...


def advise(engine: Resources, profile: CandidateProfile, ads: Sequence[AdRow], ad_matrix: Any,
           source: str, notes: list[str], *, top_k: int, interest: str | None,
           courses_per_gap: int, lang: str) -> Suggestions:
    """The ``top_k`` occupations and ads for a person with skills (see the module docstring).

    Raises:
        InvalidInputError: ``interest`` is given but names no skill or occupation.
    """
    from matcher.scoring.score import suggestion_relevance
    from matcher.suggest import (
        general_skills,
        order,
        person_vector,
        relevance,
        support_note,
    )

    space = engine.occupation_space
    params = space.params
    wish = named = named_by_word = None
    if interest is not None:
        wish, named, named_by_word = _interest(engine, interest, lang, notes)

    def closeness(rows: Any, names: Any = None) -> tuple[Any, Any, Any]:
        """(boost, asked, by name) for rows, or (None, None, None) without an interest. The
        boost is the closeness to the interest in [0.1, 1.1]: through its skills, the
        closest row counting 1, or, for occupations, through their names. Asked: rows the
        interest names (an occupation's name, or skills at least half as close as the
        closest row's), which are suggested below the support floor: the person asked for
        them. By name: the occupations the interest names word for word, which come
        first."""
        if wish is None and names is None:
            return None, None, None
        near = np.zeros(rows.shape[0], dtype=np.float32)
        asked = np.zeros(rows.shape[0], dtype=bool)
        by_name = None
        if wish is not None:
            near = suggestion_relevance(wish, rows, "cosine")[0]
            near = near / max(float(near.max()), 1e-9)
            asked |= near >= INTEREST_ASKS
        if names is not None:
            near = np.maximum(near, names)
            asked |= names >= LEXICAL_CUTOFF
            by_name = named_by_word
        return 0.1 + near, asked, by_name

    occupation_out = []
    if space.uris:
        boost, asked, by_name = closeness(space.kind, named)
        ranked, rel, _, titled = rank_occupations(engine, profile, top_k, boost, asked,
                                                  by_name)
        for i in ranked:
            occupation = engine.taxonomy.occupations[space.uris[i]]
            requirement = engine.requirement_from_occupation(occupation.uri, lang=lang)
            title = titled.named_by(i) if titled is not None else None
            general = (general_skills(space, engine.partial_credit.space, profile, i)
                       if rel.general[i] else [])
            why = support_note(int(rel.support[i]), params, lang, title is not None,
                               [engine.taxonomy.skills[u].label(lang) for u in general],
                               int(rel.distinctive[i]), asked is not None and bool(asked[i]))
            if title is not None:
                why += title_note(title, lang)
            occupation_out.append(_suggestion(
                engine, "occupation", occupation.uri, occupation.label(lang), profile,
                requirement, courses_per_gap, lang, why=why))
        if not occupation_out:
            notes.append(f"no occupation lists at least {params.floor} of the candidate's "
                         "skills, so none is suggested; add credentials or skills")
    else:
        notes.append("the taxonomy has no occupation–skill relations, so no occupations "
                     "are suggested; import the ESCO relations bundle")
    ad_out = []
    if ads:
        person = person_vector(profile, engine.partial_credit.space, params)
        # Every skill an ad names was chosen by the employer: none is too general to count
        # (an IT-support ad's "troubleshoot"), unlike in an occupation's long ESCO list.
        rel = relevance(person, space.weighted(ad_matrix), params)
        ad_boost, ad_asked, _ = closeness(ad_matrix)
        for i in order(rel, top_k, ad_boost, ad_asked):
            ad_id, title, requirement, details = ads[i]
            ad_out.append(_suggestion(
                engine, "ad", ad_id, title, profile, requirement, courses_per_gap, lang,
                tuple(details.items()), why=support_note(
                    int(rel.support[i]), params, lang,
                    asked=ad_asked is not None and bool(ad_asked[i]))))
    return Suggestions(profile.id, tuple(occupation_out), tuple(ad_out), source,
                       tuple(notes))


def rank_occupations(engine: Resources, profile: CandidateProfile, top_k: int,
                     boost: np.ndarray | None = None, asked: np.ndarray | None = None,
                     by_name: np.ndarray | None = None,
                     ) -> tuple[list[int], Relevance, np.ndarray | None, Titles | None]:
    """The ``top_k`` occupations (rows of :attr:`occupation_space`) in suggestion order, with
    the relevance, the boost that ordered them (an interest's, ``boost``, times the credential
    titles') and the titles' closeness (:func:`title_closeness`). ``asked``: rows the person
    asked for; ``by_name``: those they asked for by the occupation's name, first
    (:func:`matcher.suggest.order`)."""
    from matcher.suggest import order, person_vector, relevance

    space = engine.occupation_space
    params = space.params
    rel = relevance(person_vector(profile, engine.partial_credit.space, params), space.matrix,
                    params, space.level, space.supports, space.distinctive)
    titled = title_closeness(engine, profile)
    vouched = None
    if titled is not None:
        factor = 1.0 + params.title_weight * titled.closeness
        boost = factor if boost is None else boost * factor
        vouched = titled.points
    # An occupation a credential title names (as far as the explanation says so) counts as
    # supported from the floor on (matcher.suggest, "what the credentials are called").
    return order(rel, top_k, boost, asked, vouched, by_name), rel, boost, titled


def credential_titles(profile: CandidateProfile, limit: int = MAX_TITLES) -> list[str]:
    """The titles of the credentials the person's skills come from, each once: the ``limit``
    that give the most evidence (for a profile built without title lifts, each is looked up
    once, ~0.1 s, then remembered)."""
    weight: dict[str, float] = {}
    for evidence in profile.skills.values():
        for e in evidence:
            if e.credential_title:
                weight[e.credential_title] = weight.get(e.credential_title, 0.0) + e.weight
    return sorted(weight, key=lambda t: -weight[t])[:limit]


def with_title_lifts(engine: TitleReader, profile: CandidateProfile) -> CandidateProfile:
    """``profile`` with its :attr:`~CandidateProfile.titles`: as built, or, for a profile
    made without them (by hand, from skills and evidence alone), from the titles its
    evidence names (those giving the most evidence, :func:`credential_titles`)."""
    if profile.titles:
        return profile
    titles = credential_titles(profile)
    if not titles:
        return profile
    gave: dict[str, list[str]] = {title: [] for title in titles}
    for uri, evidence in profile.skills.items():
        for e in evidence:
            if e.credential_title in gave:
                gave[e.credential_title].append(uri)
    lifts = title_lifts([(t, gave[t], engine.title_names(t)) for t in titles], engine.taxonomy)
    return CandidateProfile.from_ordered(profile.id, dict(profile.skills), profile.notes,
                                         lifts) if lifts else profile


def title_closeness(engine: Resources, profile: CandidateProfile) -> Titles | None:
    """The person's title lifts in :attr:`occupation_space` order (:class:`Titles`); None
    when the titles lift nothing (or there are none: self-declared skills only)."""
    space = engine.occupation_space
    lifts = with_title_lifts(engine, profile).titles
    if not lifts or not space.uris:
        return None
    row = _space_rows(space)
    closeness = np.zeros(len(space.uris), dtype=np.float32)
    namers: dict[int, str] = {}
    for uri, found in lifts.items():
        i = row.get(uri)
        if i is None:
            continue
        closeness[i] = found.lift
        if found.title is not None:
            namers[i] = found.title
    return Titles(closeness, namers)


@lru_cache(maxsize=4)
def _space_rows(space: OccupationSpace) -> dict[str, int]:
    return {uri: i for i, uri in enumerate(space.uris)}


def name_closeness(engine: Resources, query: str) -> np.ndarray:
    """:meth:`OccupationNames.closeness` of ``query``, in :attr:`occupation_space` order."""
    names = engine.occupation_names
    aligned: np.ndarray = names.closeness(query)[_name_columns(names, engine.occupation_space)]
    return aligned


@lru_cache(maxsize=4)
def _name_columns(names: OccupationNames, space: OccupationSpace) -> np.ndarray:
    """Where each occupation of ``space`` is in ``names`` (both are built once per engine)."""
    position = {uri: i for i, uri in enumerate(names.uris)}
    return np.array([position[uri] for uri in space.uris], dtype=np.int64)


def title_note(title: str, lang: str) -> str:
    """The explanation's clause for a credential title that names the occupation."""
    if lang == "sv":
        return f"; titeln på din merit «{title}» pekar mot yrket"
    return f"; the title of your credential '{title}' points to it"


def _interest(engine: Resources, interest: str, lang: str, notes: list[str]
              ) -> tuple[Any, Any, Any]:
    """An interest as (skill coverage row or None, per-occupation name closeness aligned
    with :attr:`occupation_space` or None, whether it names each occupation word for word or
    None: the lexical name score, 0 where it names none), with a note saying how it was
    read.

    Raises:
        InvalidInputError: the interest names neither a skill nor an occupation.
    """
    from matcher.errors import InvalidInputError
    from matcher.scoring.score import coverage, requirement_matrix

    partial = engine.partial_credit
    wish = named = by_name = None
    read: list[str] = []
    try:
        wanted = _interest_profile(engine, interest, lang)
    except InvalidInputError:
        wanted = None
    if wanted is not None:
        wish = coverage(requirement_matrix([[(r.uri, r.weight)
                                             for r in wanted.requirements]],
                                           partial.space), partial)
        read.append("skills: " + ", ".join(engine.taxonomy.skills[u].label(lang)
                                           for u in wanted.uris[:6]))
    space = engine.occupation_space
    if space.uris:
        named = name_closeness(engine, interest)
        names = engine.occupation_names
        lexical = names.lexical_closeness(interest)[_name_columns(names, space)]
        # The occupations it names best: "vårdbiträde" names *healthcare assistant*, whose
        # name it is, more than two office jobs that list it as a variant.
        by_name = np.where(lexical >= float(lexical.max()) - 0.005, lexical, 0.0)
        best = engine.match_occupations(interest, top_k=3)
        if best and best[0].method == "lexical":
            read.append("occupations by name: " + ", ".join(
                engine.taxonomy.occupations[m.uri].label(lang) for m in best
                if m.method == "lexical"))
    if wish is None and (named is None or not read):
        raise InvalidInputError(f"interest {interest!r} names no ESCO skill or occupation; "
                                "describe the field or job in a few words",
                                field="interest")
    notes.append(f"ordered by fit and by closeness to the interest {interest!r} "
                 f"(read as {'; '.join(read) or 'occupation names'})")
    return wish, named, by_name


def _interest_profile(engine: Resources, interest: str, lang: str) -> RequirementProfile:
    """An interest ("äldreomsorg med demensvård") as skills: it names a field, not one
    task, so each of its phrases keeps up to five links, down to 0.3 of the best one's
    confidence: about the first three when none stands out. (At half, an interest nearly
    always read as one skill: "hotell och reception" as *maintain reception area* alone,
    without *hotel operations*.) Read in the page's language ``lang`` when its words do not
    say ("lagerarbete" typed on the Swedish page is Swedish)."""
    from matcher.ad_sections import AdPhrase
    from matcher.errors import InvalidInputError
    from matcher.requirements import AdPolicy, requirement_from_phrases

    if not isinstance(interest, str) or not interest.strip():
        raise InvalidInputError("interest is empty; describe the field or job the person "
                                "wants, e.g. 'äldreomsorg'", field="interest")
    texts = [p.strip() for p in re.split(r"[.;!?\n]+", interest[:500]) if p.strip()]
    phrases = [AdPhrase(t, "required") for t in texts or [interest.strip()[:500]]]
    mappings = engine.map_outcomes([p.text for p in phrases], top_k=5,
                                   written_in=[lang] * len(phrases))
    try:
        return requirement_from_phrases(
            "interest", interest, phrases, mappings, [[] for _ in phrases],
            policy=AdPolicy(links=LinkPolicy(relative=0.3, per_text=5), min_confidence=0.0))
    except InvalidInputError:
        raise InvalidInputError(f"interest {interest!r} names no ESCO skill; describe the "
                                "field or job in a few words", field="interest") from None


def _suggestion(engine: Resources, kind: str, id_: str, title: str, profile: CandidateProfile,
                requirement: RequirementProfile, courses_per_gap: int, lang: str,
                details: tuple[tuple[str, str], ...] = (), *, why: str = "") -> Any:
    from matcher.scoring.explain import explain
    from matcher.scoring.results import Gap

    explanation = explain(profile, requirement.requirements, engine.partial_credit,
                          engine.taxonomy, lang=lang)
    catalogue = engine.course_catalogue
    job = catalogue.job_skills([r.uri for r in requirement.requirements],
                               engine.occupation_space.general)
    gaps = tuple(
        Gap(skill, catalogue.courses_for(skill.uri, courses_per_gap, lang, job))
        for skill in sorted((*explanation.missing, *explanation.partial),
                            key=lambda m: (-m.weight, m.score))
    )
    return Suggestion(kind, id_, title, explanation, gaps, details, why)
