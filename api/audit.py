"""The audit log's writer: group commit.

Every candidate search and every profile view must be in the audit log before its result is
returned. Committing each entry on its own costs one disk sync (``synchronous=FULL``), and
syncs do not overlap, so at a few hundred searches a second they would queue up behind each
other. Instead one writer thread takes every entry waiting, writes them in one transaction
and syncs once; each caller waits until its entry is committed and gets its id. Under light
load a batch is one entry (no added delay); under heavy load one sync serves many searches.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from concurrent.futures import Future
from typing import Any

from sqlalchemy import insert

from api.store import Store
from api.store.models import AuditEntry, AuditSubject, utcnow

logger = logging.getLogger(__name__)

MAX_BATCH = 500
WAIT_SECONDS = 30.0  # for a commit, before the request fails (api.routes.common.audit)
# Built once (reused, a statement keeps its compiled form and cache key).
_INSERT_ENTRIES = insert(AuditEntry).returning(AuditEntry.id, sort_by_parameter_order=True)
_INSERT_SUBJECTS = insert(AuditSubject)
_STOP = object()


class AuditWriter:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure_started(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit-writer",
                                                daemon=True)
                self._thread.start()

    def submit(self, *, actor_key_id: int | None, actor_owner: str, actor_role: str,
               action: str, requirement: dict[str, Any] | None, results: list[dict[str, Any]],
               subjects: list[str]) -> Future[int]:
        """Queue one entry; the future gives its id once committed. A request awaits it in
        the event loop (:func:`committed`), so no request thread sits waiting for the disk
        while other searches wait for a thread."""
        entry = {"at": utcnow(), "actor_key_id": actor_key_id, "actor_owner": actor_owner,
                 "actor_role": actor_role, "action": action, "requirement": requirement,
                 "results": results}
        done: Future[int] = Future()
        self._ensure_started()
        self._queue.put((entry, list(dict.fromkeys(subjects)), done))
        return done

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is _STOP:
                    self._queue.put(_STOP)
                    break
                batch.append(more)
            try:
                # SQLAlchemy Core, one multi-row INSERT … RETURNING: the ORM's unit of work
                # costs more CPU than the search it records.
                with self.store.engine.begin() as conn:
                    ids = list(conn.scalars(_INSERT_ENTRIES, [entry for entry, _, _ in batch]))
                    subjects = [{"audit_id": entry_id, "candidate_id": c}
                                for entry_id, (_, candidates, _) in zip(ids, batch, strict=True)
                                for c in candidates]
                    if subjects:
                        conn.execute(_INSERT_SUBJECTS, subjects)
            except Exception as exc:  # noqa: BLE001 - every waiting caller must hear of it
                logger.exception("audit batch of %d entries failed", len(batch))
                for _, _, done in batch:
                    done.set_exception(exc)
                continue
            for (_, _, done), entry_id in zip(batch, ids, strict=True):
                done.set_result(entry_id)

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(30)


async def committed(entry: Future[int], timeout: float = WAIT_SECONDS) -> int:
    """The id of a submitted entry once it is committed, awaited without holding a thread."""
    return await asyncio.wait_for(asyncio.wrap_future(entry), timeout)
