"""The one entry point: :class:`Engine` maps texts and credentials to ESCO skills.

Heavy resources are built lazily, once, and can be injected (tests, the API's lifespan):
the taxonomy (imported under MATCHER_HOME, else the embedded default), the embedder, and the
skill index (loaded from MATCHER_HOME when one matches taxonomy and model, else built, saved).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.config import Settings
from matcher.credentials import Credential, CredentialOffering
from matcher.embedding import Embedder, build_embedder
from matcher.errors import IndexMismatchError
from matcher.index import DEFAULT_KINDS, SkillIndex, index_key
from matcher.mapping import MappingParams, OutcomeMapper
from matcher.models import OutcomeMapping, VariantKind
from matcher.taxonomy import Taxonomy, imported_meta, load_imported

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CredentialMapping:
    """A credential with the skills suggested for each of its learning outcomes."""

    credential: CredentialOffering
    outcomes: tuple[OutcomeMapping, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "credential": {"id": self.credential.id, "title": self.credential.title,
                           "awarding_body": self.credential.awarding_body.name},
            "outcomes": [o.to_dict() for o in self.outcomes],
        }


class Engine:
    """Maps learning outcomes and credentials to ESCO skills.

    Args:
        settings: where data lives and which model to use (default: from the environment).
        taxonomy: use this taxonomy instead of the imported or embedded one.
        embedder: use this embedder instead of the one named in the settings.
        index_kinds: which label variants to index.
        show_progress: progress bar while building the index (None: when a terminal).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        taxonomy: Taxonomy | None = None,
        embedder: Embedder | None = None,
        index_kinds: Sequence[VariantKind] = DEFAULT_KINDS,
        mapping_params: MappingParams | None = None,
        show_progress: bool | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._taxonomy = taxonomy
        self._embedder = embedder
        self._index: SkillIndex | None = None
        self._mapper: OutcomeMapper | None = None
        self._index_kinds = tuple(index_kinds)
        self._mapping_params = mapping_params
        self._show_progress = show_progress

    # -- resources ---------------------------------------------------------------------------
    @property
    def taxonomy(self) -> Taxonomy:
        if self._taxonomy is None:
            if imported_meta(self.settings.taxonomy_dir) is not None:
                self._taxonomy = load_imported(self.settings.taxonomy_dir)
            else:
                from matcher.embedded import load_embedded

                self._taxonomy = load_embedded()
        return self._taxonomy

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = build_embedder(self.settings.model)
        return self._embedder

    @property
    def index_path(self) -> Path:
        key = index_key(self.taxonomy, self.embedder.model_id, self._index_kinds)
        return self.settings.index_dir / key

    @property
    def index(self) -> SkillIndex:
        if self._index is None:
            self._index = self.build_index(force=False)
        return self._index

    def build_index(self, *, force: bool = False) -> SkillIndex:
        """Load the saved index for this taxonomy and model, or build and save one."""
        path = self.index_path
        if not force and (path / "meta.json").exists():
            try:
                started = time.perf_counter()
                index = SkillIndex.load(path, taxonomy_hash=self.taxonomy.content_hash,
                                        model_id=self.embedder.model_id)
                logger.info("loaded skill index %s in %.2fs", path.name,
                            time.perf_counter() - started)
                self._index, self._mapper = index, None
                return index
            except (IndexMismatchError, OSError, ValueError, KeyError) as exc:
                logger.warning("rebuilding the skill index: %s", exc)
        index = SkillIndex.build(self.taxonomy, self.embedder, kinds=self._index_kinds,
                                 show_progress=self._show_progress)
        index.save(path)
        self._index, self._mapper = index, None
        return index

    @property
    def mapper(self) -> OutcomeMapper:
        if self._mapper is None:
            self._mapper = OutcomeMapper(self.taxonomy, self.index, self.embedder,
                                         params=self._mapping_params)
        return self._mapper

    # -- mapping -----------------------------------------------------------------------------
    def map_outcomes(
        self, texts: Sequence[str], *, top_k: int = 10, lang: str = "auto"
    ) -> list[OutcomeMapping]:
        """Per text, the ``top_k`` most likely ESCO skills with score, confidence and reason.

        Args:
            texts: learning outcomes or other short texts, Swedish or English.
            top_k: how many skills per text (1–100).
            lang: ``auto`` (detected per text), ``sv`` or ``en``: the language of the labels
                and reasons returned (labels fall back to English where the taxonomy has no
                label in that language).
        """
        return self.mapper.map(list(texts), top_k=top_k, lang=lang)

    def map_credential(
        self, credential: CredentialOffering | Credential, *, top_k: int = 5, lang: str = "auto"
    ) -> CredentialMapping:
        """Map every learning outcome of a credential."""
        if lang == "auto":
            lang = credential.language if credential.language in ("sv", "en") else "auto"
        mappings = self.map_outcomes(credential.learning_outcomes, top_k=top_k, lang=lang)
        return CredentialMapping(credential, tuple(mappings))
