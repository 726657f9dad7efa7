"""The pool's profiles, kept small enough for a million candidates per process.

A :class:`~matcher.profiles.CandidateProfile` is made for reading: a mapping proxy over a
dict of skill → tuple of evidence, about 5 kB for a candidate with fifteen skills (measured:
1.0 GB per process at 2,000 candidates, 1.5 GB at 100,000). A search reads the profiles of
its top ten only, and a profile view one, so the pool keeps each profile *packed*:

- one flat tuple ``(skill URI, evidence, skill URI, evidence, …)`` per candidate (the
  evidence itself when a skill has one piece, as most have, else a tuple of them), with its
  id and notes: a few hundred bytes;
- skill URIs are interned (``sys.intern``): one string per ESCO skill, whoever holds it;
- evidence is shared: every holder of one course, and every self-declared skill, has equal
  :class:`~matcher.evidence.Evidence` (frozen, compared by value), so one object serves all
  of them. The table that finds the shared object holds it weakly: evidence no candidate
  holds any more is dropped with its last holder.

- title lifts: only those a search reads (:meth:`CandidateProfile.for_ranking`, the
  lifts whose title points to an occupation, a handful a person), shared like evidence.

:meth:`ProfileShelf.unpack` gives back the packed profile as a search reads it
(``profile.for_ranking()``; a test checks it).
"""

from __future__ import annotations

import sys
import weakref
from typing import Any

from matcher.evidence import Evidence
from matcher.profiles import CandidateProfile
from matcher.title_names import TitleLift

# id, flat skill/evidence pairs, notes, flat title lifts (occupation URI, TitleLift, …)
Packed = tuple[str, tuple[Any, ...], tuple[str, ...], tuple[Any, ...]]


class ProfileShelf:
    """Packs profiles into shared, compact tuples and unpacks them on demand."""

    def __init__(self) -> None:
        self._evidence: weakref.WeakValueDictionary[Evidence, Evidence] = (
            weakref.WeakValueDictionary())
        # Title lifts are shared the same way: every holder of a course has its title's.
        self._lifts: weakref.WeakValueDictionary[TitleLift, TitleLift] = (
            weakref.WeakValueDictionary())

    @staticmethod
    def _shared(table: weakref.WeakValueDictionary[Any, Any], value: Any) -> Any:
        """The object equal to ``value`` that the table already holds, else ``value``, now
        held."""
        try:
            found = table.get(value)
        except TypeError:  # unhashable: a verification finding (a dict) is attached
            return value
        if found is None:
            table[value] = value
            return value
        return found

    def pack(self, profile: CandidateProfile) -> Packed:
        flat: list[Any] = []
        for uri, evidence in profile.skills.items():
            flat.append(sys.intern(uri))
            shared = tuple(self._shared(self._evidence, e) for e in evidence)
            flat.append(shared[0] if len(shared) == 1 else shared)
        titles: list[Any] = []
        # Only the lifts an employer's ranking reads (CandidateProfile.for_ranking): the
        # pool serves searches; suggestions build a person's profile afresh from the store.
        for uri, lifted in profile.for_ranking().titles.items():
            titles += [sys.intern(uri), self._shared(self._lifts, lifted)]
        return (profile.id, tuple(flat), profile.notes, tuple(titles))

    @staticmethod
    def unpack(packed: Packed) -> CandidateProfile:
        candidate_id, flat, notes, lifts = packed
        skills = {}
        for i in range(0, len(flat), 2):
            evidence = flat[i + 1]
            skills[flat[i]] = evidence if isinstance(evidence, tuple) else (evidence,)
        titles = {lifts[i]: lifts[i + 1] for i in range(0, len(lifts), 2)}
        return CandidateProfile.from_ordered(candidate_id, skills, notes,  # packed in order
                                             titles)
