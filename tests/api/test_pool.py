"""The candidate pool kept current from the change log: the in-place matrix ranks as one built
from scratch, another process's writes arrive as deltas (no full load), a process behind the
log's retention loads everything, and two server processes on one database see each other's
consent, withdrawal and credential changes in their searches."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient

from api import pool_matrix
from api import ranking as api_ranking
from api.main import create_app
from api.pool import CandidatePool
from api.pool_matrix import PoolMatrix
from api.store import Store
from api.store.models import Candidate, DeclaredSkill, utcnow
from matcher import Engine
from matcher.profiles import (
    STRENGTH_WEIGHT,
    CandidateProfile,
    Evidence,
    Requirement,
    RequirementProfile,
)
from matcher.scoring.rank import rank_matrix, ranking_result
from matcher.scoring.score import (
    candidate_matrix,
    ranking_key,
    score_candidates,
    title_columns,
)
from matcher.title_names import TitleLift
from tests.api.conftest import (
    DEMENTIA,
    FORKLIFT,
    FORKLIFT_OPERATOR,
    Server,
    admin_key,
    api_settings,
    credential_doc,
    free_port,
    make_keys,
)
from tests.api.test_flows import seeker_with_credential

# Generous: the pool applies a change within CHECK_EVERY (0.25 s) plus milliseconds; a loaded
# CI machine may be much slower, and this is a deadline, not a speed measurement.
DEADLINE = 20.0


def eventually(check: Callable[[], bool], timeout: float = DEADLINE) -> bool:
    """Poll ``check`` until it holds or the deadline passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


# -- the in-place matrix ---------------------------------------------------------------------
class _Pool:
    """What api.ranking.rank reads from a pool: a snapshot."""

    def __init__(self, matrix: PoolMatrix) -> None:
        self.matrix = matrix

    def snapshot(self, space: Any = None) -> Any:
        return self.matrix.snapshot()


def _profile(rng: random.Random, candidate_id: str, uris: list[str]) -> CandidateProfile:
    skills = {}
    for uri in rng.sample(uris, rng.randint(0, 4)):
        strength = rng.choice(["verified", "unverified", "self_declared"])
        skills[uri] = (Evidence(strength, 1.0, STRENGTH_WEIGHT[strength]  # type: ignore[arg-type]
                                * rng.choice([1.0, 0.5])),)
    # Some hold a credential whose title lifts them for the forklift operator.
    titles = ({FORKLIFT_OPERATOR: TitleLift(rng.choice([0.3, 0.6, 1.0]), "Truckkort A+B")}
              if rng.random() < 0.3 else {})
    return CandidateProfile(candidate_id, skills, titles=titles)


def _requirements(uris: list[str]) -> list[RequirementProfile]:
    return [
        RequirementProfile("r0", "forklift operator", "occupation",
                           (Requirement(FORKLIFT, 1.0, False), Requirement(DEMENTIA, 0.5, False)),
                           occupation=FORKLIFT_OPERATOR),
        RequirementProfile("r1", "one", "skills", (Requirement(FORKLIFT, 1.0, False),)),
        RequirementProfile("r2", "must", "skills", (Requirement(FORKLIFT, 1.0, True),
                                                    Requirement(DEMENTIA, 0.5, False))),
        RequirementProfile("r3", "all", "skills",
                           tuple(Requirement(u, 1.0 + i % 3, i == 2) for i, u in enumerate(uris))),
    ]


def _ranked(result: Any) -> list[tuple[Any, ...]]:
    return [(c.candidate_id, c.score, c.explanation.to_dict()) for c in result.candidates]


def _check_same_as_from_scratch(engine: Engine, matrix: PoolMatrix,
                                profiles: dict[str, CandidateProfile]) -> None:
    partial, taxonomy = engine.partial_credit, engine.taxonomy
    ordered = sorted(profiles.values(), key=lambda p: p.id)
    ids = [p.id for p in ordered]
    titles = title_columns(taxonomy, partial.space)
    scratch = candidate_matrix(ordered, partial.space, titles).tocsc()
    for requirement in _requirements(list(taxonomy.skills)):
        for top_k in (1, 3, 10, 1000):
            got = api_ranking.rank(engine, _Pool(matrix), requirement,  # type: ignore[arg-type]
                                   top_k=top_k, lang="en")
            if not ordered:
                assert got.total_candidates == 0 and not got.candidates
                continue
            # From scratch: one matrix, every row scored as before, ordered by must-haves
            # met, the score lifted by titles, then candidate id.
            scores = score_candidates(scratch, requirement, partial, titles)
            key = ranking_key(scores)
            order = np.lexsort((np.arange(len(key)), -key))[:top_k]
            want = ranking_result(requirement, scores, order, ids, partial, taxonomy,
                                  profile_of=ordered.__getitem__, total=len(ids))
            assert _ranked(got) == _ranked(want)
            # The library's ranking function on one matrix in id order: the same candidates,
            # ties at the cut included (both take the first rows, that is the smallest ids).
            old = rank_matrix(requirement, scratch, ids, partial, taxonomy,
                              profile_of=ordered.__getitem__, top_k=top_k)
            assert ([(c.candidate_id, round(c.score, 4), c.title_points) for c in got.candidates]
                    == [(c.candidate_id, round(c.score, 4), c.title_points)
                        for c in old.candidates])
            assert (got.total_candidates, got.meeting_must_haves, got.notes) == (
                old.total_candidates, old.meeting_must_haves, old.notes)
    assert len(matrix) == len(profiles)
    assert all(matrix.get(cid) == p for cid, p in profiles.items())


def test_matrix_updated_in_place_ranks_as_one_built_from_scratch(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool_matrix, "COMPACT_ROWS", 6)
    monkeypatch.setattr(pool_matrix, "COMPACT_SHARE", 0.0)
    rng = random.Random(7)
    uris = list(engine.taxonomy.skills)
    profiles = {cid: _profile(rng, cid, uris) for cid in
                (f"c_{rng.getrandbits(32):08x}" for _ in range(40))}
    space = engine.partial_credit.space
    matrix = PoolMatrix(space, title_columns(engine.taxonomy, space), profiles.values())
    _check_same_as_from_scratch(engine, matrix, profiles)
    saw_tail = False
    for step in range(120):
        upserts, removals = [], []
        for _ in range(rng.randint(1, 3)):
            kind = rng.random()
            if kind < 0.35 or not profiles:  # a new candidate, its id anywhere in the order
                profile = _profile(rng, f"c_{rng.getrandbits(32):08x}", uris)
            elif kind < 0.7:  # a changed profile
                profile = _profile(rng, rng.choice(sorted(profiles)), uris)
            else:  # withdrawn consent, a deleted candidate
                gone = rng.choice(sorted(profiles))
                if gone not in {p.id for p in upserts}:
                    removals.append(gone)
                    del profiles[gone]
                continue
            upserts.append(profile)
            profiles[profile.id] = profile
        matrix.apply(upserts, removals)
        saw_tail = saw_tail or matrix.tail_rows > 0
        if step % 37 == 36:
            matrix.compact()
        if step % 5 == 0:
            _check_same_as_from_scratch(engine, matrix, profiles)
    _check_same_as_from_scratch(engine, matrix, profiles)
    assert saw_tail and matrix.compactions >= 3  # both states were checked
    for gone in sorted(profiles):
        matrix.apply([], [gone])
    _check_same_as_from_scratch(engine, matrix, {})


def test_packed_profiles_come_back_equal_and_share_their_evidence() -> None:
    from api.pool_profiles import ProfileShelf

    course = {"credential_id": "urn:course:1", "credential_title": "Truckkort A+B",
              "issuer": "Komvux", "outcome": "Kan köra motviktstruck säkert."}
    shelf = ProfileShelf()
    a = CandidateProfile("a", {
        FORKLIFT: (Evidence("verified", 0.8, 0.8, **course),
                   Evidence("self_declared", 1.0, 0.4)),
        DEMENTIA: (Evidence("unverified", 0.5, 0.35, **course,
                            verification={"status": "unverified", "reason": "unknown key"}),),
    }, ("a note",), {FORKLIFT_OPERATOR: TitleLift(1.0, "Truckkort A+B"),
                     DEMENTIA: TitleLift(0.3)})
    b = CandidateProfile("b", {FORKLIFT: (Evidence("verified", 0.8, 0.8, **course),)},
                         titles={FORKLIFT_OPERATOR: TitleLift(1.0, "Truckkort A+B")})
    packed_a, packed_b = shelf.pack(a), shelf.pack(b)
    # The pool keeps the title lifts a search reads: those a title points to.
    assert shelf.unpack(packed_a) == a.for_ranking() and shelf.unpack(packed_b) == b
    assert shelf.unpack(packed_a).titles == {FORKLIFT_OPERATOR: a.titles[FORKLIFT_OPERATOR]}
    # Two holders of one course hold one evidence object (a dict-bearing one is kept as is).
    assert shelf.unpack(packed_b).skills[FORKLIFT][0] is next(
        e for e in shelf.unpack(packed_a).skills[FORKLIFT] if e.strength == "verified")


def test_a_matrix_from_packed_pages_is_the_one_built_from_profiles(engine: Engine) -> None:
    from scipy import sparse

    from api.pool_profiles import ProfileShelf

    rng = random.Random(11)
    uris = list(engine.taxonomy.skills)
    space = engine.partial_credit.space
    profiles = [_profile(rng, f"c_{rng.getrandbits(32):08x}", uris) for _ in range(30)]
    shelf = ProfileShelf()
    pages = [profiles[:13], profiles[13:]]  # not in id order: sorted when laid out
    titles = title_columns(engine.taxonomy, space)
    built = PoolMatrix.from_rows(space, titles, shelf,
                                 [shelf.pack(p) for page in pages for p in page],
                                 sparse.vstack([candidate_matrix(page, space, titles)
                                                for page in pages], format="csr"))
    _check_same_as_from_scratch(engine, built, {p.id: p for p in profiles})


def test_a_full_load_builds_the_profiles_the_service_builds_one_at_a_time(
        client: TestClient, store: Store, keys: Any, engine: Engine) -> None:
    """The full load reads candidates in bulk (declared skills as plain rows); each profile
    is the one :func:`api.profiles.build_profile` makes of the loaded candidate, as a search
    reads it: with the title lifts that point, built from the title names that can."""
    from sqlalchemy import select, update

    from api.profiles import build_profile
    from api.routes.common import load_candidate
    from api.store.models import HeldCredential
    from tests.fixtures.esco_mini import OCC

    seeker_with_credential(client, keys, consent=True)  # a claimed (verified) credential
    with store.session() as session:  # its title points to the forklift operator only
        session.execute(update(HeldCredential).values(title_names=[
            {"uri": FORKLIFT_OPERATOR, "closeness": 1.0, "lexical": 0.0},
            {"uri": OCC + "receptionist", "closeness": 0.3, "lexical": 0.0}]))
    h = keys.headers("job_seeker")
    for uri in (DEMENTIA, FORKLIFT):  # one also held through the credential
        assert client.post("/v1/me/candidate/skills", json={"uri": uri},
                           headers=h).status_code == 201
    for i in range(3):  # others with declared skills only
        _add_candidate(store, f"c_other{i}", [FORKLIFT, DEMENTIA][i % 2])
    pool = CandidatePool(store, engine.taxonomy, engine.link_policy)
    pool.reload()
    with store.new_session() as session:
        rows = [load_candidate(session, candidate_id=cid) for cid in session.scalars(
            select(Candidate.id).where(Candidate.consent.is_(True))).all()]
        built = {c.id: build_profile(c, engine.taxonomy, engine.link_policy)
                 for c in rows if c is not None}
    loaded = {cid: profile.for_ranking() for cid, profile in built.items()}
    assert len(loaded) == 4 and set(pool.profiles()) == set(loaded)
    assert all(pool.profiles()[cid] == profile for cid, profile in loaded.items())
    # Suggestions read every lift; the pool keeps the one a search reads, title and all.
    titled = [p for p in built.values() if p.titles]
    assert len(titled) == 1 and set(titled[0].titles) == {FORKLIFT_OPERATOR, OCC + "receptionist"}
    kept = pool.profiles()[titled[0].id].titles
    assert set(kept) == {FORKLIFT_OPERATOR} and kept[FORKLIFT_OPERATOR].lift == 1.0
    assert kept[FORKLIFT_OPERATOR].title == "Truckkörning A och B"
    assert any(len(p.skills) >= 2 and any(len(e) > 1 for e in p.skills.values())
               for p in loaded.values())  # evidence from a credential and a declaration
    # A change read from the log (not a full load) gives the same profiles.
    _add_candidate(store, "c_other9", DEMENTIA)
    with store.session() as session:
        store.log_changes(session, [*loaded, "c_other9"])
    assert pool.catch_up() == 5 and pool.full_loads == 1
    assert all(pool.profiles()[cid] == profile for cid, profile in loaded.items())
    assert set(pool.profiles()) == {*loaded, "c_other9"}


# -- deltas between processes ------------------------------------------------------------------
def _search(client: Any, keys: Any, must: str = FORKLIFT) -> list[dict[str, Any]]:
    r = client.post("/v1/search", json={"requirement": {"occupation": FORKLIFT_OPERATOR,
                                                        "must_have": [must]}, "top_k": 5},
                    headers=keys.headers("employer"))
    assert r.status_code == 200, r.text
    return [c for c in r.json()["results"] if c["must_haves_met"]]


def test_another_apps_writes_arrive_as_deltas_without_a_full_load(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check_deltas(engine, tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'shared.db'}")


def check_deltas(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                 url: str) -> None:
    """Two apps on one database: writes through one reach the other's search as deltas."""
    with TestClient(create_app(engine, api_settings(engine, tmp_path / "a", url))) as a, \
            TestClient(create_app(engine, api_settings(engine, tmp_path / "b", url))) as b:
        keys = make_keys(a.app.state.store)  # type: ignore[attr-defined]
        pool_b: CandidatePool = b.app.state.pool  # type: ignore[attr-defined]
        assert pool_b.full_loads == 1

        def full_load() -> None:
            raise AssertionError("a full load, where the change log's deltas should do")

        monkeypatch.setattr(pool_b, "reload", full_load)
        me = seeker_with_credential(a, keys, consent=True)
        assert eventually(lambda: [c["candidate_id"] for c in _search(b, keys)] == [me["id"]])
        h = keys.headers("job_seeker")
        assert a.patch("/v1/me/candidate", json={"consent": False}, headers=h).status_code == 200
        assert eventually(lambda: _search(b, keys) == [])
        assert a.patch("/v1/me/candidate", json={"consent": True}, headers=h).status_code == 200
        assert eventually(lambda: len(_search(b, keys)) == 1)
        held = a.get("/v1/me/candidate", headers=h).json()["credentials"][0]["id"]
        assert a.delete(f"/v1/me/candidate/credentials/{held}", headers=h).status_code == 204
        assert eventually(lambda: _search(b, keys) == [])
        assert pool_b.full_loads == 1 and pool_b.applied >= 4
        assert pool_b.version == a.app.state.store.last_change()  # type: ignore[attr-defined]


def _add_candidate(store: Store, candidate_id: str, skill: str) -> None:
    now = utcnow()
    with store.session() as session:
        session.add(Candidate(id=candidate_id, owner=f"owner-{candidate_id}", consent=True,
                              share_contact=False, created_at=now, updated_at=now,
                              skills=[DeclaredSkill(skill_uri=skill, added_at=now)]))
        store.log_changes(session, [candidate_id])


def test_a_pool_behind_the_logs_retention_loads_everything(engine: Engine,
                                                           tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    store.upgrade()
    pool = CandidatePool(store, engine.taxonomy, engine.link_policy)
    pool.reload()
    _add_candidate(store, "c_one", FORKLIFT)
    assert pool.catch_up() == 1 and pool.full_loads == 1  # a delta
    assert "c_one" in pool.profiles()
    _add_candidate(store, "c_two", DEMENTIA)
    assert store.prune_changes(utcnow() + timedelta(seconds=1)) == 2  # c_two's row is gone
    pool.catch_up()
    assert pool.full_loads == 2 and set(pool.profiles()) == {"c_one", "c_two"}
    _add_candidate(store, "c_three", FORKLIFT)
    assert pool.catch_up() == 1 and pool.full_loads == 2  # deltas again after the reload
    store.dispose()


def test_two_server_processes_see_each_others_writes(server_home: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    secret = admin_key(server_home, url)
    writer = Server(server_home, free_port(), url).start(timeout=120)
    reader = Server(server_home, free_port(), url).start(timeout=120)
    try:
        # A generous timeout: this checks what the other process sees, not how fast; the
        # first credential is mapped while the machine may be busy (httpx's default is 5 s).
        w, r = (httpx.Client(base_url=server.url, timeout=120) for server in (writer, reader))
        keys: dict[str, dict[str, str]] = {}
        for role in ("issuer", "job_seeker", "employer"):
            made = w.post("/v1/keys", json={"role": role, "name": role},
                          headers={"X-API-Key": secret})
            assert made.status_code == 201, made.text
            keys[role] = {"X-API-Key": made.json()["key"]}
        cred = w.post("/v1/credentials", json={"kind": "issued", "document": credential_doc()},
                      headers=keys["issuer"]).json()
        me = w.post("/v1/me/candidate", json={"consent": False},
                    headers=keys["job_seeker"]).json()
        held = w.post("/v1/me/candidate/credentials", json={"claim_code": cred["claim_code"]},
                      headers=keys["job_seeker"]).json()

        def found() -> list[dict[str, Any]]:
            out = r.post("/v1/search", json={"requirement": {"skills": [{"uri": FORKLIFT}],
                                                             "must_have": [FORKLIFT]}},
                         headers=keys["employer"])
            assert out.status_code == 200, out.text
            return [c for c in out.json()["results"] if c["must_haves_met"]]

        def evidence() -> str | None:
            hits = found()
            return hits[0]["matched"][0]["evidence"][0]["strength"] if hits else None

        assert found() == []  # no consent yet
        w.patch("/v1/me/candidate", json={"consent": True}, headers=keys["job_seeker"])
        assert eventually(lambda: [c["candidate_id"] for c in found()] == [me["id"]])
        assert evidence() == "verified"
        w.patch("/v1/me/candidate", json={"consent": False}, headers=keys["job_seeker"])
        assert eventually(lambda: found() == [])
        w.patch("/v1/me/candidate", json={"consent": True}, headers=keys["job_seeker"])
        assert eventually(lambda: len(found()) == 1)
        # The issuer withdraws the credential: the holder keeps it, unverified.
        assert w.delete(f"/v1/credentials/{cred['id']}",
                        headers=keys["issuer"]).status_code == 204
        assert eventually(lambda: evidence() == "unverified")
        # The holder removes it: no longer found for the skill.
        assert w.delete(f"/v1/me/candidate/credentials/{held['id']}",
                        headers=keys["job_seeker"]).status_code == 204
        assert eventually(lambda: found() == [])
        # Each process loaded every candidate once, at start-up; the reader took the rest
        # from the change log as deltas.
        pools = [w.get("/v1/health").json()["candidate_pool"],
                 r.get("/v1/health").json()["candidate_pool"]]
        assert [p["full_loads"] for p in pools] == [1, 1]
        assert pools[1]["applied"] >= 5
        assert pools[0]["change_log_seq"] == pools[1]["change_log_seq"]
        w.close()
        r.close()
    finally:
        writer.stop()
        reader.stop()


def test_a_credential_with_a_verifiers_finding_keeps_its_title_lifts(engine: Engine) -> None:
    """The verifier's finding is put on the evidence after the profile is built; the title
    lifts stay (they were once dropped there)."""
    from api.profiles import profile_of
    from api.store.models import HeldCredential

    doc = credential_doc() | {"learning_outcomes": ["Deltagaren kan köra gaffeltruck"]}
    held = HeldCredential(
        candidate_id="c", credential_id=None, verified=True, document=doc,
        links=[{"outcome_index": 0, "uri": FORKLIFT, "confidence": 0.9, "state": "suggested"}],
        verification={"status": "verified", "reason": "proof, key and status checked"},
        title_names=[{"uri": FORKLIFT_OPERATOR, "closeness": 1.0, "lexical": 1.0}])
    for for_ranking in (False, True):
        profile = profile_of("c", [held], [], engine.taxonomy, engine.link_policy,
                             for_ranking=for_ranking)
        assert profile.skills[FORKLIFT][0].verification == held.verification
        assert profile.titles[FORKLIFT_OPERATOR].title == "Truckkörning A och B"
