"""The skill index: every label variant of every ESCO skill, as vectors and as words.

- Semantic: one vector per label variant (preferred, alternative, hidden label, description;
  every language the taxonomy has) in a faiss index (exact inner product for small
  taxonomies, HNSW for the full one). Each row points back to its skill.
- Lexical: normalised labels -> variants, to find labels that occur word for word in a text.

- Descriptions: one vector per skill for its description (its label when it has none), read
  for the candidate skills of a text only: a second opinion on a label match.

Saved under ``MATCHER_HOME/indexes/<taxonomy hash>-<model id>-<variant kinds>/``:
``vectors.faiss``, ``descriptions.npy`` (float32, skill row order), ``variants.json`` (skill URIs
and variants in row order) and ``meta.json`` (model, dimension, ESCO version, taxonomy hash,
package version). No pickle. Loading refuses an
index built for another taxonomy or model.
"""

from __future__ import annotations

import json
import logging
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

from matcher.embedding import Embedder
from matcher.errors import IndexMismatchError
from matcher.models import Lang, VariantKind
from matcher.storage import replace_dir
from matcher.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

FORMAT_VERSION = 2  # 2: per-skill description vectors
KIND_CODES: dict[VariantKind, str] = {
    "preferred": "p",
    "alternative": "a",
    "hidden": "h",
    "description": "d",
}
DEFAULT_KINDS: tuple[VariantKind, ...] = ("preferred", "alternative", "hidden")
# Below this many variants exact search is as fast as HNSW and has perfect recall.
_HNSW_FROM = 20_000
_BATCH = 1024


def package_version() -> str:
    try:
        return version("meritmatch")
    except PackageNotFoundError:
        return "0+unknown"


def normalise_text(text: str) -> str:
    """Lower case, accents kept (å, ä, ö matter in Swedish), punctuation to spaces."""
    text = unicodedata.normalize("NFC", text).lower()
    return " ".join(re.findall(r"[\w+#]+(?:[.'-][\w+#]+)*", text))


@dataclass(frozen=True)
class Variant:
    """One label variant: the text a skill can be found by."""

    skill: int  # row in SkillIndex.uris
    kind: VariantKind
    lang: Lang
    text: str


def collect_variants(
    taxonomy: Taxonomy, kinds: Iterable[VariantKind]
) -> tuple[list[str], list[Variant]]:
    """Skill URIs in row order and their label variants, without duplicates."""
    kinds = set(kinds)
    uris = list(taxonomy.skills)
    variants: list[Variant] = []
    for row, uri in enumerate(uris):
        skill = taxonomy.skills[uri]
        seen: set[str] = set()

        def add(
            kind: VariantKind, lang: Lang, text: str, row: int = row, seen: set[str] = seen
        ) -> None:
            key = normalise_text(text)
            if key and key not in seen:
                seen.add(key)
                variants.append(Variant(row, kind, lang, text.strip()))

        for lang, label in sorted(skill.labels.items()):
            add("preferred", lang, label)
        if "alternative" in kinds:
            for lang, labels in sorted(skill.alt_labels.items()):
                for label in labels:
                    add("alternative", lang, label)
        if "hidden" in kinds:
            for lang, labels in sorted(skill.hidden_labels.items()):
                for label in labels:
                    add("hidden", lang, label)
        if "description" in kinds:
            for lang, text in sorted(skill.descriptions.items()):
                add("description", lang, text)
    return uris, variants


def index_key(taxonomy: Taxonomy, model_id: str, kinds: Sequence[VariantKind]) -> str:
    codes = "".join(sorted(KIND_CODES[k] for k in kinds))
    return f"{taxonomy.content_hash}-{model_id}-{codes}"


class SkillIndex:
    """Vectors and words for every label variant of every skill."""

    def __init__(
        self,
        uris: list[str],
        variants: list[Variant],
        vectors_index: Any,
        meta: dict[str, Any],
        descriptions: np.ndarray,
    ) -> None:
        if descriptions.shape[0] != len(uris):
            raise IndexMismatchError(
                f"index has {descriptions.shape[0]} description vectors for {len(uris)} skills; "
                "rebuild it with 'matcher index build --force'"
            )
        self.uris = uris
        self.descriptions = descriptions
        self.variants = variants
        self.variant_skill = np.fromiter((v.skill for v in variants), dtype=np.int32,
                                         count=len(variants))
        self._faiss = vectors_index
        self.meta = meta
        self._row_of = {uri: i for i, uri in enumerate(uris)}
        self._lexicon = self._build_lexicon(variants)
        self._max_label_words = max((len(k.split()) for k in self._lexicon), default=1)

    # -- building ----------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        taxonomy: Taxonomy,
        embedder: Embedder,
        *,
        kinds: Sequence[VariantKind] = DEFAULT_KINDS,
        show_progress: bool | None = None,
    ) -> SkillIndex:
        """Embed every label variant of the taxonomy's skills."""
        started = time.perf_counter()
        uris, variants = collect_variants(taxonomy, kinds)
        texts = [v.text for v in variants]
        described = [skill_description(taxonomy, uri) for uri in uris]
        from tqdm.auto import tqdm

        progress = tqdm(
            total=len(texts) + len(described), desc="Embedding ESCO labels and descriptions",
            unit="text", disable=not show_progress if show_progress is not None else None,
        )
        vectors = embed_in_batches(embedder.embed_passages, embedder.dim, texts, progress)
        descriptions = embed_in_batches(embedder.embed_passages, embedder.dim, described,
                                        progress)
        progress.close()
        index = _make_faiss(vectors)
        meta = {
            "format": FORMAT_VERSION,
            "model_id": embedder.model_id,
            "dim": embedder.dim,
            "taxonomy_hash": taxonomy.content_hash,
            "taxonomy_version": taxonomy.version,
            "kinds": list(kinds),
            "skills": len(uris),
            "variants": len(variants),
            "faiss": type(index).__name__,
            "package_version": package_version(),
            "build_seconds": round(time.perf_counter() - started, 1),
        }
        logger.info("built skill index: %d variants in %.1fs", len(variants), meta["build_seconds"])
        return cls(uris, variants, index, meta, descriptions)

    @staticmethod
    def _build_lexicon(variants: list[Variant]) -> dict[str, list[int]]:
        lexicon: dict[str, list[int]] = defaultdict(list)
        for i, variant in enumerate(variants):
            if variant.kind != "description":
                key = normalise_text(variant.text)
                if len(key) >= 2:
                    lexicon[key].append(i)
        return dict(lexicon)

    def exact_skills(self, text: str) -> list[int]:
        """Skills (rows of ``uris``) with a label variant equal to the whole of ``text``
        (normalised): a tool or item named in a list ("SQL", "JavaScript"), looked up word for
        word."""
        return list(dict.fromkeys(self.variants[i].skill
                                  for i in self._lexicon.get(normalise_text(text), ())))

    # -- searching ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.variants)

    def row(self, uri: str) -> int | None:
        return self._row_of.get(uri)

    def search(self, query_vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` variants per query: (scores, variant ids), -1 where fewer exist."""
        import faiss

        k = max(1, min(k, len(self.variants)))
        queries = np.ascontiguousarray(query_vectors, dtype=np.float32)
        if len(queries) >= _PARALLEL_SEARCH_FROM:
            return self._faiss.search(queries, k)
        # A few queries search faster on one thread. faiss ships its own OpenMP runtime, and
        # its idle threads spin for a while after a parallel search, taking the core the
        # embedding model's threads (another OpenMP runtime) need next: on 2 cores, encoding
        # one outcome right after a search took 19.7 ms instead of 13.8 ms.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            return self._faiss.search(queries, k)
        finally:
            faiss.omp_set_num_threads(threads)

    def vector(self, variant: int) -> np.ndarray:
        """The stored vector of one variant."""
        return np.asarray(self._faiss.reconstruct(int(variant)), dtype=np.float32)

    def lexical_hits(self, text: str, min_words: int = 1) -> list[int]:
        """Variants whose whole normalised label, of at least ``min_words`` words, occurs word
        for word in ``text``."""
        words = normalise_text(text).split()
        hits: list[int] = []
        for n in range(max(1, min_words), min(self._max_label_words, len(words)) + 1):
            for start in range(len(words) - n + 1):
                found = self._lexicon.get(" ".join(words[start : start + n]))
                if found:
                    hits.extend(found)
        return hits

    # -- persistence -------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write the index to ``directory`` (replaced atomically)."""
        import faiss

        with replace_dir(directory) as staging:
            faiss.write_index(self._faiss, str(staging / "vectors.faiss"))
            np.save(staging / "descriptions.npy", self.descriptions, allow_pickle=False)
            payload = {
                "uris": self.uris,
                "variants": [[v.skill, KIND_CODES[v.kind], v.lang, v.text] for v in self.variants],
            }
            (staging / "variants.json").write_text(json.dumps(payload, ensure_ascii=False))
            (staging / "meta.json").write_text(json.dumps(self.meta, indent=2))

    @classmethod
    def load(cls, directory: Path, *, taxonomy_hash: str, model_id: str) -> SkillIndex:
        """Load a saved index, refusing one built for another taxonomy or model."""
        import faiss

        meta = json.loads((directory / "meta.json").read_text())
        if meta.get("format") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"index in {directory} has format {meta.get('format')}, this version reads "
                f"{FORMAT_VERSION}; rebuild it with 'matcher index build'"
            )
        if meta["taxonomy_hash"] != taxonomy_hash or meta["model_id"] != model_id:
            raise IndexMismatchError(
                f"index in {directory} was built for taxonomy {meta['taxonomy_hash']} with model "
                f"{meta['model_id']}, not taxonomy {taxonomy_hash} with {model_id}; rebuild it "
                "with 'matcher index build'"
            )
        payload = json.loads((directory / "variants.json").read_text())
        codes = {code: kind for kind, code in KIND_CODES.items()}
        variants = [Variant(s, codes[k], lang, text) for s, k, lang, text in payload["variants"]]
        index = faiss.read_index(str(directory / "vectors.faiss"))
        if isinstance(index, faiss.IndexHNSW):
            index.hnsw.efSearch = _EF_SEARCH
        descriptions = np.load(directory / "descriptions.npy", allow_pickle=False)
        return cls(payload["uris"], variants, index, meta, descriptions)


_EF_SEARCH = 256
_PARALLEL_SEARCH_FROM = 32  # queries; fewer are searched on the calling thread alone


def skill_description(taxonomy: Taxonomy, uri: str) -> str:
    """The English description of a skill (any language's, else its label) for embedding."""
    skill = taxonomy.skills[uri]
    return skill.description("en") or skill.label("en")


def embed_in_batches(
    embed: Callable[[list[str]], np.ndarray], dim: int, texts: list[str], progress: Any = None
) -> np.ndarray:
    """``embed`` (e.g. an embedder's ``embed_passages``) over many texts, in batches."""
    vectors = np.zeros((len(texts), dim), dtype=np.float32)
    # Texts of similar length batch together: less padding, measurably faster.
    order = np.argsort([len(t) for t in texts], kind="stable")
    for start in range(0, len(texts), _BATCH):
        rows = order[start : start + _BATCH]
        vectors[rows] = embed([texts[i] for i in rows])
        if progress is not None:
            progress.update(len(rows))
    return vectors


def _make_faiss(vectors: np.ndarray) -> Any:
    import faiss

    dim = vectors.shape[1]
    if len(vectors) < _HNSW_FROM:
        index = faiss.IndexFlatIP(dim)
    else:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = _EF_SEARCH
    index.add(vectors)
    return index
