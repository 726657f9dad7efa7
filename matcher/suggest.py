"""Which occupations (and job ads) to suggest to a person, in the order a counsellor would.

A person's profile holds skills with evidence; an occupation lists essential and optional
skills. Suggestions are ordered by a relevance that weighs what a career counsellor weighs:

- **specificity**: a skill that many occupations list (*customer service*, *apply hygiene
  standards*) says little about which one fits; a rare one (*operate cash register*, *provide
  palliative care*) says a lot. Each skill counts by its inverse occupation frequency,
  ``idf(s) = log((N + 1) / (df(s) + 1))`` over the N occupations with skills;
- **link confidence**: the person's weight for a skill is its evidence weight (verified >
  unverified > self-declared, × the link's factor) × ``confidence ** confidence_power``, so a
  link the mapper was unsure of does not count like an issuer-confirmed one (1.0);
- **essential vs optional**: an essential skill of the occupation counts ``essential``, an
  optional one ``optional``;
- **no reward for short lists**: the matched weight is divided by ``(length_prior +
  occupation weight) ** length_power``: an occupation with three listed skills, where one
  stray link covers a third, does not outrank one whose long list the person covers in depth;
- **minimum support**: an occupation needs at least ``min_support`` distinct held skills among
  its own (essential or optional) to be suggested ahead of any with less; one resting on fewer
  than ``floor`` held skills is not suggested at all, unless those are at least half of what
  it lists (a short ad: *forklift* for "truck and drawings"): a single stray link (*apply
  animal hygiene practices* in a care course) never puts an animal or vehicle occupation
  among a person's suggestions. Skills that many occupations list (more than
  ``general_share`` of them: *troubleshoot*, *have computer literacy*) count in the score but
  not as support. The explanation names the skills that support it;
- **a skill of the trade**: an occupation is suggested ahead of others only when at least one
  of the skills it rests on is *distinctive*, listed by at most ``distinctive_max``
  occupations. Skills that dozens of occupations list (*use personal protection equipment*,
  *maintain test equipment*, *ensure equipment maintenance*) say what kind of work a person
  does, not which job: on the second dev set, an IT-support profile's ten held *flight
  attendant*, *train driver* and *co-pilot* and not *ICT help desk agent*, and a cashier's
  held *casino cashier* and not *cashier*. Such an occupation is shown after every one that
  rests on a skill of its own, and its explanation says so;
- **entry level** (the pre-study's priority): managers (ISCO major group 1) and professionals
  (2), whose jobs need experience or a degree, count ``level_prior[group]`` of their
  relevance;
- **what the credentials are called**: a course title often names the occupation or field it
  trains for ("CNC-operatör – grund", "Storkök – tillagning i stora mängder", "Välfärdsteknik
  i hemtjänsten"), and a counsellor reads it first. An occupation's relevance is multiplied by
  ``1 + title_weight × t``, where t in [0, 1] is how close the closest of the person's
  credential titles comes to the occupation's name (:meth:`OccupationNames.closeness`). A
  title never makes an occupation eligible (it still needs ``floor`` held skills), but one it
  names (t ≥ 0.5, when the explanation names the title) counts as supported with fewer than
  ``min_support``: two skills of an IT-support course and its title "Användarsupport och
  felsökning" are better support for *ICT help desk agent* than three generic skills are for
  an occupation no title names.

Chosen by measurement on the dev split of the profile benchmark (benchmarks/suggestions.py);
the comparison is in docs/benchmarks.md.

Reads: the taxonomy's occupation–skill relations and ISCO groups. Writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.profiles import ESSENTIAL_WEIGHT, OPTIONAL_WEIGHT, CandidateProfile
from matcher.taxonomy import Taxonomy

if TYPE_CHECKING:
    from scipy import sparse

    from matcher.scoring.partial_credit import SkillSpace


# Below this many listing occupations no skill is general (SuggestionParams.general_share).
GENERAL_MIN_OCCUPATIONS = 50


@dataclass(frozen=True)
class SuggestionParams:
    """How suggestions are ordered (see the module docstring)."""

    specificity: bool = True
    essential: float = ESSENTIAL_WEIGHT
    optional: float = OPTIONAL_WEIGHT
    confidence_power: float = 1.0
    length_prior: float = 10.0
    length_power: float = 0.5
    min_support: int = 3
    floor: int = 2
    # A skill that more than this share of the occupations lists (and more than
    # GENERAL_MIN_OCCUPATIONS: a small taxonomy has no general skills) is no support for any
    # one of them; it still counts in the score. One in twelve: 15 skills in ESCO v1.1.1, such
    # as *troubleshoot*, *have computer literacy*, *manage staff* (idf < 2.5). Dev unchanged,
    # dev2 MRR 0.608 -> 0.611, hit@10 72.5 -> 75.0; one in twenty (idf < 3.0) loses on dev
    # (docs/benchmarks.md).
    general_share: float = 1 / 12
    # The employer's view of an occupation uses the same specificity: each skill of its
    # requirement weighs (idf / the most specific skill's idf) ** this (0: every skill alike),
    # so that a healthcare assistant's core reads as care skills rather than "communication".
    requirement_specificity: float = 2.0
    # A held skill listed by at most this many occupations is distinctive ("a skill of the
    # trade"); an occupation needs one among its support to be suggested ahead of others.
    # Chosen on dev and dev2 (docs/benchmarks.md, eleventh session): 10-20 is a plateau
    # (dev2 hit@10 75 -> 80-85), 15 its middle; 25 and more change nothing, 8 and less lose
    # dev2 MRR. A small taxonomy (tests) has every skill distinctive: the rule is then off.
    distinctive_max: int = 15
    level_prior: Mapping[str, float] = field(default_factory=lambda: {"1": 0.5, "2": 0.6})
    title_weight: float = 1.0


@dataclass(frozen=True)
class Relevance:
    """Relevance of requirement rows (occupations or ads) for one person, and its support."""

    score: np.ndarray  # (m,) the order key
    support: np.ndarray  # (m,) int: distinct held skills the row lists, general ones aside
    supported: np.ndarray  # (m,) bool: support ≥ min_support, one of them distinctive
    eligible: np.ndarray  # (m,) bool: support ≥ floor, or ≥ half of what the row lists
    general: np.ndarray  # (m,) int: held general skills the row lists (not in support)
    # (m,) int: held distinctive skills the row lists (supported needs one; every held
    # skill the row lists when no distinctive columns were given)
    distinctive: np.ndarray


class OccupationSpace:
    """Occupations × skills for suggestions: weights by essential/optional × specificity."""

    def __init__(self, taxonomy: Taxonomy, space: SkillSpace,
                 params: SuggestionParams | None = None) -> None:
        from scipy import sparse

        self.params = params = params or SuggestionParams()
        by_occupation: dict[str, list[tuple[int, bool]]] = {}
        for r in taxonomy.occupation_skills:
            col = space.col.get(r.skill_uri)
            if r.occupation_uri in taxonomy.occupations and col is not None:
                by_occupation.setdefault(r.occupation_uri, []).append((col, r.essential))
        self.uris = list(by_occupation)
        rows, cols, kinds = [], [], []
        for row, uri in enumerate(self.uris):
            for col, essential in by_occupation[uri]:
                rows.append(row)
                cols.append(col)
                kinds.append(params.essential if essential else params.optional)
        shape = (len(self.uris), len(space))
        self.kind = sparse.csr_matrix((np.asarray(kinds, dtype=np.float32), (rows, cols)),
                                      shape=shape)
        self.kind.sum_duplicates()
        df = np.asarray((self.kind > 0).sum(axis=0)).ravel()
        n = max(len(self.uris), 1)
        self.idf = np.log((n + 1) / (df + 1)).astype(np.float32)
        self.matrix = self.weighted(self.kind)
        self._col = space.col  # skill URI -> column, for specificity()
        # Columns whose skill is specific enough to count as support (general_share).
        general = (df > params.general_share * n) & (df > GENERAL_MIN_OCCUPATIONS)
        self.supports = (~general).astype(np.float32)
        self.general = frozenset(space.uris[c] for c in np.flatnonzero(general).tolist())
        # Columns whose skill is a skill of the trade (distinctive_max).
        self.distinctive = ((df > 0) & (df <= params.distinctive_max)).astype(np.float32)
        groups = [taxonomy.occupations[u].isco_group[:1] for u in self.uris]
        self.level = np.array([params.level_prior.get(g, 1.0) for g in groups],
                              dtype=np.float32)

    def specificity(self, uris: Sequence[str]) -> dict[str, float]:
        """Each skill's weight factor in an occupation's requirement, in (0, 1]: the most
        specific skill 1, one that every occupation lists close to 0 (never 0: it still counts).
        """
        power = self.params.requirement_specificity
        # The most specific skill an occupation can list: one no other occupation lists.
        top = float(np.log((len(self.uris) + 1) / 2)) if len(self.uris) > 1 else 1.0
        out = {}
        for uri in uris:
            i = self._col.get(uri)
            idf = float(self.idf[i]) if i is not None else top
            out[uri] = min(max(idf / top, 0.05), 1.0) ** power if power else 1.0
        return out

    def weighted(self, rows: sparse.csr_matrix) -> sparse.csr_matrix:
        """Requirement rows (occupations or ads) weighted by each skill's specificity."""
        if not self.params.specificity:
            return rows.tocsr()
        from scipy import sparse

        return (rows @ sparse.diags(self.idf)).tocsr()


def person_vector(profile: CandidateProfile, space: SkillSpace,
                  params: SuggestionParams) -> sparse.csr_matrix:
    """The person's skills as a 1 × skills row: evidence weight × confidence ** power."""
    from scipy import sparse

    cols, data = [], []
    for uri, evidence in profile.skills.items():
        col = space.col.get(uri)
        if col is None:
            continue
        best = max(e.weight * e.confidence ** params.confidence_power for e in evidence)
        if best > 0:
            cols.append(col)
            data.append(best)
    return sparse.csr_matrix((np.asarray(data, dtype=np.float32),
                              (np.zeros(len(cols), dtype=np.int64), cols)),
                             shape=(1, len(space)))


def relevance(person: sparse.csr_matrix, rows: sparse.csr_matrix, params: SuggestionParams,
              level: np.ndarray | None = None, supports: np.ndarray | None = None,
              distinctive: np.ndarray | None = None) -> Relevance:
    """How well each row (occupation or ad, already :meth:`OccupationSpace.weighted`) suits
    the person; rows with too little support are ordered after all supported ones.
    ``supports``: per skill column, 1 where a held skill counts as support, 0 for a general
    one (:attr:`OccupationSpace.supports`). ``distinctive``: per column, 1 for a skill of the
    trade (:attr:`OccupationSpace.distinctive`); a row is supported only with one of them
    among the held skills it lists (ads: not given, every skill an employer chose counts)."""
    matched = np.asarray((rows @ person.T).todense()).ravel()
    totals = np.asarray(rows.sum(axis=1)).ravel()
    score = matched / np.power(params.length_prior + totals, params.length_power)
    if level is not None:
        score = score * level
    held = person.copy()
    held.data[:] = 1.0
    listed = rows.copy()
    listed.data[:] = 1.0
    every = np.asarray((listed @ held.T).todense()).ravel().astype(np.int64)
    if supports is not None:
        held.data = supports[held.indices].astype(held.data.dtype)
    support = np.asarray((listed @ held.T).todense()).ravel().astype(np.int64)
    if distinctive is not None:
        held.data = distinctive[held.indices].astype(held.data.dtype)
        trade = np.asarray((listed @ held.T).todense()).ravel().astype(np.int64)
    else:
        trade = every
    supported = (support >= params.min_support) & (trade > 0)
    listed_count = np.diff(listed.indptr)
    eligible = (support > 0) & ((support >= params.floor) | (2 * support >= listed_count))
    return Relevance(score, support, supported, eligible, every - support, trade)


def order(rel: Relevance, k: int, boost: np.ndarray | None = None,
          named: np.ndarray | None = None, vouched: np.ndarray | None = None,
          first: np.ndarray | None = None) -> list[int]:
    """The ``k`` best rows: supported ones first, each group by score (× ``boost``); rows
    below the support floor are left out.

    ``named`` marks rows the person asked for themselves (an interest close to them): they
    count as supported whatever their support. ``vouched`` marks rows a credential title
    names: above the floor, they count as supported. ``first`` gives, for rows the person
    asked for by their name ("undersköterska"), how closely the name matched (0 elsewhere):
    they come before all others, the closest name first (an occupation's own name before
    another's variant), the way a counsellor starts from the job the person names and then
    says what it takes.
    """
    from matcher.scoring.score import best_rows

    key = rel.score if boost is None else rel.score * boost
    supported, eligible = rel.supported, rel.eligible
    if named is not None:
        supported, eligible = supported | named, eligible | named
    if vouched is not None:
        supported = supported | (vouched & eligible)
    key = np.where(eligible, key, 0.0)
    # Supported rows first: an offset larger than any score.
    offset = float(np.max(key)) + 1.0 if len(key) else 0.0
    lead = supported.astype(np.float64) * offset
    if first is not None:
        # Name scores differ by 0.01 and more (matcher.occupation_names): × 100 × offset
        # orders by them before any score; equal names by score.
        lead = lead + np.where(first > 0, 2 * offset + first * 100 * offset, 0.0)
        key = np.where(first > 0, np.maximum(key, 1e-9), key)  # asked for: never left out
    ranked = best_rows(key + lead, k)
    return [int(i) for i in ranked.tolist() if key[i] > 0]


def support_note(support: int, params: SuggestionParams, lang: str,
                 vouched: bool = False, general: Sequence[str] = (),
                 distinctive: int | None = None, asked: bool = False) -> str:
    """One line for the explanation: how many of the person's skills the suggestion rests on
    (``vouched``: a credential title names it, see :func:`order`; ``general``: the labels of
    held skills it lists that are too general to count as support; ``distinctive``: how many
    of them are skills of the trade, when known; ``asked``: the person's interest asked for
    it, so it is shown where its closeness puts it, whatever its support or trade skills)."""
    note = _support_count(support, params, lang, vouched, asked)
    if distinctive == 0 and support >= params.min_support and not (vouched or asked):
        note += (f"; ingen av dem är särskild för yrket (varje listas av fler än "
                 f"{params.distinctive_max} yrken): visas efter förslag som bygger på en "
                 "kompetens i yrket" if lang == "sv" else
                 f"; none of them is particular to this job (each is listed by more than "
                 f"{params.distinctive_max} occupations): shown after suggestions that rest "
                 "on a skill of the trade")
    if general:
        names = ", ".join(f"'{label}'" for label in general)
        note += (f"; {names} räknas i matchningen men inte som stöd: många yrken listar "
                 "sådant" if lang == "sv" else
                 f"; {names} {'counts' if len(general) == 1 else 'count'} in the fit but not "
                 "as support: many occupations list such skills")
    return note


def _support_count(support: int, params: SuggestionParams, lang: str, vouched: bool,
                   asked: bool) -> str:
    if lang == "sv":
        if support >= params.min_support:
            return (f"bygger på {support} av dina kompetenser (minst {params.min_support} "
                    "krävs för att föreslås)")
        if asked:
            return (f"bygger bara på {support} av dina kompetenser (under minimum "
                    f"{params.min_support}): visas här för att det ligger nära ditt intresse")
        if vouched:
            return (f"bygger på {support} av dina kompetenser (färre än de "
                    f"{params.min_support} som annars krävs: en kurstitel pekar på yrket)")
        return (f"bygger bara på {support} av dina kompetenser (under minimum "
                f"{params.min_support}): visas efter förslag med bättre stöd")
    if support >= params.min_support:
        return (f"rests on {support} of your skills (at least {params.min_support} needed to be "
                "suggested)")
    if asked:
        return (f"rests on only {support} of your skills (below the minimum of "
                f"{params.min_support}): shown here because it is close to your interest")
    if vouched:
        return (f"rests on {support} of your skills (fewer than the {params.min_support} "
                "otherwise needed: a credential's title names it)")
    return (f"rests on only {support} of your skills (below the minimum of "
            f"{params.min_support}): shown after better-supported suggestions")


def describe(params: SuggestionParams) -> dict[str, Any]:
    """The parameters as JSON (benchmarks record what they measured)."""
    return {"specificity": params.specificity, "essential": params.essential,
            "optional": params.optional, "confidence_power": params.confidence_power,
            "length_prior": params.length_prior, "length_power": params.length_power,
            "min_support": params.min_support, "floor": params.floor,
            "general_share": round(params.general_share, 4),
            "distinctive_max": params.distinctive_max,
            "requirement_specificity": params.requirement_specificity,
            "level_prior": dict(params.level_prior), "title_weight": params.title_weight}


def general_skills(space: OccupationSpace, skill_space: SkillSpace, profile: CandidateProfile,
                   row: int) -> list[str]:
    """The URIs of the person's skills that occupation ``row`` lists but that are too general
    to count as its support (:attr:`OccupationSpace.supports`)."""
    listed = set(space.kind.indices[space.kind.indptr[row]:space.kind.indptr[row + 1]].tolist())
    return [uri for uri in profile.skills
            if (col := skill_space.col.get(uri)) in listed and space.supports[col] == 0]


def profile_rows(requirements: Sequence[Sequence[tuple[str, float]]],
                 space: SkillSpace) -> sparse.csr_matrix:
    """Ad (or other) requirement rows as a sparse matrix over the skill space."""
    from matcher.scoring.score import requirement_matrix

    return requirement_matrix(requirements, space)
