"""The consenting candidates, held in memory so a search never reads profiles from the database.

Reads the ``candidates``, ``held_credentials``, ``credentials``, ``credential_links`` and
``declared_skills`` tables, and the change log ``candidate_changes``; writes only to prune the
log.

- **Start-up: one full load.** Every consenting candidate is read (in id order, a page at a
  time), their profiles are built (:func:`api.profiles.profile_of`), packed
  (:mod:`api.pool_profiles`: ~0.6 kB a candidate instead of ~5 kB) and turned into rows of the
  candidate × skill matrix (:class:`api.pool_matrix.PoolMatrix`). It is logged with its time
  (``load_seconds``). A full load happens again only when this process fell behind the log's
  retention (below).
- **Change log.** Every write that can change a findable profile (consent, contact sharing,
  a credential added, removed or claimed, an issuer's link review or withdrawal of a
  credential its holders keep, a declared skill, a deleted candidate) appends the candidates
  concerned to ``candidate_changes`` in the same transaction (:meth:`Store.log_changes`);
  sequence numbers are committed in order.
- **Deltas.** Each process applies the log past the last row it applied: it reloads only those
  candidates' rows, rebuilds only their profiles, and replaces only their rows of the matrix
  (a candidate no longer findable is dropped). A background thread reads the log every
  ``CHECK_EVERY`` seconds — one primary-key range query that returns nothing when nothing
  changed, and one counter read (both well under a millisecond on a local database), 4 pairs a
  second per process whatever the traffic; searches themselves read nothing from the database.
  A write made through any process on any machine sharing the database is searchable
  everywhere within ``CHECK_EVERY`` plus the time to apply it (milliseconds for a few
  candidates); the process that made it applies it before answering, so its own next request
  sees it.
- **Retention.** Log rows older than ``RETENTION`` are deleted (by whichever process's thread
  gets there, every ``PRUNE_EVERY`` seconds) and the ``candidate_changes_pruned`` counter
  records up to which sequence number. A process that had not applied rows that are gone (it
  was stopped or stalled for longer than the retention) does a full load.

``GET /v1/health`` shows each process's state (:meth:`CandidatePool.stats`): the last log row
applied, full loads and the last one's time, candidates applied as deltas, the matrix's tail.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from scipy import sparse
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api.pool_matrix import PoolMatrix, Snapshot
from api.pool_profiles import Packed, ProfileShelf
from api.profiles import profile_of
from api.store import Store
from api.store.models import (
    Candidate,
    DeclaredSkill,
    HeldCredential,
    IssuerCredential,
    utcnow,
)
from matcher.evidence import LinkPolicy
from matcher.profiles import CandidateProfile
from matcher.scoring.partial_credit import SkillSpace
from matcher.scoring.score import candidate_matrix, title_columns
from matcher.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

CHECK_EVERY = 0.25  # seconds between two reads of the change log
RETENTION = timedelta(hours=1)  # change-log rows kept at least this long
PRUNE_EVERY = 60.0  # seconds between two prunings by one process
LOG_BATCH = 10_000  # change-log rows read per query
LOAD_PAGE = 2_000  # candidates per query in a full load (bounds the ORM objects held at once)
IDS_PER_QUERY = 500  # candidate ids per IN (...) when applying changes


class CandidatePool:
    """Profiles of the candidates who consented to be found, and their candidate × skill
    matrix, kept current from the change log.

    Args:
        store: the database.
        taxonomy: skills a profile may hold.
        policy: which suggested credential links count (the engine's ``link_policy``).
        space: the matrix's skill columns (the engine's partial-credit space; default: the
            taxonomy's skills in order, which is the same).
    """

    def __init__(self, store: Store, taxonomy: Taxonomy, policy: LinkPolicy | None = None,
                 space: SkillSpace | None = None) -> None:
        self.store = store
        self.taxonomy = taxonomy
        self.policy = policy
        self.space = space or SkillSpace(list(taxonomy.skills))
        self._lock = threading.RLock()
        self._matrix = PoolMatrix(self.space, title_columns(taxonomy, self.space))
        self._contacts: dict[str, dict[str, Any]] = {}
        self._seen = -1  # the last change-log row applied; -1: not loaded yet
        self._checked = -1.0
        self._pruned_at = 0.0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.full_loads = 0
        self.load_seconds: float | None = None  # the last full load's duration
        self.applied = 0  # candidates reloaded from the change log since start-up

    def __len__(self) -> int:
        return len(self._matrix)

    @property
    def version(self) -> int:
        """The last change-log sequence number applied."""
        return self._seen

    # -- full load ---------------------------------------------------------------------------
    def reload(self) -> None:
        """Read every consenting candidate from the store (start-up; after falling behind)."""
        started = time.perf_counter()
        with self._lock:
            # Read first: a change committed while the load runs is applied again afterwards
            # (applying is idempotent), never missed.
            seen = self.store.last_change()
            shelf = ProfileShelf()
            packed: list[Packed] = []
            pages: list[sparse.csr_matrix] = []
            contacts: dict[str, dict[str, Any]] = {}
            after = ""
            while True:
                with self.store.new_session() as session:
                    rows = session.execute(
                        select(Candidate.id, Candidate.share_contact, Candidate.contact)
                        .where(Candidate.consent.is_(True), Candidate.id > after)
                        .order_by(Candidate.id).limit(LOAD_PAGE)).all()
                    page = self._page(session, [r.id for r in rows])
                    for r in rows:
                        if r.share_contact and r.contact:
                            contacts[r.id] = dict(r.contact)
                # A page's profiles are packed and turned into matrix rows at once: the pool
                # never holds every profile unpacked (5 kB each against ~0.6 kB packed).
                pages.append(candidate_matrix(page, self.space, self._matrix.titles))
                packed.extend(shelf.pack(p) for p in page)
                if len(rows) < LOAD_PAGE:
                    break
                after = rows[-1].id
            built = time.perf_counter()
            self._matrix = PoolMatrix.from_rows(self.space, self._matrix.titles, shelf, packed,
                                                sparse.vstack(pages, format="csr"))
            self._contacts, self._seen = contacts, seen
            self.full_loads += 1
            self.load_seconds = time.perf_counter() - started
        logger.info("candidate pool: full load of %d profiles in %.2fs (profiles %.2fs, "
                    "matrix %.2fs; change log at %d)", len(packed), self.load_seconds,
                    built - started, self.load_seconds - (built - started), seen)

    def _page(self, session: Session, ids: list[str]) -> list[CandidateProfile]:
        """The profiles of these candidates, in bulk: declared skills as plain rows, held
        credentials (few) as objects with their links. The same profiles as
        :func:`api.profiles.build_profile` builds from a loaded candidate, as a search reads
        it (``for_ranking()``; a test checks)."""
        if not ids:  # e.g. every changed candidate withdrew consent
            return []
        declared: dict[str, list[str]] = {cid: [] for cid in ids}
        for cid, uri in session.execute(
                select(DeclaredSkill.candidate_id, DeclaredSkill.skill_uri)
                .where(DeclaredSkill.candidate_id.in_(ids)).order_by(DeclaredSkill.id)):
            declared[cid].append(uri)
        held: dict[str, list[HeldCredential]] = {cid: [] for cid in ids}
        for h in session.scalars(
                select(HeldCredential).where(HeldCredential.candidate_id.in_(ids))
                .options(selectinload(HeldCredential.credential)
                         .selectinload(IssuerCredential.links))
                .order_by(HeldCredential.id)):
            held[h.candidate_id].append(h)
        return [profile_of(cid, held[cid], declared[cid], self.taxonomy, self.policy,
                           for_ranking=True) for cid in ids]

    # -- deltas ------------------------------------------------------------------------------
    def catch_up(self) -> int:
        """Apply the change log past the last row applied; returns how many candidates were
        reloaded. Called by the background thread, and by a route after its own write (so
        the writer's next request sees it)."""
        with self._lock:
            if self._seen < 0:
                self.reload()
                return 0
            done = 0
            while True:
                rows, pruned = self.store.changes_since(self._seen, LOG_BATCH)
                if pruned > self._seen:
                    logger.warning("candidate pool: change-log rows %d–%d were pruned before "
                                   "this process applied them; loading every candidate",
                                   self._seen + 1, pruned)
                    self.reload()
                    return done
                if not rows:
                    return done
                ids = list(dict.fromkeys(candidate_id for _, candidate_id in rows))
                self._apply(ids)
                self._seen = rows[-1][0]
                done += len(ids)
                self.applied += len(ids)
                if len(rows) < LOG_BATCH:
                    return done

    def _apply(self, ids: list[str]) -> None:
        """Reload these candidates and replace their profiles and matrix rows. Read as the
        full load reads a page (:meth:`_page`: declared skills as plain rows, no ORM object
        per candidate): each process applies every write made anywhere, so this is the
        per-write cost that multiplies with the processes."""
        upserts: list[CandidateProfile] = []
        removals: list[str] = []
        with self.store.new_session() as session:
            for start in range(0, len(ids), IDS_PER_QUERY):
                chunk = ids[start:start + IDS_PER_QUERY]
                rows = {r.id: r for r in session.execute(
                    select(Candidate.id, Candidate.consent, Candidate.share_contact,
                           Candidate.contact).where(Candidate.id.in_(chunk)))}
                findable = [c for c in chunk if c in rows and rows[c].consent]
                profiles = dict(zip(findable, self._page(session, findable), strict=True))
                for candidate_id in chunk:
                    row = rows.get(candidate_id)
                    if row is None or not row.consent:
                        removals.append(candidate_id)
                        self._contacts.pop(candidate_id, None)
                        continue
                    profile = profiles[candidate_id]
                    if profile != self._matrix.get(candidate_id):  # e.g. only contact changed
                        upserts.append(profile)
                    if row.share_contact and row.contact:
                        self._contacts[candidate_id] = dict(row.contact)
                    else:
                        self._contacts.pop(candidate_id, None)
        if upserts or removals:
            self._matrix.apply(upserts, removals)

    def ensure_fresh(self) -> None:
        """Without the background thread (a pool used outside the service), read the log
        here, at most every ``CHECK_EVERY`` seconds."""
        if self._thread is not None:
            return
        now = time.monotonic()
        if now - self._checked < CHECK_EVERY:
            return
        self._checked = now
        self.catch_up()

    # -- the background thread ---------------------------------------------------------------
    def start(self) -> None:
        """Read the change log every ``CHECK_EVERY`` seconds in a thread until :meth:`stop`;
        compact the matrix and prune old log rows there too (off the request path)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="candidate-pool", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join(30)

    def _run(self) -> None:
        while not self._stop.wait(CHECK_EVERY):
            try:
                self.catch_up()
                if self._matrix.compaction_due():
                    with self._lock:
                        self._matrix.compact()
                now = time.monotonic()
                if now - self._pruned_at >= PRUNE_EVERY:
                    self._pruned_at = now
                    pruned = self.store.prune_changes(utcnow() - RETENTION)
                    if pruned:
                        logger.info("candidate pool: pruned %d change-log rows", pruned)
            except Exception:  # noqa: BLE001 - e.g. the database is down: keep serving, retry
                logger.exception("candidate pool: applying the change log failed; retrying")

    # -- reading -----------------------------------------------------------------------------
    def snapshot(self, space: SkillSpace | None = None) -> Snapshot:
        """The matrix and profiles a search reads (immutable). With ``space``, the matrix's
        columns are checked to be those (rebuilt once if not)."""
        self.ensure_fresh()
        if space is not None and space is not self.space:
            with self._lock:
                if space.uris != self.space.uris:
                    matrix = self._matrix
                    held = [matrix.get(i) for i in matrix.ids()]
                    self._matrix = PoolMatrix(space, title_columns(self.taxonomy, space),
                                              [p for p in held if p is not None])
                self.space = space
        return self._matrix.snapshot()

    def get(self, candidate_id: str) -> CandidateProfile | None:
        return self._matrix.get(candidate_id)

    def ids(self) -> list[str]:
        return self._matrix.ids()

    def profiles(self) -> Mapping[str, CandidateProfile]:
        """The current profiles by candidate id (a read-only view)."""
        self.ensure_fresh()
        return ProfilesView(self)

    def shared_contact(self, candidate_id: str) -> dict[str, Any] | None:
        """Contact data of a findable candidate who chose to share it, else None."""
        return self._contacts.get(candidate_id)

    def stats(self) -> dict[str, Any]:
        """How current this process's pool is and how it got there (GET /v1/health)."""
        matrix = self._matrix
        return {"change_log_seq": self._seen, "full_loads": self.full_loads,
                "load_seconds": (round(self.load_seconds, 3)
                                 if self.load_seconds is not None else None),
                "applied": self.applied, "tail_rows": matrix.tail_rows,
                "compactions": matrix.compactions}


class ProfilesView(Mapping[str, CandidateProfile]):
    """A pool's current profiles by candidate id."""

    def __init__(self, pool: CandidatePool) -> None:
        self._pool = pool

    def __getitem__(self, candidate_id: str) -> CandidateProfile:
        profile = self._pool.get(candidate_id)
        if profile is None:
            raise KeyError(candidate_id)
        return profile

    def __iter__(self) -> Iterator[str]:
        return iter(self._pool.ids())

    def __len__(self) -> int:
        return len(self._pool)

    def __contains__(self, candidate_id: object) -> bool:
        return isinstance(candidate_id, str) and self._pool.get(candidate_id) is not None
