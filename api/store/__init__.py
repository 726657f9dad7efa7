"""The service's persistent store: SQLAlchemy 2.x over SQLite (default) or PostgreSQL.

Reads and writes the tables of :mod:`api.store.models`. SQLite runs in WAL mode with
``synchronous=FULL``: a transaction that has committed is on disk, so a ``kill -9`` (or a
power cut) loses nothing that was acknowledged. PostgreSQL is used through psycopg 3 when
``MATCHER_DATABASE_URL`` is a ``postgresql://`` URL.

Why here and not in ``matcher/``: the library stays free of database and web dependencies (it
maps, profiles and ranks plain objects); persistence is the service's concern, and the
migrations ship inside this package.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import bindparam, create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from api.errors import Conflict
from api.store.models import ROLES, ApiKey, Base, Candidate, CandidateChange, Counter, utcnow
from matcher.errors import InvalidInputError

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
KEY_PREFIX = "mm_"
CHANGES_COUNTER = "candidates"  # bumped with every change-log append (its row lock orders them)
PRUNED_COUNTER = "candidate_changes_pruned"  # change-log rows up to this seq were deleted


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy secret (API key, claim code); a slow hash adds nothing here."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normalise_url(url: str) -> str:
    """``postgresql://`` → ``postgresql+psycopg://`` (psycopg 3); other URLs unchanged."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - SQLAlchemy raises several types for a bad URL
        raise InvalidInputError(
            f"database URL {url!r} is not a valid SQLAlchemy URL; use sqlite:///PATH or "
            "postgresql://USER:PASSWORD@HOST:PORT/DB", field="database_url") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InvalidInputError(
            f"database {parsed.get_backend_name()!r} is not supported; use SQLite or PostgreSQL",
            field="database_url")
    return parsed.render_as_string(hide_password=False)


def _without_surrogates(value: Any) -> Any:
    """``value`` with each lone UTF-16 surrogate replaced by U+FFFD."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list | tuple):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


def _json_dumps(value: Any) -> str:
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # e.g. an integer beyond 64 bits in a stored document
        # Never store a lone surrogate: the request middleware refuses them (422), so one
        # here is a bug; written as an escape it would make every later read of the row fail.
        text = json.dumps(value, ensure_ascii=False)
        if any(0xD800 <= ord(c) <= 0xDFFF for c in text):
            logger.warning("a lone surrogate reached the store; it is stored as U+FFFD")
            text = json.dumps(_without_surrogates(value), ensure_ascii=False)
        return text


def _json_loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # e.g. NaN written by the standard library's encoder
        return json.loads(text)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL: the WAL is synced at every commit, so a committed write survives kill -9 and
    # power loss (NORMAL would only survive a process crash).
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# Built once: a statement object reused keeps its compiled form and cache key, where one
# built per request costs a few tenths of a millisecond (about 5 % of a search).
_LIVE_KEY = (select(ApiKey.id, ApiKey.role, ApiKey.owner, ApiKey.name)
             .where(ApiKey.key_hash == bindparam("key_hash"), ApiKey.revoked_at.is_(None)))


class KeyRow(NamedTuple):
    """A live API key as a request sees it."""

    id: int
    role: str
    owner: str
    name: str


def _check_owner(session: Session, role: str, owner: str) -> None:
    """Refuse a key that would act as an existing person or mix roles (see create_key)."""
    roles = set(session.scalars(select(ApiKey.role).where(ApiKey.owner == owner).distinct()))
    person = "job_seeker" in roles or session.scalar(
        select(Candidate.id).where(Candidate.owner == owner)) is not None
    if person:
        raise Conflict(f"owner {owner!r} is a job seeker: a job seeker's key is theirs alone, "
                       "and no other key may act as them; leave owner out for a new "
                       "pseudonymous owner", field="owner")
    if roles - {role}:
        raise Conflict(f"owner {owner!r} has keys of role {', '.join(sorted(roles))}; a "
                       f"{role} key with the same owner would share their data; leave owner "
                       "out for a new pseudonymous owner", field="owner")


class Store:
    """A database: its engine, sessions, migrations, and the API keys.

    Args:
        url: SQLAlchemy URL (``sqlite:///PATH``, ``postgresql://…``).
    """

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {}
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
        else:
            kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
        # JSON columns (audit entries, requirement profiles, documents) through orjson: the
        # standard library's encoder was a visible share of every audited search.
        self.engine: SqlEngine = create_engine(self.url, json_serializer=_json_dumps,
                                               json_deserializer=_json_loads, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Store({make_url(self.url).render_as_string(hide_password=True)!r})"

    # -- schema ------------------------------------------------------------------------------
    def upgrade(self, revision: str = "head") -> None:
        """Run the Alembic migrations up to ``revision`` (idempotent)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def dispose(self) -> None:
        self.engine.dispose()

    # -- sessions ----------------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits when the block ends without an error."""
        with self._sessions() as session, session.begin():
            yield session

    def new_session(self) -> Session:
        return self._sessions()

    # -- counters ----------------------------------------------------------------------------
    @staticmethod
    def bump(session: Session, name: str) -> None:
        """Increase a counter (created at 1) inside the caller's transaction."""
        result = session.execute(
            update(Counter).where(Counter.name == name).values(value=Counter.value + 1)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            session.add(Counter(name=name, value=1))

    def counter(self, name: str) -> int:
        with self._sessions() as session:
            value = session.scalar(select(Counter.value).where(Counter.name == name))
            return int(value or 0)

    # -- the candidate change log ------------------------------------------------------------
    @classmethod
    def log_changes(cls, session: Session, candidate_ids: Iterable[str]) -> None:
        """Append the candidates whose findable profile may have changed to the change log,
        inside the caller's transaction (and bump the ``candidates`` counter).

        The counter's update comes first: its row lock is held until the transaction ends, so
        writers append one at a time and a sequence number is never committed after a larger
        one. A process that has read the log up to ``seq`` has seen every change below it.
        """
        ids = list(dict.fromkeys(candidate_ids))
        if not ids:
            return
        cls.bump(session, CHANGES_COUNTER)
        now = utcnow()
        session.execute(insert(CandidateChange), [{"candidate_id": c, "at": now} for c in ids])

    def changes_since(self, seq: int, limit: int = 10_000) -> tuple[list[tuple[int, str]], int]:
        """Log rows after ``seq`` (at most ``limit``, oldest first) and the sequence number up
        to which rows were pruned: when that is past ``seq``, rows were lost to this reader.

        One indexed range query on the primary key (empty when nothing changed) and one
        primary-key read of a counter.
        """
        with self.engine.connect() as conn:
            rows = conn.execute(select(CandidateChange.seq, CandidateChange.candidate_id)
                                .where(CandidateChange.seq > seq)
                                .order_by(CandidateChange.seq).limit(limit)).all()
            pruned = conn.scalar(select(Counter.value).where(Counter.name == PRUNED_COUNTER))
        return [(int(s), c) for s, c in rows], int(pruned or 0)

    def last_change(self) -> int:
        """The highest sequence number in the change log (0 when empty)."""
        with self.engine.connect() as conn:
            last = conn.scalar(select(func.max(CandidateChange.seq)))
            pruned = conn.scalar(select(Counter.value).where(Counter.name == PRUNED_COUNTER))
        return max(int(last or 0), int(pruned or 0))

    def prune_changes(self, before: datetime) -> int:
        """Delete the log rows written before ``before``; returns how many."""
        with self.session() as session:
            upto = session.scalar(select(func.max(CandidateChange.seq))
                                  .where(CandidateChange.at < before))
            if upto is None:
                return 0
            result = session.execute(delete(CandidateChange).where(CandidateChange.seq <= upto))
            session.execute(update(Counter).where(Counter.name == PRUNED_COUNTER,
                                                  Counter.value < upto).values(value=upto))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # -- API keys ----------------------------------------------------------------------------
    def create_key(self, role: str, name: str, owner: str | None = None) -> tuple[ApiKey, str]:
        """A new key for ``role``; returns the row and the secret (shown once, never stored).

        A key acts as its owner, so a new key may not take over an existing person: an owner
        that is a job seeker's (a job seeker key or a candidate profile) gets no further key,
        of any role, and an owner of one role gets no key of another (an employer key with a
        seeker's owner would read their candidate id; a job seeker key with an employer's
        owner would act on its searches). An organisation's second key of the same role
        (issuer, employer, platform, admin) is allowed: such keys share their data by design.

        Raises:
            InvalidInputError: bad role, name or owner.
            Conflict: the owner belongs to a person, or to keys of another role.
        """
        if role not in ROLES:
            raise InvalidInputError(f"role must be one of {', '.join(ROLES)}, not {role!r}",
                                    field="role")
        name = (name or "").strip()
        if not name or len(name) > 200:
            raise InvalidInputError("name must be 1–200 characters", field="name")
        owner = (owner or "").strip() or f"{role}-{secrets.token_hex(8)}"
        if len(owner) > 200:
            raise InvalidInputError("owner must be at most 200 characters", field="owner")
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKey(key_hash=hash_secret(secret), prefix=secret[:10], role=role, owner=owner,
                     name=name, created_at=utcnow())
        with self.session() as session:
            _check_owner(session, role, owner)
            session.add(row)
        return row, secret

    def find_key(self, secret: str) -> KeyRow | None:
        """The live key with this secret, or None.

        Read from the database on every request (one lookup on the unique ``key_hash``
        index, through SQLAlchemy Core), so a key revoked by any process or by
        ``matcher keys revoke`` stops working at once everywhere. Cost: see "Key checks" in
        docs/benchmarks.md (``benchmarks/key_lookup.py``).
        """
        if not secret.startswith(KEY_PREFIX) or len(secret) > 100:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(_LIVE_KEY, {"key_hash": hash_secret(secret)}).first()
        return KeyRow(*row) if row is not None else None


def create_all_for_tests(store: Store) -> None:
    """Create the tables without Alembic (only to compare with the migrations in tests)."""
    Base.metadata.create_all(store.engine)
