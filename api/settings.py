"""The service's settings: the engine's (:class:`matcher.config.Settings`) plus its own.

Read from the environment with the same ``MATCHER_`` prefix as the engine's, so
``MATCHER_DATABASE_URL``, ``MATCHER_MAX_BODY_BYTES`` and ``MATCHER_THREADS`` mean what they
always did; the library knows nothing of them.
"""

from __future__ import annotations

from pydantic import Field

from matcher.config import Settings


class ServiceSettings(Settings):
    """Engine settings plus the web service's.

    Attributes:
        database_url: the service's store (SQLAlchemy URL); default a SQLite file
            ``HOME/meritmatch.db``. PostgreSQL: ``postgresql://user:pass@host/db`` (psycopg 3).
        max_body_bytes: the service refuses larger request bodies with 413.
        threads: request threads per server process. Two: a search holds its thread only
            while it computes (it waits for its audit commit in the event loop), and more
            threads under one GIL cost CPU in switching (at 200 searches/s on 2 cores, 8
            threads: 11 ms of CPU a search; 2: 9 ms; docs/benchmarks.md, service load).
        body_timeout: seconds a request's body may take to arrive, else 408.
        rate_limit: requests per API key (``limits`` notation: ``50/second``), else 429.
        mapping_rate_limit: characters of text to embed per API key (``/v1/map``, ad texts,
            ads, credentials), else 429. One request is capped at 20,000 characters of
            texts to map (``/v1/map``) or of ad text.
        rate_limit_storage: where the quotas are counted: ``memory://`` (per process) or
            shared storage the ``limits`` library supports (``redis://host``).
        mapping_threads: worker threads for mapping, apart from the request threads.
        mapping_queue: mapping requests that may wait for a mapping thread; more get 503.
        claim_code_days: an issued credential's claim code works for this many days (the
            issuer can make a new one for a credential not yet claimed).
    """

    database_url: str | None = None
    max_body_bytes: int = Field(default=2_000_000, ge=1_000)
    threads: int = Field(default=2, ge=1, le=200)
    body_timeout: float = Field(default=30.0, gt=0, le=3600)
    rate_limit: str = "50/second"
    mapping_rate_limit: str = "50000/minute"
    rate_limit_storage: str = "memory://"
    mapping_threads: int = Field(default=1, ge=1, le=64)
    mapping_queue: int = Field(default=16, ge=0, le=10_000)
    claim_code_days: int = Field(default=90, ge=1, le=3650)

    @property
    def store_url(self) -> str:
        """The database URL in use: ``database_url``, else SQLite under ``home``."""
        return self.database_url or f"sqlite:///{self.home / 'meritmatch.db'}"
