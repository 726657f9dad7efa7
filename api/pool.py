"""The consenting candidates, held in memory so a search never reads profiles from the database.

The pool loads every candidate who consented to be found, builds their profiles once, and keeps
derived structures (the ranker's sparse candidate × skill matrix) until something changes.
Every write that can change a findable profile bumps the ``candidates`` counter in the same
transaction; the writer then updates the pool incrementally, and any process that sees the
counter move without having made the change itself reloads the pool (several server processes
or the CLI writing to the same database stay correct).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from api.profiles import build_profile
from api.store import Store
from api.store.models import Candidate, HeldCredential, IssuerCredential
from matcher.profiles import CandidateProfile, LinkPolicy
from matcher.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

T = TypeVar("T")
COUNTER = "candidates"
CHECK_EVERY = 0.25  # seconds between two reads of the counter


def candidate_query() -> Any:
    return select(Candidate).options(
        selectinload(Candidate.credentials).selectinload(HeldCredential.credential)
        .selectinload(IssuerCredential.links),
        selectinload(Candidate.skills),
    )


class CandidatePool:
    """Profiles of the candidates who consented to be found, by candidate id."""

    def __init__(self, store: Store, taxonomy: Taxonomy,
                 policy: LinkPolicy | None = None) -> None:
        self.store = store
        self.taxonomy = taxonomy
        self.policy = policy
        self._lock = threading.RLock()
        self._profiles: dict[str, CandidateProfile] = {}
        self._version = -1
        self._derived: dict[str, Any] = {}
        self._contacts: dict[str, dict[str, Any]] = {}
        self._checked = -1.0

    def __len__(self) -> int:
        return len(self._profiles)

    @property
    def version(self) -> int:
        return self._version

    def reload(self) -> None:
        """Read every consenting candidate from the store."""
        started = time.perf_counter()
        with self._lock:
            version = self.store.counter(COUNTER)
            with self.store.new_session() as session:
                rows = list(session.scalars(
                    candidate_query().where(Candidate.consent.is_(True))))
                profiles = {c.id: build_profile(c, self.taxonomy, self.policy) for c in rows}
                contacts = {c.id: dict(c.contact) for c in rows if c.share_contact and c.contact}
            self._profiles, self._version, self._derived = profiles, version, {}
            self._contacts = contacts
        logger.info("candidate pool: %d profiles loaded in %.2fs", len(profiles),
                    time.perf_counter() - started)

    def ensure_fresh(self) -> None:
        """Reload when another process changed candidates since the last load.

        The counter is read at most every ``CHECK_EVERY`` seconds: this process's own writes
        update the pool at once; another process's show here within that time.
        """
        now = time.monotonic()
        if now - self._checked < CHECK_EVERY:
            return
        self._checked = now
        if self.store.counter(COUNTER) != self._version:
            self.reload()

    def changed(self, candidate_ids: Iterable[str]) -> None:
        """Called after a committed write that bumped the counter once for these candidates."""
        with self._lock:
            version = self.store.counter(COUNTER)
            if version != self._version + 1:
                self.reload()  # someone else wrote too: start over
                return
            profiles, contacts = dict(self._profiles), dict(self._contacts)
            with self.store.new_session() as session:
                ids = list(dict.fromkeys(candidate_ids))
                rows = {c.id: c for c in session.scalars(
                    candidate_query().where(Candidate.id.in_(ids)))}
                for candidate_id in ids:
                    row = rows.get(candidate_id)
                    contacts.pop(candidate_id, None)
                    if row is not None and row.consent:
                        profiles[candidate_id] = build_profile(row, self.taxonomy, self.policy)
                        if row.share_contact and row.contact:
                            contacts[candidate_id] = dict(row.contact)
                    else:
                        profiles.pop(candidate_id, None)
            self._profiles, self._version, self._derived = profiles, version, {}
            self._contacts = contacts

    def profiles(self) -> dict[str, CandidateProfile]:
        """The current profiles (a snapshot: the dict is replaced, never changed in place)."""
        self.ensure_fresh()
        return self._profiles

    def shared_contact(self, candidate_id: str) -> dict[str, Any] | None:
        """Contact data of a findable candidate who chose to share it, else None."""
        return self._contacts.get(candidate_id)

    def derived(self, name: str, build: Callable[[list[CandidateProfile]], T]) -> T:
        """A structure built from all profiles (e.g. a sparse matrix), cached until a change."""
        self.ensure_fresh()
        with self._lock:
            if name not in self._derived:
                self._derived[name] = build(list(self._profiles.values()))
            value: T = self._derived[name]
            return value
