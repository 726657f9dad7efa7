"""One path from credential to profile: the demo personas' credentials give the same profile,
the same suggestions and the same ranking through the Python API, the CLI and the service.

The personas' credentials are matcher/demo_data (Swedish and English). Here they run on the
tiny taxonomy with the lexical embedder, so the test is fast; what it checks is that every
entry point takes the same path (matcher/evidence.py), not how good the links are. A
credential the candidates file marks verified is issued through the service by an issuer and
claimed by its holder with the claim code; the others are uploaded by the job seeker.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import ServiceSettings
from matcher import Engine, Settings
from tests.conftest import run
from tests.fixtures.esco_mini import OCC, SKILL

DEMO = Path(__file__).resolve().parents[2] / "matcher" / "demo_data"
PERSONAS = ("amina", "eli", "jacob", "saman")
# The demo file's self-declared skills are real ESCO URIs the tiny taxonomy lacks; each
# persona declares one of its skills instead.
DECLARED = {"amina": SKILL + "infosec", "eli": SKILL + "solar", "jacob": SKILL + "booking",
            "saman": SKILL + "drawings"}


def _profile_key(skills: list[dict[str, Any]]) -> dict[str, Any]:
    """What must agree: each skill's weight and, per piece of evidence, its source and weight."""
    return {s["uri"]: (round(s["weight"], 3), sorted(
        (e["strength"], e.get("credential_id"), e.get("outcome"), round(e["weight"], 3))
        for e in s["evidence"])) for s in skills}


def _suggestion_key(result: dict[str, Any]) -> dict[str, list[tuple[str, float]]]:
    return {kind: [(s["id"], round(s["score"], 4)) for s in result[kind]]
            for kind in ("occupations", "ads")}


@pytest.fixture()
def service(imported: Path, tmp_path: Path) -> TestClient:
    engine = Engine(Settings(), show_progress=False)
    settings = ServiceSettings(home=imported, model="hashing",
                               database_url=f"sqlite:///{tmp_path / 'parity.db'}")
    return TestClient(create_app(engine=engine, settings=settings),
                      raise_server_exceptions=False)


def _enrol(client: TestClient, persona: dict[str, Any]) -> dict[str, str]:
    """A job seeker holding the persona's credentials in the service; returns their headers."""
    store = client.app.state.store  # type: ignore[attr-defined]
    name = persona["id"].rsplit(":", 1)[1]
    _, issuer = store.create_key("issuer", "parity issuer", owner=f"issuer-{name}")
    _, seeker = store.create_key("job_seeker", "parity seeker", owner=f"seeker-{name}")
    as_issuer = {"Authorization": f"Bearer {issuer}"}
    as_seeker = {"Authorization": f"Bearer {seeker}"}
    r = client.post("/v1/me/candidate", json={"consent": True}, headers=as_seeker)
    assert r.status_code == 201, r.text
    for uri in persona["self_declared"]:
        r = client.post("/v1/me/candidate/skills", json={"uri": uri}, headers=as_seeker)
        assert r.status_code == 201, r.text
    for ref in persona["credentials"]:
        document = json.loads((DEMO / ref["path"]).read_text(encoding="utf-8"))
        if ref["verified"]:
            r = client.post("/v1/credentials", json={"kind": "issued", "document": document},
                            headers=as_issuer)
            assert r.status_code == 201, r.text
            body: dict[str, Any] = {"claim_code": r.json()["claim_code"]}
        else:
            body = {"credential": document}
        r = client.post("/v1/me/candidate/credentials", json=body, headers=as_seeker)
        assert r.status_code == 201, r.text
    return as_seeker


def test_personas_get_the_same_profile_suggestions_and_ranking_everywhere(
        service: TestClient, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    personas = {p["id"].rsplit(":", 1)[1]: p
                for p in json.loads((DEMO / "candidates.json").read_text(encoding="utf-8"))}
    for name, persona in personas.items():
        persona["self_declared"] = [DECLARED[name]]
        for ref in persona["credentials"]:
            ref["path"] = str(DEMO / ref["path"])
    candidates_file = tmp_path / "candidates.json"
    candidates_file.write_text(json.dumps(list(personas.values())), encoding="utf-8")
    engine = Engine(Settings(), show_progress=False)
    library = {p.id.rsplit(":", 1)[1]: p for p in engine.load_candidates(candidates_file)}
    service_ids: dict[str, str] = {}
    with service as client:
        for name in PERSONAS:
            headers = _enrol(client, personas[name])
            # the service
            mine = client.get("/v1/me/candidate", params={"lang": "en"}, headers=headers)
            assert mine.status_code == 200, mine.text
            service_ids[mine.json()["id"]] = name
            from_service = _profile_key(mine.json()["skills"])
            suggested = client.get("/v1/me/suggestions", params={"lang": "en", "top_k": 5},
                                   headers=headers)
            assert suggested.status_code == 200, suggested.text
            # the Python API
            from_library = _profile_key(library[name].to_dict(engine.taxonomy, "en")["skills"])
            library_suggestions = engine.suggest(library[name], top_k=5, lang="en").to_dict()
            # the CLI
            code, out, err = run(capsys, "profile", "--candidate", str(candidates_file),
                                 "--id", personas[name]["id"])
            assert code == 0, err
            from_cli = _profile_key(json.loads(out)["skills"])
            code, out, err = run(capsys, "suggest", "--candidate", str(candidates_file),
                                 "--id", personas[name]["id"], "--top-k", "5")
            assert code == 0, err

            assert from_library, f"{name}: the library built an empty profile"
            assert from_service == from_library == from_cli, name
            assert (_suggestion_key(suggested.json()) == _suggestion_key(library_suggestions)
                    == _suggestion_key(json.loads(out))), name

        # An employer's search ranks the four the same way as the library does, lifted by
        # the same credential titles.
        employer = client.app.state.store.create_key(  # type: ignore[attr-defined]
            "employer", "parity employer", owner="employer-parity")[1]
        occupation = OCC + "care-assistant"
        r = client.post("/v1/search", json={"requirement": {"occupation": occupation},
                                            "top_k": 4, "lang": "en"},
                        headers={"Authorization": f"Bearer {employer}"})
        assert r.status_code == 200, r.text
        from_service_ranking = [(service_ids[c["candidate_id"]], round(c["score"], 4),
                                 c.get("title_points")) for c in r.json()["results"]]
    ranking = engine.rank_candidates(engine.requirement_from_occupation(occupation),
                                     [library[n] for n in PERSONAS], top_k=4)
    from_library_ranking = [(c.candidate_id.rsplit(":", 1)[1], round(c.score, 4),
                             c.title_points) for c in ranking.candidates]
    assert from_service_ranking == from_library_ranking
