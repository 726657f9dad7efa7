"""Explainable ranking: candidates × requirement, and a candidate × occupations and job ads.

Profiles become sparse skill-weight vectors over the taxonomy's skills (columns in taxonomy
order). A candidate's weight for a skill is its strongest evidence (verified > unverified >
self-declared, scaled by link confidence). A required skill ``r`` is *covered* by

    cov_r = max(direct_r, min(PARTIAL_CAP, Σ_h c_h · P[h, r]))

where ``direct_r`` is the candidate's own weight for ``r`` and ``P`` is the precomputed sparse
*partial-credit* matrix (skill × skill, zero diagonal): how far holding skill ``h`` stands in for
skill ``r``, through

- the ESCO hierarchy (``skill_broader``): a narrower or broader skill, a sibling under the same
  broader skill, or a sibling in the same small skill group;
- ESCO skill–skill relations (``skillSkillRelations``);
- close embedding neighbours: the preferred-label vectors of the skill index, top neighbours
  above a similarity threshold derived from the model's own similarity distribution.

The score is ``Σ_r w_r · cov_r / Σ_r w_r`` in [0, 1]. Must-have skills gate: a candidate meets
them only by holding each one (partial credit does not count); those who meet them rank first.

Ranking many candidates is a sparse product ``C @ [I_R | P_R]`` over row blocks and an
``argpartition`` top-k: no Python loop over candidates. Explanations are built for the top-k only.

Reads: the taxonomy, the skill index's vectors. Writes: the partial-credit matrix under
``MATCHER_HOME/partial/<taxonomy hash>-<model>-<params>/`` (``credit.npz``, ``meta.json``; numpy
arrays, no pickle) through :meth:`PartialCredit.save`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.errors import InvalidInputError
from matcher.errors import check_top_k as _check_top_k
from matcher.profiles import CandidateProfile, Evidence, Requirement, RequirementProfile
from matcher.storage import replace_dir
from matcher.taxonomy import Taxonomy

if TYPE_CHECKING:
    from scipy import sparse

    from matcher.index import SkillIndex

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
MAX_TOP_K = 1000

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
        narrower, broader = [], []
        for uri, parents in taxonomy.skill_broader.items():
            c = space.col.get(uri)
            if c is None:
                continue
            for parent in parents:
                children[parent].append(c)
                p = space.col.get(parent)
                if p is not None:
                    narrower.append((c, p))  # holding the narrower skill c, required p
                    broader.append((p, c))
        add(narrower, params.narrower, 1)
        add(broader, params.broader, 2)
        siblings, group_siblings = [], []
        for parent, kids in children.items():
            if not 2 <= len(kids) <= params.max_siblings:
                continue
            target = siblings if parent in space.col else group_siblings
            target.extend((a, b) for a in kids for b in kids if a != b)
        add(siblings, params.sibling, 3)
        if params.group_sibling > 0:
            add(group_siblings, params.group_sibling, 4)
        relations = []
        for a, b, _kind in taxonomy.skill_relations:
            ia, ib = space.col.get(a), space.col.get(b)
            if ia is not None and ib is not None and ia != ib:
                relations.extend([(ia, ib), (ib, ia)])
        add(relations, params.relation, 5)
        threshold = None
        if index is not None and params.embedding_neighbours > 0:
            pairs, credit, threshold = _embedding_neighbours(space, index, params)
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


def _embedding_neighbours(
    space: SkillSpace, index: SkillIndex, params: RankingParams
) -> tuple[list[tuple[int, int]], np.ndarray, float]:
    """Top neighbours of each skill's preferred-label vector above a model-derived threshold."""
    import faiss

    # The preferred label of each skill, English where there is one.
    chosen: dict[int, tuple[int, int]] = {}
    for vid, variant in enumerate(index.variants):
        if variant.kind != "preferred":
            continue
        rank = 0 if variant.lang == "en" else 1
        if variant.skill not in chosen or rank < chosen[variant.skill][0]:
            chosen[variant.skill] = (rank, vid)
    index_rows = sorted(chosen)
    cols = np.array([space.col.get(index.uris[i], -1) for i in index_rows], dtype=np.int64)
    vectors = np.stack([index.vector(chosen[i][1]) for i in index_rows]).astype(np.float32)
    keep = cols >= 0
    cols, vectors = cols[keep], np.ascontiguousarray(vectors[keep])
    if len(cols) < 3:
        return [], np.zeros(0, dtype=np.float32), 1.0
    # Threshold: the similarity only a tiny share of random skill pairs exceed, so that it
    # adapts to how a model spreads its scores (e5 crowds them into 0.75–0.92).
    rng = np.random.default_rng(0)
    a = rng.integers(0, len(cols), 50_000)
    b = rng.integers(0, len(cols), 50_000)
    distinct = a != b
    sims = np.einsum("ij,ij->i", vectors[a[distinct]], vectors[b[distinct]])
    threshold = float(np.quantile(sims, params.embedding_quantile))
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


# -- matrices of profiles --------------------------------------------------------------------
def candidate_matrix(profiles: Sequence[CandidateProfile], space: SkillSpace) -> sparse.csr_matrix:
    """Candidates × skills, each entry the weight of the strongest evidence."""
    from scipy import sparse

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for profile in profiles:
        for uri, evidence in profile.skills.items():
            col = space.col.get(uri)
            if col is not None:
                indices.append(col)
                data.append(evidence[0].weight)
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32),
         np.asarray(indptr, dtype=np.int64)), shape=(len(profiles), len(space)))


def requirement_matrix(requirements: Sequence[Sequence[tuple[str, float]]],
                       space: SkillSpace) -> sparse.csr_matrix:
    """Requirement profiles (occupations, ads) × skills, each entry a requirement weight."""
    from scipy import sparse

    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for items in requirements:
        for uri, weight in items:
            col = space.col.get(uri)
            if col is not None and weight > 0:
                indices.append(col)
                data.append(weight)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32),
         np.asarray(indptr, dtype=np.int64)), shape=(len(requirements), len(space)))
    matrix.sum_duplicates()
    return matrix


# -- scoring ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scores:
    """Vectorised result of scoring many candidates against one requirement."""

    score: np.ndarray  # (n,) float32 in [0, 1]: coverage of the job's core
    must_met: np.ndarray  # (n,) bool
    full: np.ndarray | None = None  # (n,) coverage of every listed skill (breaks ties)


def score_candidates(
    candidates: sparse.spmatrix,
    requirement: RequirementProfile,
    partial: PartialCredit,
) -> Scores:
    """Score every candidate row against ``requirement`` (no loop over candidates).

    ``C @ Q`` with ``Q = [I_R | P_R]`` gives, per candidate, the direct weight and the summed
    partial credit of each required skill in one sparse product. Only the skills that can
    contribute (rows of ``Q`` that are not empty: the required skills and their stand-ins)
    matter, so the product runs on those columns of ``C``: with ``C`` in CSC form (an inverted
    index, skill → candidates) selecting them touches only their entries. Pass a CSC matrix
    to rank many candidates repeatedly; any other sparse format is converted first.
    """
    from scipy import sparse

    space = partial.space
    cols = np.array([space.col[u] for u in requirement.uris], dtype=np.int64)
    weights = np.array([r.weight for r in requirement.requirements], dtype=np.float32)
    core = core_weights(requirement.requirements)
    must = np.array([r.must_have for r in requirement.requirements], dtype=bool)
    n_req = len(cols)
    # Q = [I_R | P_R], assembled column by column: column j of I_R is the unit vector of
    # required skill j, P_R is those skills' columns of the partial-credit matrix.
    stand_ins = partial.credit_csc[:, cols]
    q = sparse.csc_matrix(
        (np.concatenate([np.ones(n_req, dtype=np.float32), stand_ins.data]),
         np.concatenate([cols, stand_ins.indices]),
         np.concatenate([np.arange(n_req, dtype=np.int64),
                         n_req + stand_ins.indptr.astype(np.int64)])),
        shape=(len(space), 2 * n_req)).tocsr()
    relevant = np.flatnonzero(np.diff(q.indptr))
    csc = candidates if candidates.format == "csc" else candidates.tocsc()
    product = (csc[:, relevant] @ q[relevant]).tocsr()
    # All sparse (no dense candidates × skills block, no BLAS call): the service runs many
    # searches side by side and a multi-threaded BLAS would only spin on the other's core.
    direct, part = product[:, :n_req], product[:, n_req:]
    part.data = np.minimum(part.data, partial.meta["params"]["partial_cap"])
    covered = direct.maximum(part)
    score = (covered @ core) / float(core.sum())
    full = (covered @ weights) / float(weights.sum())
    must_met = np.full(candidates.shape[0], not must.any(), dtype=bool)
    if must.any():
        must_met = np.diff((direct[:, np.flatnonzero(must)] > 0).tocsr().indptr) == must.sum()
    return Scores(np.clip(score, 0.0, 1.0), must_met, np.clip(full, 0.0, 1.0))


def core_weights(requirements: Sequence[Any]) -> np.ndarray:
    """Each requirement's weight in the score: its weight when it is part of the job's core
    (:attr:`matcher.profiles.Requirement.core`), else 0; every weight when none is core."""
    weights = np.array([r.weight for r in requirements], dtype=np.float32)
    core = np.array([bool(getattr(r, "core", True)) for r in requirements], dtype=bool)
    return weights * core if core.any() else weights


def select_top(scores: Scores, k: int) -> np.ndarray:
    """Row numbers of the ``k`` best: those meeting every must-have first, then by score."""
    key = scores.score.astype(np.float64) + scores.must_met.astype(np.float64) * 2.0
    if scores.full is not None:  # equal core coverage: more of the rest first
        key = key + scores.full.astype(np.float64) * 1e-3
    k = min(k, len(key))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-key, k - 1)[:k] if k < len(key) else np.arange(len(key))
    return part[np.lexsort((part, -key[part]))]


def coverage(candidates: sparse.csr_matrix, partial: PartialCredit) -> sparse.csr_matrix:
    """Per candidate and skill, how far it is covered: max(direct, min(cap, partial))."""
    cap = partial.meta["params"]["partial_cap"]
    part = (candidates @ partial.credit).tocsr()
    part.data = np.minimum(part.data, cap)
    return candidates.maximum(part).tocsr()


def score_requirements(cover: sparse.csr_matrix, requirements: sparse.csr_matrix) -> np.ndarray:
    """Candidates' coverage (n × skills) against requirement rows (m × skills): n × m scores,
    each the weighted share of the requirement that is covered (as :func:`score_candidates`)."""
    totals = np.asarray(requirements.sum(axis=1)).ravel()
    totals[totals == 0] = 1.0
    product = (cover @ requirements.T).toarray()
    return np.clip(product / totals[None, :], 0.0, 1.0)


SUGGESTION_SCORINGS = ("coverage", "smoothed", "cosine")


def suggestion_relevance(cover: sparse.csr_matrix, requirements: sparse.csr_matrix,
                         scoring: str = "cosine", prior: float = 3.0) -> np.ndarray:
    """How well each requirement row suits each candidate, to order suggestions (n × m).

    ``coverage`` is the score itself: it favours requirements with few skills, where one lucky
    (or mis-linked) skill covers a large share. ``smoothed`` adds ``prior`` pseudo-weight of
    uncovered skills to every requirement. ``cosine`` also divides by the size of the
    candidate's profile, so an occupation must use much of what the person holds — the
    classic retrieval similarity; chosen by benchmarks/occupation_recovery.py.
    """
    product = (cover @ requirements.T).toarray()
    if scoring == "coverage":
        totals = np.asarray(requirements.sum(axis=1)).ravel()
        return product / np.maximum(totals, 1e-9)[None, :]
    if scoring == "smoothed":
        totals = np.asarray(requirements.sum(axis=1)).ravel()
        return product / (totals + prior)[None, :]
    if scoring == "cosine":
        req_norm = np.sqrt(np.asarray(requirements.multiply(requirements).sum(axis=1)).ravel())
        cov_norm = np.sqrt(np.asarray(cover.multiply(cover).sum(axis=1)).ravel())
        return product / np.maximum(np.outer(cov_norm, req_norm), 1e-9)
    raise InvalidInputError(f"scoring must be one of {', '.join(SUGGESTION_SCORINGS)}, "
                            f"not {scoring!r}", field="scoring")


# -- explanations ----------------------------------------------------------------------------
# StandIn and SkillMatch are made by the hundred per search: plain slotted dataclasses (a frozen
# one costs five times as much to create). Treat them as read-only.
@dataclass(slots=True)
class StandIn:
    """A held skill that stands in (partly) for a required one."""

    uri: str
    label: str
    method: str  # hierarchy | relation | embedding
    relation: str  # e.g. "is a narrower skill of"
    credit: float  # of the route (fraction of a full match)
    contribution: float  # evidence weight × credit
    evidence: Evidence | None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"uri": self.uri, "label": self.label, "method": self.method,
                               "relation": self.relation, "credit": round(self.credit, 3),
                               "contribution": round(self.contribution, 3)}
        if self.evidence is not None:
            out["evidence"] = self.evidence.to_dict()
        return out


@dataclass(slots=True)
class SkillMatch:
    """How one required skill is met: exactly, partly (through stand-ins) or not at all.

    Attributes:
        score: coverage of the required skill in [0, 1].
        method: ``exact``, ``hierarchy``, ``relation``, ``embedding`` or ``missing``.
        evidence: for an exact match, the candidate's evidence for the skill.
        stand_ins: for a partial match, the held skills that stood in, best first.
        rationale: one line a person can read.
    """

    uri: str
    label: str
    weight: float
    must_have: bool
    score: float
    method: str
    rationale: str
    evidence: tuple[Evidence, ...] = ()
    stand_ins: tuple[StandIn, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "uri": self.uri, "label": self.label, "weight": round(self.weight, 3),
            "must_have": self.must_have, "score": round(self.score, 3), "method": self.method,
            "rationale": self.rationale,
        }
        if self.evidence:
            out["evidence"] = [e.to_dict() for e in self.evidence]
        if self.stand_ins:
            out["stand_ins"] = [s.to_dict() for s in self.stand_ins]
        return out


@dataclass(frozen=True)
class Explanation:
    """Score and per-skill explanation of one candidate against one requirement."""

    score: float  # the covered share of the job's core (Requirement.core), in [0, 1]
    must_haves_met: bool
    matched: tuple[SkillMatch, ...]
    partial: tuple[SkillMatch, ...]
    missing: tuple[SkillMatch, ...]
    must_haves: bool = False  # whether the requirement names any must-have
    coverage: float = 0.0  # the covered share of every listed skill, core or not
    core_held: int = 0  # core skills held (exact matches)
    core_total: int = 0  # core skills of the requirement

    @property
    def missing_must_haves(self) -> list[str]:
        return [m.uri for m in (*self.partial, *self.missing) if m.must_have]

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 4),
            "coverage": round(self.coverage, 4),
            "core": {"held": self.core_held, "total": self.core_total},
            "must_haves": self.must_haves,
            "must_haves_met": self.must_haves_met,
            "missing_must_haves": self.missing_must_haves,
            "matched": [m.to_dict() for m in self.matched],
            "partial": [m.to_dict() for m in self.partial],
            "missing": [m.to_dict() for m in self.missing],
        }


def _by_contribution(stand_in: StandIn) -> float:
    return -stand_in.contribution


class Explainer:
    """Explains candidates against one requirement, skill by skill.

    What depends only on the requirement (labels, and each required skill's stand-ins from the
    partial-credit matrix) is looked up once, so explaining the top-k of a ranking costs one
    pass over the requirement per candidate. Computes the same score as
    :func:`score_candidates` (tests check that).
    """

    def __init__(self, requirements: Sequence[Requirement], partial: PartialCredit,
                 taxonomy: Taxonomy, *, lang: str = "en", max_stand_ins: int = 3) -> None:
        self.partial = partial
        self.taxonomy = taxonomy
        self.lang = lang
        self.max_stand_ins = max_stand_ins
        self.cap = partial.meta["params"]["partial_cap"]
        # The score is the covered share of the job's core (core_weights); the rest counts
        # in ``coverage``.
        self.core = [float(w) for w in core_weights(requirements)]
        self.total = sum(self.core) or 1.0
        self.total_all = sum(r.weight for r in requirements) or 1.0
        space = partial.space
        # Per required skill: uri, weight, must-have, label, and its possible stand-ins
        # (held skill's column, credit, method, relation).
        self.plan: list[tuple[str, float, bool, str, list[tuple[int, float, str, str]]]] = []
        for r in requirements:
            uri, weight, must = r.uri, r.weight, r.must_have
            routes: list[tuple[int, float, str, str]] = []
            if uri in space.col:
                rows, credits, codes = partial.column(space.col[uri])
                routes = [(row, credit, *METHODS[code]) for row, credit, code
                          in zip(rows.tolist(), credits.tolist(), codes.tolist(), strict=True)]
            self.plan.append((uri, weight, must, self._label(uri), routes))
        # A missing skill reads the same for every candidate: one object, shared.
        self._missing = {uri: SkillMatch(uri, name, weight, must, 0.0, "missing",
                                         f"no held skill covers {name!r}")
                         for uri, weight, must, name, _ in self.plan}

    def _label(self, uri: str) -> str:
        skill = self.taxonomy.skills.get(uri)
        return skill.label(self.lang) if skill else uri

    def explain(self, profile: CandidateProfile) -> Explanation:
        col = self.partial.space.col
        held = {col[u]: u for u in profile.skills if u in col}
        skills = profile.skills
        cap = self.cap
        matched, part, missing = [], [], []
        achieved = achieved_all = 0.0
        must_ok = True
        core_held = core_total = 0
        for (uri, weight, must, name, routes), core in zip(self.plan, self.core, strict=True):
            evidence = skills.get(uri)
            direct = evidence[0].weight if evidence else 0.0
            stand_ins: list[StandIn] = []
            partial_score = 0.0
            # Stand-ins count only up to the cap: a direct match at or above it needs none.
            if routes and direct < cap:
                for row, credit, method, relation in routes:
                    held_uri = held.get(row)
                    if held_uri is not None:
                        best = skills[held_uri][0]
                        stand_ins.append(StandIn(held_uri, self._label(held_uri), method,
                                                 relation, credit, best.weight * credit, best))
                if stand_ins:
                    stand_ins.sort(key=_by_contribution)
                    partial_score = min(cap, sum(s.contribution for s in stand_ins))
            achieved += core * max(direct, partial_score)
            achieved_all += weight * max(direct, partial_score)
            if core > 0:
                core_total += 1
                core_held += direct > 0
            if must and direct <= 0:
                must_ok = False
            if direct > 0 and direct >= partial_score:
                best = evidence[0]
                source = (f"from {best.credential_title!r} ({best.issuer})"
                          if best.credential_title else "self-declared")
                matched.append(SkillMatch(uri, name, weight, must, direct, "exact",
                                          f"holds {name!r} {source}, {best.strength}", evidence))
            elif stand_ins:
                top = stand_ins[0]
                rationale = (f"{top.label!r} {top.relation} {name!r} ({top.method}, credit "
                             f"{top.credit:.2f})")
                if len(stand_ins) > 1:
                    rationale += f" and {len(stand_ins) - 1} more held skill(s)"
                part.append(SkillMatch(uri, name, weight, must, partial_score, top.method,
                                       rationale, (), tuple(stand_ins[:self.max_stand_ins])))
            else:
                missing.append(self._missing[uri])
        return Explanation(min(1.0, achieved / self.total), must_ok, tuple(matched),
                           tuple(part), tuple(missing), must_haves=any(m for _, _, m, _, _
                                                                        in self.plan),
                           coverage=min(1.0, achieved_all / self.total_all),
                           core_held=core_held, core_total=core_total)


def explain(
    profile: CandidateProfile,
    requirements: Sequence[Requirement],
    partial: PartialCredit,
    taxonomy: Taxonomy,
    *,
    lang: str = "en",
    max_stand_ins: int = 3,
) -> Explanation:
    """Explain one candidate against (uri, weight, must-have) requirements (see
    :class:`Explainer`, which explains many candidates against one requirement)."""
    return Explainer(requirements, partial, taxonomy, lang=lang,
                     max_stand_ins=max_stand_ins).explain(profile)


def check_top_k(top_k: int) -> None:
    _check_top_k(top_k, MAX_TOP_K)


@dataclass(frozen=True)
class RankedCandidate:
    """One candidate in a ranking, with the explanation of the score."""

    rank: int
    candidate_id: str
    explanation: Explanation

    @property
    def score(self) -> float:
        return self.explanation.score

    def to_dict(self) -> dict[str, Any]:
        return {"rank": self.rank, "candidate_id": self.candidate_id,
                **self.explanation.to_dict()}


@dataclass(frozen=True)
class RankingResult:
    """The top candidates for a requirement, and what the caller should know about the run."""

    requirement: RequirementProfile
    candidates: tuple[RankedCandidate, ...]
    total_candidates: int
    meeting_must_haves: int
    notes: tuple[str, ...] = ()

    def to_dict(self, taxonomy: Taxonomy | None = None, lang: str = "en") -> dict[str, Any]:
        return {
            "requirement": self.requirement.to_dict(taxonomy, lang),
            "total_candidates": self.total_candidates,
            "meeting_must_haves": self.meeting_must_haves,
            "notes": list(self.notes),
            "candidates": [c.to_dict() for c in self.candidates],
        }


def rank_profiles(
    requirement: RequirementProfile,
    profiles: Sequence[CandidateProfile],
    partial: PartialCredit,
    taxonomy: Taxonomy,
    *,
    top_k: int = 10,
    lang: str = "en",
) -> RankingResult:
    """Rank candidate profiles against a requirement; explanations for the top-k only."""
    if not profiles:
        check_top_k(top_k)
        return RankingResult(requirement, (), 0, 0, ("no candidates given",))
    result = rank_matrix(requirement, candidate_matrix(profiles, partial.space),
                         [p.id for p in profiles], partial, taxonomy,
                         profile_of=profiles.__getitem__, top_k=top_k, lang=lang)
    empty = sum(1 for p in profiles if p.is_empty)
    if empty:
        note = f"{empty} candidate(s) hold no skills and score 0"
        result = RankingResult(result.requirement, result.candidates, result.total_candidates,
                               result.meeting_must_haves, (*result.notes, note))
    return result


def rank_matrix(
    requirement: RequirementProfile,
    matrix: sparse.spmatrix,
    ids: Sequence[str],
    partial: PartialCredit,
    taxonomy: Taxonomy,
    *,
    profile_of: Callable[[int], CandidateProfile],
    top_k: int = 10,
    lang: str = "en",
) -> RankingResult:
    """Rank the rows of a candidates × skills matrix (CSC for speed, see
    :func:`score_candidates`); ``profile_of(row)`` gives the profile to explain for the top-k.
    """
    check_top_k(top_k)
    for uri in requirement.uris:
        taxonomy.skill(uri)  # UnknownConceptError names any URI the taxonomy lacks
    scores = score_candidates(matrix, requirement, partial)
    return ranking_result(requirement, scores, select_top(scores, top_k), ids, partial,
                          taxonomy, profile_of=profile_of, total=len(ids), lang=lang)


# -- suggestions for a job seeker ------------------------------------------------------------
@dataclass(frozen=True)
class CourseOffer:
    """A catalogue credential that teaches a missing skill (or one that stands in for it)."""

    id: str
    title: str
    issuer: str
    teaches_uri: str
    teaches_label: str
    method: str  # exact | hierarchy | relation | embedding
    credit: float  # how far it closes the gap (1 for the skill itself)
    outcome: str
    hours: float | None = None
    url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "title": self.title, "issuer": self.issuer,
                               "teaches": {"uri": self.teaches_uri, "label": self.teaches_label},
                               "method": self.method, "credit": round(self.credit, 3),
                               "outcome": self.outcome}
        if self.hours:
            out["hours"] = self.hours
        if self.url:
            out["url"] = self.url
        return out


@dataclass(frozen=True)
class Gap:
    """A required skill the candidate does not hold, and the credentials that close it."""

    skill: SkillMatch  # method "missing", or a partial match
    courses: tuple[CourseOffer, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"uri": self.skill.uri, "label": self.skill.label,
                "weight": round(self.skill.weight, 3), "must_have": self.skill.must_have,
                "status": "missing" if self.skill.method == "missing" else "partial",
                "covered": round(self.skill.score, 3),
                "courses": [c.to_dict() for c in self.courses]}


@dataclass(frozen=True)
class Suggestion:
    """An occupation or job ad that fits a candidate, with matched skills and gaps."""

    kind: str  # occupation | ad
    id: str
    title: str
    explanation: Explanation
    gaps: tuple[Gap, ...]
    details: tuple[tuple[str, str], ...] = ()
    why: str = ""  # what the suggestion rests on (matcher.suggest.support_note)

    @property
    def score(self) -> float:
        return self.explanation.score

    def to_dict(self) -> dict[str, Any]:
        e = self.explanation
        return {
            "kind": self.kind, "id": self.id, "title": self.title, **dict(self.details),
            "why": self.why,
            "score": round(e.score, 4), "coverage": round(e.coverage, 4),
            "core": {"held": e.core_held, "total": e.core_total},
            "must_haves": e.must_haves, "must_haves_met": e.must_haves_met,
            "matched": [m.to_dict() for m in e.matched],
            "partial": [m.to_dict() for m in e.partial],
            "missing": [g.to_dict() for g in self.gaps],
        }


@dataclass(frozen=True)
class Suggestions:
    """Occupations and job ads for one candidate, best first."""

    candidate_id: str
    occupations: tuple[Suggestion, ...]
    ads: tuple[Suggestion, ...]
    ads_source: str  # "imported" | "demo" | "given"
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"candidate_id": self.candidate_id, "ads_source": self.ads_source,
                "notes": list(self.notes),
                "occupations": [s.to_dict() for s in self.occupations],
                "ads": [s.to_dict() for s in self.ads]}


def best_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` highest scores, best first (ties by index)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return part[np.lexsort((part, -scores[part]))]


def ranking_result(
    requirement: RequirementProfile,
    scores: Scores,
    order: np.ndarray,
    ids: Sequence[str],
    partial: PartialCredit,
    taxonomy: Taxonomy,
    *,
    profile_of: Callable[[int], CandidateProfile],
    total: int,
    lang: str = "en",
) -> RankingResult:
    """What :func:`rank_matrix` returns, for rows already scored (:func:`score_candidates`)
    and put in order (``order``: the top rows, best first), e.g. by a caller that keeps its
    matrix in parts. ``scores.must_met`` must be False for rows that do not take part;
    ``total`` counts those that do."""
    meeting = int(scores.must_met.sum())
    notes: list[str] = []
    must = requirement.must_haves
    if must and meeting == 0:
        labels = ", ".join(repr(taxonomy.skills[u].label(lang)) for u in must)
        notes.append(f"no candidate holds every must-have skill ({labels}); the list shows "
                     "the closest candidates, none of whom meets them")
    explainer = Explainer(requirement.requirements, partial, taxonomy, lang=lang)
    ranked = tuple(RankedCandidate(rank, ids[row], explainer.explain(profile_of(row)))
                   for rank, row in enumerate(order.tolist(), start=1))
    return RankingResult(requirement, ranked, total, meeting, tuple(notes))
