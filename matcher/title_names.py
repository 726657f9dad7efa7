"""What credential titles say about occupations: the title evidence beside the skills.

A credential's title often names the trade it trains for ("Barista – grundkurs",
"Skadereparation – plåt"), and says so more surely than a mapped outcome: a car-body course
whose "maskera bilen" was read as *test make-up* still says *vehicle body repairer* in its
title. Two steps, split by what they need:

- :func:`title_names` (needs the model, :class:`~matcher.occupation_names.OccupationNames`):
  the occupations a title comes close to, worked out once when the credential is mapped and
  kept with it (the service stores them beside the credential's links);
- :func:`title_lifts` (taxonomy only): per occupation, from the titles of the credentials a
  person holds and the skills each gave, how far the titles *lift* it (0–1) and which title
  *points* to it. Built with the profile (:func:`matcher.profiles.build_candidate_profile`),
  so the library, the CLI and the service (whose pool builds profiles without the model)
  read the same lifts. Suggestions order occupations by them (:mod:`matcher.advice`); an
  employer's ranking for an occupation lifts its candidates by those whose title points to
  it, and names that title (:func:`matcher.scoring.score.ranking_key`).

A title *points* to an occupation when it names it word for word (or its head before a dash
or colon does), or comes close to its name and its own course gives at least one skill the
occupation lists: a semantic closeness is relative to the title's best occupation, so every
title is "close" to some names ("Rån- och hotprevention i butik" to *consumer rights
advisor*), but a course that gives none of an occupation's skills does not point to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from matcher.taxonomy import Taxonomy

# A title this close (OccupationNames.closeness) to an occupation's name points to it, when
# it names it word for word or its course gives one of the occupation's skills (see above).
TITLE_SAYS = 0.5
# Lifts below this are not kept with a profile. Every title comes somewhat close to ~1 % of
# the occupations (~110 lifts a person on dev–dev3), but a floor only loses suggestion MRR
# (floor 0 / 0.2 / 0.35 / 0.5: dev 0.670 / 0.670 / 0.683 / 0.647, dev2 0.634 / 0.632 / 0.633
# / 0.632, dev3 0.663 / 0.651 / 0.638 / 0.650; `benchmarks/suggestions.py --title-sweep`),
# and the service's pool keeps only the pointing lifts (~10 a person) an employer's ranking
# reads (CandidateProfile.for_ranking), so every lift is kept.
LIFT_FLOOR = 0.0


@dataclass(frozen=True)
class TitleName:
    """An occupation a credential title comes close to: ``closeness`` as
    :meth:`OccupationNames.closeness` gives it, ``lexical`` where the title (or its head)
    names it word for word or with a typo, else 0."""

    uri: str
    closeness: float
    lexical: float

    def to_dict(self) -> dict[str, Any]:
        return {"uri": self.uri, "closeness": self.closeness, "lexical": self.lexical}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TitleName:
        return cls(str(data["uri"]), float(data["closeness"]), float(data.get("lexical", 0.0)))


@dataclass(frozen=True)
class TitleLift:
    """How far a person's credential titles lift one occupation (0–1), and the title that
    points to it (None when none does: the lift is then at most :data:`TITLE_SAYS`)."""

    lift: float
    title: str | None = None

    @property
    def points(self) -> bool:
        """Whether a title points to the occupation: only such a lift orders an employer's
        ranking, since the card can name it."""
        return self.title is not None


class Names(Protocol):
    """What :func:`title_names` needs of :class:`~matcher.occupation_names.OccupationNames`."""

    uris: list[str]

    def closeness(self, query: str) -> np.ndarray: ...
    def lexical_closeness(self, query: str) -> np.ndarray: ...


def title_names(names: Names, title: str) -> tuple[TitleName, ...]:
    """The occupations ``title`` comes close to (closeness above 0: about 1 % of them, and
    those it names word for word), by URI. A title often names the occupation before a dash
    or colon ("Barista – grundkurs", "CNC-operatör: grund"); the head is read word for word
    too, since the words after it keep the whole title from matching the name."""
    query = title.strip()[:200]
    if not query:
        return ()
    near = names.closeness(query)
    lexical = names.lexical_closeness(query)
    head = re.split(r"\s+[–—-]\s+|:\s*", query, maxsplit=1)[0].strip()
    if head and head != query:
        lexical = np.maximum(lexical, names.lexical_closeness(head))
    keep = np.flatnonzero((near > 0) | (lexical > 0))
    return tuple(TitleName(names.uris[i], round(float(max(near[i], lexical[i])), 4),
                           round(float(lexical[i]), 4)) for i in keep.tolist())


def title_lifts(titled: Iterable[tuple[str, Iterable[str], Sequence[TitleName]]],
                taxonomy: Taxonomy, floor: float | None = None) -> dict[str, TitleLift]:
    """Per occupation URI, how far these titles lift it (lifts of at least ``floor`` only,
    default :data:`LIFT_FLOOR`).

    ``titled``: (title, the skill URIs its credential gave the profile, its
    :func:`title_names`) for each credential that gave the profile a skill. An occupation a
    title points to (see the module docstring) is lifted by the closest title's closeness;
    any other by that closeness at most :data:`TITLE_SAYS` (dev2 MRR 0.596 → 0.608; no cap
    or a lower one is worse, sixteenth session).
    """
    nearest: dict[str, float] = {}
    pointing: dict[str, tuple[float, str]] = {}
    for title, gave, names in titled:
        given = set(gave)
        for name in names:
            if name.closeness > nearest.get(name.uri, 0.0):
                nearest[name.uri] = name.closeness
            naming = name.lexical
            if name.closeness > naming and name.closeness >= TITLE_SAYS and any(
                    r.skill_uri in given for r in taxonomy.skills_of(name.uri)):
                naming = name.closeness
            if naming >= TITLE_SAYS and naming > pointing.get(name.uri, (0.0, ""))[0]:
                pointing[name.uri] = (naming, title)
    floor = LIFT_FLOOR if floor is None else floor
    lifts: dict[str, TitleLift] = {}
    for uri, near in nearest.items():
        points = pointing.get(uri)
        lift = near if points is not None else min(near, TITLE_SAYS)
        if lift >= floor and lift > 0:
            lifts[uri] = TitleLift(lift, points[1] if points is not None else None)
    return lifts
