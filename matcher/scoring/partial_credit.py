"""The skill space and the partial-credit matrix: how far one skill stands in for another.

``P`` is a sparse skill × skill matrix (zero diagonal): how far holding skill ``h`` stands in
for skill ``r``, through

- the ESCO hierarchy (``skill_broader``): a narrower or broader skill, a sibling under the same
  broader skill, or a sibling in the same small skill group;
- ESCO skill–skill relations (``skillSkillRelations``);
- close embedding neighbours: the preferred-label vectors of the skill index, top neighbours
  above a similarity threshold derived from the model's own similarity distribution.

Reads: the taxonomy, the skill index's vectors. Writes: the partial-credit matrix under
``MATCHER_HOME/partial/<taxonomy hash>-<model>-<params>/`` (``credit.npz``, ``meta.json``; numpy
arrays, no pickle) through :meth:`PartialCredit.save`.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.storage import replace_dir
from matcher.taxonomy import Taxonomy

if TYPE_CHECKING:
    from scipy import sparse

    from matcher.index import SkillIndex

FORMAT_VERSION = 1

# How a held skill stands in for a required one (codes stored beside the credits).
METHODS: dict[int, tuple[str, str]] = {
    1: ("hierarchy", "is a narrower skill of"),
    2: ("hierarchy", "is a broader skill of"),
    3: ("hierarchy", "shares a broader skill with"),
    4: ("hierarchy", "is in the same ESCO skill group as"),
    5: ("relation", "is linked by an ESCO skill–skill relation to"),
    6: ("embedding", "has a label close in meaning to"),
}


@dataclass(frozen=True)
class RankingParams:
    """Partial credits (fractions of a full match) and limits.

    The credits order the routes by how much of the required skill they usually imply: a
    narrower skill is a part of the broader one (0.6); a broader one suggests but does not
    prove the specific one (0.5), as does an ESCO relation; siblings and near-synonyms count
    less. ``partial_cap`` keeps partial credit, summed over several held skills, below a match.
    """

    narrower: float = 0.6
    broader: float = 0.5
    sibling: float = 0.35
    # Siblings in an ESCO skill *group* (not under a broader skill) are off by default: the
    # groups are wide enough that the stand-ins read as nonsense ("show good manners with
    # players" for "distribute meals to patients").
    group_sibling: float = 0.0
    max_siblings: int = 30  # larger families are too loose to mean much
    # With the index: siblings count only when their labels are also close in meaning, closer
    # than this share of random skill pairs. A broad parent ("advising and consulting") has
    # children that share nothing else ("provide tourism related information" for "advise on
    # healthcare users' informed consent").
    sibling_quantile: float = 0.95
    relation: float = 0.5
    embedding_max: float = 0.5
    embedding_min: float = 0.2
    embedding_neighbours: int = 5
    # The threshold is the similarity exceeded by this share of random skill pairs.
    embedding_quantile: float = 0.9995
    partial_cap: float = 0.5

    def key(self) -> str:
        blob = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:10]


class SkillSpace:
    """Skill URI ↔ column, in the taxonomy's order (the skill index uses the same order)."""

    def __init__(self, uris: Sequence[str]) -> None:
        self.uris = list(uris)
        self.col = {uri: i for i, uri in enumerate(self.uris)}

    def __len__(self) -> int:
        return len(self.uris)


class PartialCredit:
    """The sparse skill × skill partial-credit matrix and, aligned with it, how each was found."""

    def __init__(self, space: SkillSpace, credit: sparse.csr_matrix, method: sparse.csr_matrix,
                 meta: dict[str, Any]) -> None:
        self.space = space
        self.credit = credit.tocsr().astype(np.float32)
        self.method = method.tocsr()
        self.meta = meta
        self.credit_csc = self.credit.tocsc()
        self._method_csc = self.method.tocsc()

    @property
    def nnz(self) -> int:
        return int(self.credit.nnz)

    def column(self, col: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Held skills (columns) that stand in for skill ``col``: (rows, credits, method codes)."""
        start, end = self.credit_csc.indptr[col], self.credit_csc.indptr[col + 1]
        return (self.credit_csc.indices[start:end], self.credit_csc.data[start:end],
                self._method_csc.data[start:end].astype(np.int8))

    # -- building ------------------------------------------------------------------------------
    @classmethod
    def build(cls, taxonomy: Taxonomy, *, index: SkillIndex | None = None,
              params: RankingParams | None = None) -> PartialCredit:
        """Build from the taxonomy's hierarchy and relations and (when given) the index vectors."""
        from scipy import sparse

        params = params or RankingParams()
        space = SkillSpace(list(taxonomy.skills))
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        credits: list[np.ndarray] = []
        codes: list[np.ndarray] = []

        def add(pairs: list[tuple[int, int]], credit: float | np.ndarray, code: int) -> None:
            if not len(pairs):
                return
            arr = np.asarray(pairs, dtype=np.int64)
            rows.append(arr[:, 0])
            cols.append(arr[:, 1])
            credits.append(np.broadcast_to(np.asarray(credit, dtype=np.float32),
                                           (len(arr),)).copy())
            codes.append(np.full(len(arr), code, dtype=np.int8))

        # Hierarchy. held → required.
        children: dict[str, list[int]] = defaultdict(list)
        narrower: list[tuple[int, int]] = []
        broader: list[tuple[int, int]] = []
        for uri, parents in taxonomy.skill_broader.items():
            child = space.col.get(uri)
            if child is None:
                continue
            for parent in parents:
                children[parent].append(child)
                p = space.col.get(parent)
                if p is not None:
                    narrower.append((child, p))  # holding the narrower skill, required p
                    broader.append((p, child))
        add(narrower, params.narrower, 1)
        add(broader, params.broader, 2)
        siblings: list[tuple[int, int]] = []
        group_siblings: list[tuple[int, int]] = []
        for parent, kids in children.items():
            if not 2 <= len(kids) <= params.max_siblings:
                continue
            target = siblings if parent in space.col else group_siblings
            target.extend((a, b) for a in kids for b in kids if a != b)
        vectors = _label_vectors(space, index) if index is not None else None
        if vectors is not None and siblings and params.sibling_quantile > 0:
            siblings = _close_pairs(siblings, vectors, params.sibling_quantile)
        add(siblings, params.sibling, 3)
        if params.group_sibling > 0:
            add(group_siblings, params.group_sibling, 4)
        relations: list[tuple[int, int]] = []
        for a, b, _kind in taxonomy.skill_relations:
            ia, ib = space.col.get(a), space.col.get(b)
            if ia is not None and ib is not None and ia != ib:
                relations.extend([(ia, ib), (ib, ia)])
        add(relations, params.relation, 5)
        threshold = None
        if vectors is not None and params.embedding_neighbours > 0:
            pairs, credit, threshold = _embedding_neighbours(vectors, params)
            add(pairs, credit, 6)

        n = len(space)
        if rows:
            r, c = np.concatenate(rows), np.concatenate(cols)
            v, m = np.concatenate(credits), np.concatenate(codes)
            keep = r != c
            r, c, v, m = r[keep], c[keep], v[keep], m[keep]
            # Keep the highest credit per (held, required) pair, with its method.
            order = np.lexsort((-v, c, r))
            r, c, v, m = r[order], c[order], v[order], m[order]
            first = np.ones(len(r), dtype=bool)
            first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
            r, c, v, m = r[first], c[first], v[first], m[first]
        else:
            r = c = np.zeros(0, dtype=np.int64)
            v, m = np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int8)
        credit_m = sparse.csr_matrix((v, (r, c)), shape=(n, n), dtype=np.float32)
        method_m = sparse.csr_matrix((m.astype(np.float32), (r, c)), shape=(n, n),
                                     dtype=np.float32)
        counts = {METHODS[k][0] + ":" + METHODS[k][1]: int((m == k).sum()) for k in METHODS}
        meta = {
            "format": FORMAT_VERSION,
            "taxonomy_hash": taxonomy.content_hash,
            "model_id": index.meta.get("model_id") if index is not None else None,
            "params": asdict(params),
            "embedding_threshold": threshold,
            "pairs": int(len(v)),
            "by_method": counts,
        }
        return cls(space, credit_m, method_m, meta)

    # -- persistence ---------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write ``credit.npz`` and ``meta.json`` to ``directory`` (replaced atomically)."""
        with replace_dir(directory) as staging:
            np.savez(staging / "credit.npz", indptr=self.credit.indptr,
                     indices=self.credit.indices, data=self.credit.data,
                     method=self.method.data.astype(np.int8))
            (staging / "meta.json").write_text(json.dumps(self.meta, indent=2))

    @classmethod
    def load(cls, directory: Path, taxonomy: Taxonomy) -> PartialCredit:
        """Load a saved matrix; ValueError when it was built for another taxonomy."""
        from scipy import sparse

        meta = json.loads((directory / "meta.json").read_text())
        if meta.get("format") != FORMAT_VERSION or meta["taxonomy_hash"] != taxonomy.content_hash:
            raise ValueError(f"partial-credit matrix in {directory} is for another taxonomy")
        space = SkillSpace(list(taxonomy.skills))
        with np.load(directory / "credit.npz", allow_pickle=False) as data:
            n = len(space)
            credit = sparse.csr_matrix((data["data"], data["indices"], data["indptr"]),
                                       shape=(n, n))
            method = sparse.csr_matrix((data["method"].astype(np.float32), data["indices"],
                                        data["indptr"]), shape=(n, n))
        return cls(space, credit, method, meta)


def partial_credit_key(taxonomy: Taxonomy, model_id: str | None, params: RankingParams) -> str:
    return f"{taxonomy.content_hash}-{model_id or 'no-model'}-{params.key()}"


def _label_vectors(space: SkillSpace, index: SkillIndex
                   ) -> tuple[np.ndarray, np.ndarray] | None:
    """(columns, vectors): each skill's preferred-label vector, English where there is one;
    None when fewer than three skills have one."""
    chosen: dict[int, tuple[int, int]] = {}
    for vid, variant in enumerate(index.variants):
        if variant.kind != "preferred":
            continue
        rank = 0 if variant.lang == "en" else 1
        if variant.skill not in chosen or rank < chosen[variant.skill][0]:
            chosen[variant.skill] = (rank, vid)
    index_rows = sorted(chosen)
    if not index_rows:
        return None
    cols = np.array([space.col.get(index.uris[i], -1) for i in index_rows], dtype=np.int64)
    vectors = np.stack([index.vector(chosen[i][1]) for i in index_rows]).astype(np.float32)
    keep = cols >= 0
    if keep.sum() < 3:
        return None
    return cols[keep], np.ascontiguousarray(vectors[keep])


def _random_pair_quantile(vectors: np.ndarray, quantile: float) -> float:
    """The similarity that only ``1 - quantile`` of random skill pairs exceed, so that a
    threshold adapts to how a model spreads its scores (e5 crowds them into 0.75–0.92)."""
    rng = np.random.default_rng(0)
    a = rng.integers(0, len(vectors), 50_000)
    b = rng.integers(0, len(vectors), 50_000)
    distinct = a != b
    sims = np.einsum("ij,ij->i", vectors[a[distinct]], vectors[b[distinct]])
    return float(np.quantile(sims, quantile))


def _close_pairs(pairs: list[tuple[int, int]], label_vectors: tuple[np.ndarray, np.ndarray],
                 quantile: float) -> list[tuple[int, int]]:
    """The (column, column) pairs whose label vectors are closer than the quantile of random
    pairs; a pair with a skill without a vector is kept (nothing says it is far)."""
    cols, vectors = label_vectors
    row = np.full(int(max(cols.max(), max(max(p) for p in pairs))) + 1, -1, dtype=np.int64)
    row[cols] = np.arange(len(cols))
    arr = np.asarray(pairs, dtype=np.int64)
    ra, rb = row[arr[:, 0]], row[arr[:, 1]]
    known = (ra >= 0) & (rb >= 0)
    sims = np.ones(len(arr), dtype=np.float32)
    sims[known] = np.einsum("ij,ij->i", vectors[ra[known]], vectors[rb[known]])
    keep = sims >= _random_pair_quantile(vectors, quantile)
    return [pairs[i] for i in np.flatnonzero(keep).tolist()]


def _embedding_neighbours(
    label_vectors: tuple[np.ndarray, np.ndarray], params: RankingParams
) -> tuple[list[tuple[int, int]], np.ndarray, float]:
    """Top neighbours of each skill's preferred-label vector above a model-derived threshold."""
    import faiss

    cols, vectors = label_vectors
    threshold = _random_pair_quantile(vectors, params.embedding_quantile)
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    k = min(params.embedding_neighbours + 1, len(cols))
    scores, ids = flat.search(vectors, k)
    pairs: list[tuple[int, int]] = []
    credit: list[float] = []
    span = max(1e-6, 1.0 - threshold)
    for i in range(len(cols)):
        for score, j in zip(scores[i].tolist(), ids[i].tolist(), strict=True):
            if j < 0 or j == i or score < threshold:
                continue
            t = min(1.0, (score - threshold) / span)
            value = params.embedding_min + t * (params.embedding_max - params.embedding_min)
            pairs.append((int(cols[i]), int(cols[j])))
            credit.append(value)
    return pairs, np.asarray(credit, dtype=np.float32), threshold
