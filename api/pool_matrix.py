"""The pool's candidate × skill matrix, updated in place one candidate at a time.

Layout. Every findable candidate has a *slot* (a row of the matrix):

- rows ``[0, n_main)`` are the *main* part: a CSC matrix (an inverted index, skill →
  candidates, as :func:`matcher.scoring.score.score_candidates` wants it) built at start-up
  and at each compaction, its rows in candidate-id order;
- a candidate added or changed since gets a new slot appended after them (the *tail*, a small
  CSC matrix of its own) and its old slot is marked dead; a removed candidate's slot is marked
  dead. A change costs one profile's row and a re-formed tail, never a pass over all profiles.

A search scores the main part and the tail with
:func:`matcher.scoring.score.score_candidates`, masks the dead slots and takes the top-k, ties
by candidate id (the main part is in id order, so only tied tail rows need sorting). Scores
and order are therefore the same as ranking a matrix built from scratch in id order, whatever
the history of changes, and every process sharing a database ranks alike.

When the tail and the dead rows together pass ``COMPACT_ROWS`` (or ``COMPACT_SHARE`` of the
pool), :meth:`PoolMatrix.compact` merges them into a new main part with sparse operations on
the rows already built (no profile is rebuilt).

Searches read an immutable :class:`Snapshot`; :meth:`PoolMatrix.apply` publishes a new one.
Within one layout (between compactions) the per-slot lists only grow, so a snapshot shares
them and a change publishes in time proportional to the tail, not the pool. Callers serialise
:meth:`apply` and :meth:`compact` (the pool holds its lock); reads need no lock.
"""

from __future__ import annotations

import bisect
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from api.pool_profiles import Packed, ProfileShelf
from matcher.profiles import CandidateProfile, RequirementProfile
from matcher.scoring.partial_credit import PartialCredit, SkillSpace
from matcher.scoring.score import (
    Scores,
    candidate_matrix,
    leaders,
    ranking_key,
    score_candidates,
    split_at_cut,
)

logger = logging.getLogger(__name__)

# Compact when tail rows + dead rows exceed max(COMPACT_ROWS, COMPACT_SHARE × main rows): the
# tail is scored by a second, small sparse product and dead main rows still cost their
# entries in every search, so both are kept to a few per cent of the pool. At 20 writes/s and
# 1M candidates that is one compaction every ~17 minutes, each O(nnz) in scipy.
COMPACT_ROWS = 4096
COMPACT_SHARE = 0.02
# Past this many times the threshold, :meth:`PoolMatrix.apply` compacts by itself (normally
# the pool's background thread does it first, off the request path).
COMPACT_FORCE = 4


@dataclass(frozen=True)
class Snapshot:
    """What one search reads: the matrix parts, which slots are live, and their profiles."""

    space: SkillSpace
    titles: Mapping[str, int]  # each occupation's title-lift column, after the skills
    main: sparse.csc_matrix  # n_main × (skills + occupations), rows in candidate-id order
    tail: sparse.csc_matrix | None  # (n_slots - n_main) × skills
    live: np.ndarray  # (n_slots,) bool
    count: int  # live slots
    profiles: SlotProfiles  # by slot (shared, only appended to: read < n_slots)
    ids: list[str]  # by slot (idem)

    @property
    def n_main(self) -> int:
        return int(self.main.shape[0])

    @property
    def n_slots(self) -> int:
        return len(self.live)

    def score(self, requirement: RequirementProfile, partial: PartialCredit) -> Scores:
        """Every slot's score, must-have gate and title lift (dead slots: 0 and not met)."""
        main = score_candidates(self.main, requirement, partial, self.titles)
        score, must_met, rows, lift = main.score, main.must_met, main.rows, main.lift
        full = main.full if main.full is not None else np.zeros_like(score)
        if self.n_slots > self.n_main:
            extra = self.n_slots - self.n_main
            score = np.concatenate([score, np.zeros(extra, dtype=score.dtype)])
            full = np.concatenate([full, np.zeros(extra, dtype=full.dtype)])
            must_met = np.concatenate([must_met, np.full(extra, main.others_meet)])
            if lift is not None:
                lift = np.concatenate([lift, np.zeros(extra, dtype=lift.dtype)])
            if self.tail is not None:
                tail = score_candidates(self.tail, requirement, partial, self.titles)
                if tail.lift is not None:
                    if lift is None:
                        lift = np.zeros(self.n_slots, dtype=np.float32)
                    lift[self.n_main:] = tail.lift
                score[self.n_main:] = tail.score
                if tail.full is not None:
                    full[self.n_main:] = tail.full
                must_met[self.n_main:] = tail.must_met
                if rows is not None and tail.rows is not None:
                    rows = np.concatenate([rows, self.n_main + tail.rows])
                else:
                    rows = None
        dead = ~self.live
        score[dead] = 0.0
        full[dead] = 0.0
        must_met[dead] = False
        return Scores(score, must_met, full, rows, main.others_meet, lift)

    def top(self, scores: Scores, k: int) -> np.ndarray:
        """Slots of the ``k`` best live candidates: those meeting every must-have first, then
        by score (:func:`matcher.scoring.score.ranking_key`), ties by candidate id (as
        ``best_rows`` over a matrix in id order)."""
        k = min(k, self.count)
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        # Only the slots holding a relevant skill can rank above the rest (who all share one
        # key): when k of them do, the top-k is theirs, found without a pass over the pool.
        found = leaders(scores, k, self.live)
        if found is not None:
            return self._best(*found, k)
        key = ranking_key(scores)
        key[~self.live] = -np.inf
        return self._best(np.arange(len(key)), key, k)

    def _best(self, slots: np.ndarray, key: np.ndarray, k: int) -> np.ndarray:
        """The ``k`` best of ``slots`` (ascending) by ``key``, ties by candidate id."""
        above, tied = split_at_cut(key, k)  # positions in slots
        chosen = above.tolist()
        need = k - len(chosen)
        ids = self.ids

        def id_of(position: int) -> str:
            return ids[int(slots[position])]

        if len(tied) <= need:
            chosen += tied.tolist()
        else:
            # The main rows are in id order: the first `need` tied ones are its best; tied
            # tail rows (few) are sorted and merged with them.
            split = int(np.searchsorted(slots[tied], self.n_main))
            best = tied[:min(split, need)].tolist()
            if split < len(tied):
                tail = sorted(tied[split:].tolist(), key=id_of)[:need]
                best = sorted(best + tail, key=id_of)[:need]
            chosen += best
        chosen.sort(key=lambda p: (-key[p], id_of(p)))
        return np.asarray(slots[np.asarray(chosen, dtype=np.int64)], dtype=np.int64)


class SlotProfiles:
    """A snapshot's profiles by slot, unpacked when read (a search reads its top k)."""

    def __init__(self, packed: list[Packed]) -> None:
        self._packed = packed

    def __getitem__(self, slot: int) -> CandidateProfile:
        return ProfileShelf.unpack(self._packed[slot])

    def __len__(self) -> int:
        return len(self._packed)


class PoolMatrix:
    """The candidate × skill matrix of a pool, with one slot per findable candidate, and
    the candidates' title lifts in one column per occupation after the skills.

    Args:
        space: the skill columns (the engine's partial-credit space).
        titles: each occupation's title-lift column
            (:func:`matcher.scoring.score.title_columns`).
        profiles: the findable candidates' profiles to start from.
    """

    def __init__(self, space: SkillSpace, titles: Mapping[str, int],
                 profiles: Iterable[CandidateProfile] = ()) -> None:
        self.space = space
        self.titles = titles
        self.width = len(space) + len(titles)
        self.compactions = 0
        self.shelf = ProfileShelf()
        ordered = sorted(profiles, key=lambda p: p.id)
        self._layout([self.shelf.pack(p) for p in ordered],
                     candidate_matrix(ordered, space, titles).tocsc())

    @classmethod
    def from_rows(cls, space: SkillSpace, titles: Mapping[str, int], shelf: ProfileShelf,
                  packed: list[Packed], rows: sparse.csr_matrix) -> PoolMatrix:
        """From profiles already packed (by ``shelf``) and their matrix rows
        (:func:`~matcher.scoring.score.candidate_matrix` with ``titles``), in any order: a
        full load builds both a page at a time, never every profile at once."""
        matrix = cls(space, titles)
        matrix.shelf = shelf
        order = sorted(range(len(packed)), key=lambda i: packed[i][0])
        matrix._layout([packed[i] for i in order],
                       rows[np.asarray(order, dtype=np.int64)].tocsc())
        return matrix

    # -- layout ------------------------------------------------------------------------------
    def _layout(self, ordered: list[Packed], main: sparse.csc_matrix) -> None:
        """Start a new layout: ``ordered`` (packed, in id order) become the main part."""
        self._main = main
        self._profiles: list[Packed] = list(ordered)
        self._ids: list[str] = [p[0] for p in ordered]
        self._slot: dict[str, int] = {cid: i for i, cid in enumerate(self._ids)}
        # Readers by id take both from one assignment, never one old and one new.
        self._by_id = (self._profiles, self._slot)
        self._live = np.ones(len(ordered), dtype=bool)
        # The tail, as CSR arrays that only grow (rows n_main, n_main + 1, …): a published
        # snapshot's tail was copied out of them, so they are appended to in place.
        self._tail_indptr: list[int] = [0]
        self._tail_indices = np.zeros(1024, dtype=np.int32)
        self._tail_data = np.zeros(1024, dtype=np.float32)
        self._tail_csc: sparse.csc_matrix | None = None
        self._dead_main = 0  # dead slots in the main part
        self._publish()

    def _publish(self) -> None:
        self._snapshot = Snapshot(self.space, self.titles, self._main, self._tail_csc,
                                  self._live, len(self._slot), SlotProfiles(self._profiles),
                                  self._ids)

    # -- reading -----------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def __len__(self) -> int:
        return len(self._slot)

    def get(self, candidate_id: str) -> CandidateProfile | None:
        """The current profile of a findable candidate, else None."""
        profiles, slot_of = self._by_id
        slot = slot_of.get(candidate_id)
        if slot is None or slot >= len(profiles):
            return None
        return ProfileShelf.unpack(profiles[slot])

    def ids(self) -> list[str]:
        return list(self._slot)

    @property
    def tail_rows(self) -> int:
        return len(self._live) - int(self._main.shape[0])

    @property
    def garbage(self) -> int:
        """Rows a compaction would reclaim or merge: tail rows and dead main rows."""
        return self.tail_rows + self._dead_main

    def compaction_due(self, factor: float = 1.0) -> bool:
        threshold = max(COMPACT_ROWS, COMPACT_SHARE * self._main.shape[0])
        return bool(self.garbage > factor * threshold)

    # -- changing ----------------------------------------------------------------------------
    def apply(self, upserts: Iterable[CandidateProfile], removals: Iterable[str] = ()) -> None:
        """Add or replace these profiles and remove these candidates, then publish."""
        upserts = list({p.id: p for p in upserts}.values())  # the last profile of each id
        n_main = self._main.shape[0]
        live = np.zeros(len(self._live) + len(upserts), dtype=bool)
        live[:len(self._live)] = self._live
        for candidate_id in [*removals, *(p.id for p in upserts)]:
            old = self._slot.pop(candidate_id, None)
            if old is not None:
                live[old] = False
                self._dead_main += old < n_main
        if upserts:
            rows = candidate_matrix(upserts, self.space, self.titles)
            base = len(self._profiles)
            nnz = self._tail_indptr[-1]
            if nnz + rows.nnz > len(self._tail_indices):
                size = max(2 * len(self._tail_indices), nnz + rows.nnz)
                self._tail_indices = np.resize(self._tail_indices, size)
                self._tail_data = np.resize(self._tail_data, size)
            self._tail_indices[nnz:nnz + rows.nnz] = rows.indices
            self._tail_data[nnz:nnz + rows.nnz] = rows.data
            self._tail_indptr.extend((nnz + rows.indptr[1:]).tolist())
            for i, profile in enumerate(upserts):
                # Appended before the id points at it: a reader never sees a slot beyond
                # the list.
                self._profiles.append(self.shelf.pack(profile))
                self._ids.append(profile.id)
                self._slot[profile.id] = base + i
                live[base + i] = True
            n_tail, nnz = len(self._tail_indptr) - 1, self._tail_indptr[-1]
            self._tail_csc = sparse.csr_matrix(
                (self._tail_data[:nnz], self._tail_indices[:nnz],
                 np.asarray(self._tail_indptr, dtype=np.int64)),
                shape=(n_tail, self.width)).tocsc()
        self._live = live
        self._publish()
        if self.compaction_due(COMPACT_FORCE):
            self.compact()

    def compact(self) -> None:
        """Merge the tail into a new main part, drop dead rows, rows in id order again."""
        started = time.perf_counter()
        n_main, live = self._main.shape[0], self._live
        main_live = np.flatnonzero(live[:n_main])
        tail_live = sorted((n_main + np.flatnonzero(live[n_main:])).tolist(),
                           key=self._ids.__getitem__)
        ids = self._ids
        main_order = main_live.tolist()
        # Where each (sorted) tail row goes among the main rows, which are in id order.
        positions = [bisect.bisect_left(main_order, ids[s], key=ids.__getitem__)
                     for s in tail_live]
        order = np.insert(main_live, np.asarray(positions, dtype=np.int64),
                          np.asarray(tail_live, dtype=np.int64))
        parts = [self._main.tocsr()]
        if self._tail_csc is not None:  # tail rows come only with a tail matrix
            parts.append(self._tail_csc.tocsr())
        merged = sparse.vstack(parts, format="csr") if len(parts) > 1 else parts[0]
        main = merged[order].tocsc()
        profiles = self._profiles
        self._layout([profiles[s] for s in order.tolist()], main)
        self.compactions += 1
        logger.info("candidate matrix compacted: %d rows in %.3fs", len(order),
                    time.perf_counter() - started)

