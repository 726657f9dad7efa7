"""The skill index: every label variant of every ESCO skill, as vectors and as words.

- Semantic: one vector per label variant (preferred, alternative, hidden label, description;
  every language the taxonomy has) in a faiss index (exact inner product for small
  taxonomies, HNSW for the full one). Each row points back to its skill.
- Lexical: normalised labels -> variants, to find labels that occur word for word in a text.

- Descriptions: one vector per skill for its description (its label when it has none), read
  for the candidate skills of a text only: a second opinion on a label match.

Staged: embedding all of ESCO (about 95,000 labels and 14,000 descriptions) takes 12–15
minutes on 2 cores, so a large taxonomy is first indexed in a *first stage* (every preferred
label, :data:`FIRST_STAGE_ALTERNATIVES` alternative labels per skill; the preferred label's
vector stands in for the description), used at once, while
:class:`matcher.index_stages.BackgroundBuild` completes the *full* index in a thread, reusing
the first stage's vectors, and hands it over when it is saved. This module builds, searches,
saves and loads one index; :mod:`matcher.index_stages` decides which one to use now;
:mod:`matcher.progress` shows how far a build is.

Saved under ``MATCHER_HOME/indexes/<taxonomy hash>-<model id>-<variant kinds>[-firstN]/``
(N: alternative labels per skill):
``vectors.faiss``, ``descriptions.npy`` (float32, skill row order), ``variants.json`` (skill URIs
and variants in row order) and ``meta.json`` (model, dimension, ESCO version, taxonomy hash,
stage, package version). No pickle. Each folder is written whole or not at all
(:func:`matcher.storage.replace_dir`), so an interrupted build never leaves an index that
loads as complete. Loading refuses an index built for another taxonomy, model or stage.
"""

from __future__ import annotations

import json
import logging
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

import numpy as np

from matcher.embedding import Embedder, embed_in_batches
from matcher.errors import IndexMismatchError
from matcher.models import Lang, VariantKind
from matcher.progress import BuildProgress
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

Stage = Literal["first", "full"]
# Alternative labels per skill in the first stage, besides every preferred label. Chosen with
# benchmarks/mapping_quality.py --stages 0,1,2 (TECH/HOUSE validation RP@5, outcome dev hit@5;
# results/index_stages.json): the tuning objective is 62.55 with none, 62.65 with one and 62.55
# with two (the full index: 67.95), mean MRR 55.9 / 54.4 / 54.3, while each doubles and triples
# the first stage's tokens (8.6 / 17.7 / 26.5 % of the full build's). None keeps the first
# answer well inside 3 minutes on 2 cores.
FIRST_STAGE_ALTERNATIVES = 0


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


def first_stage_rows(variants: Sequence[Variant], alternatives: int) -> list[int]:
    """Rows of ``variants`` in the first stage: every preferred label and, per skill, up to
    ``alternatives`` alternative labels (those sharing fewest words with the skill's preferred
    labels first, then the shortest: a synonym in other words finds what the preferred label
    cannot; of equals, the shorter is cheaper to embed). Hidden labels and descriptions wait
    for the full stage."""
    preferred_words: dict[int, set[str]] = defaultdict(set)
    for variant in variants:
        if variant.kind == "preferred":
            preferred_words[variant.skill].update(normalise_text(variant.text).split())
    chosen: list[int] = []
    by_skill: dict[int, list[tuple[float, int, int]]] = defaultdict(list)
    for row, variant in enumerate(variants):
        if variant.kind == "preferred":
            chosen.append(row)
        elif variant.kind == "alternative" and alternatives > 0:
            words = set(normalise_text(variant.text).split())
            shared = len(words & preferred_words[variant.skill]) / max(1, len(words))
            by_skill[variant.skill].append((shared, len(variant.text), row))
    for options in by_skill.values():
        chosen.extend(row for _, _, row in sorted(options)[:alternatives])
    return sorted(chosen)


def index_key(taxonomy: Taxonomy, model_id: str, kinds: Sequence[VariantKind],
              stage: Stage = "full") -> str:
    """The folder name of a saved index: taxonomy hash, model, variant kinds (and stage)."""
    codes = "".join(sorted(KIND_CODES[k] for k in kinds))
    key = f"{taxonomy.content_hash}-{model_id}-{codes}"
    # The first stage's folder also names how many alternative labels per skill it holds.
    return key if stage == "full" else f"{key}-first{FIRST_STAGE_ALTERNATIVES}"


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
        stage: Stage = "full",
        reuse: SkillIndex | None = None,
        show_progress: bool | None = None,
        progress: BuildProgress | None = None,
    ) -> SkillIndex:
        """Embed the label variants of the taxonomy's skills.

        Args:
            stage: ``full``: every variant of ``kinds`` and every description; ``first``: the
                variants of :func:`first_stage_rows`, the preferred labels' vectors standing in
                for the descriptions.
            reuse: an index of the same taxonomy and model (a first stage) whose vectors are
                taken instead of embedding their texts again.
            show_progress: a progress bar (None: when stderr is a terminal); without one,
                progress is logged every :data:`matcher.progress.PROGRESS_LOG_SECONDS`.
            progress: where to count progress (default: a new :class:`BuildProgress`).
        """
        started = time.perf_counter()
        uris, variants = collect_variants(taxonomy, kinds)
        full_variants = len(variants)
        if stage == "first":
            variants = [variants[i] for i in first_stage_rows(variants, FIRST_STAGE_ALTERNATIVES)]
        known: dict[str, np.ndarray] = {}
        if reuse is not None:
            _check_reusable(reuse, taxonomy, embedder)
            stored = reuse.vectors()
            known = {v.text: stored[i] for i, v in enumerate(reuse.variants)}
        # Each distinct text is embedded once: label variants of different skills often
        # coincide ("digital literacy"), and a first stage's vectors are reused as they are.
        missing = list(dict.fromkeys(v.text for v in variants if v.text not in known))
        described = [skill_description(taxonomy, uri) for uri in uris] if stage == "full" else []
        if progress is None:
            progress = BuildProgress(f"{stage} skill index")
        progress.start(len(missing) + len(described), show_progress)
        try:
            # Labels and descriptions in one pass, so that the rate (and the ETA) is even.
            embedded = embed_in_batches(embedder.embed_passages, embedder.dim,
                                        missing + described, progress)
        finally:
            progress.close()
        known.update(zip(missing, embedded[: len(missing)], strict=True))
        vectors = np.zeros((len(variants), embedder.dim), dtype=np.float32)
        for i, variant in enumerate(variants):
            vectors[i] = known[variant.text]
        if stage == "full":
            descriptions = embedded[len(missing) :]
        else:
            descriptions = _preferred_vectors(uris, variants, vectors)
        # The first stage is searched exactly: building an HNSW graph over its ~26,000 vectors
        # would take 10-25 processor seconds of the first answer's wait, and exact search
        # over them takes about a millisecond per query.
        index = _make_faiss(vectors, exact=stage == "first")
        meta = {
            "format": FORMAT_VERSION,
            "model_id": embedder.model_id,
            "dim": embedder.dim,
            "taxonomy_hash": taxonomy.content_hash,
            "taxonomy_version": taxonomy.version,
            "kinds": list(kinds),
            "stage": stage,
            "skills": len(uris),
            "variants": len(variants),
            "full_variants": full_variants,
            "descriptions": "embedded" if stage == "full" else "preferred label vectors",
            "first_stage_alternatives": FIRST_STAGE_ALTERNATIVES if stage == "first" else None,
            "embedded_texts": len(missing) + len(described),
            "faiss": type(index).__name__,
            "package_version": package_version(),
            "build_seconds": round(time.perf_counter() - started, 1),
        }
        logger.info("built the %s skill index: %d variants (%d texts embedded) in %.1fs",
                    stage, len(variants), meta["embedded_texts"], meta["build_seconds"])
        return cls(uris, variants, index, meta, descriptions)

    @property
    def stage(self) -> Stage:
        """``first`` or ``full`` (indexes saved before stages existed are full)."""
        stage: Stage = self.meta.get("stage", "full")
        return stage

    def vectors(self) -> np.ndarray:
        """The stored vector of every variant, in variant order."""
        return np.asarray(self._faiss.reconstruct_n(0, len(self.variants)), dtype=np.float32)

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
            found: tuple[np.ndarray, np.ndarray] = self._faiss.search(queries, k)
            return found
        # A few queries search faster on one thread. faiss ships its own OpenMP runtime, and
        # its idle threads spin for a while after a parallel search, taking the core the
        # embedding model's threads (another OpenMP runtime) need next: on 2 cores, encoding
        # one outcome right after a search took 19.7 ms instead of 13.8 ms.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            found = self._faiss.search(queries, k)
            return found
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
    def load(cls, directory: Path, *, taxonomy_hash: str, model_id: str,
             stage: Stage | None = None) -> SkillIndex:
        """Load a saved index, refusing one built for another taxonomy, model or ``stage``."""
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
        if stage is not None and meta.get("stage", "full") != stage:
            raise IndexMismatchError(
                f"index in {directory} is the {meta.get('stage')} stage, not the {stage} one; "
                "rebuild it with 'matcher index build'"
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


def _check_reusable(reuse: SkillIndex, taxonomy: Taxonomy, embedder: Embedder) -> None:
    if (reuse.meta.get("taxonomy_hash") != taxonomy.content_hash
            or reuse.meta.get("model_id") != embedder.model_id):
        raise IndexMismatchError(
            f"cannot reuse the vectors of an index built for taxonomy "
            f"{reuse.meta.get('taxonomy_hash')} with {reuse.meta.get('model_id')}: this build is "
            f"for taxonomy {taxonomy.content_hash} with {embedder.model_id}"
        )


def _preferred_vectors(uris: list[str], variants: list[Variant],
                       vectors: np.ndarray) -> np.ndarray:
    """Per skill, the vector of its preferred label (English first): the first stage's stand-in
    for the description vector, as a skill without a description has in the full index."""
    chosen: dict[int, tuple[int, int]] = {}
    for i, variant in enumerate(variants):
        if variant.kind == "preferred":
            rank = 0 if variant.lang == "en" else 1
            if variant.skill not in chosen or rank < chosen[variant.skill][0]:
                chosen[variant.skill] = (rank, i)
    out = np.zeros((len(uris), vectors.shape[1]), dtype=np.float32)
    for skill, (_, i) in chosen.items():
        out[skill] = vectors[i]
    return out


def _make_faiss(vectors: np.ndarray, *, exact: bool = False) -> Any:
    import faiss

    dim = vectors.shape[1]
    if exact or len(vectors) < _HNSW_FROM:
        flat = faiss.IndexFlatIP(dim)
        flat.add(vectors)
        return flat
    graph = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = 80
    graph.hnsw.efSearch = _EF_SEARCH
    graph.add(vectors)
    return graph
