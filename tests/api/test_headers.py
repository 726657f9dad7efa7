"""Security headers, the self-hosted API documentation and the body timeout (issue 13, row 9).
The browser check that /docs renders offline is in tests/api/test_browser.py."""

from __future__ import annotations

import socket
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from matcher import Engine
from tests.api.conftest import Keys, LiveServer, api_settings


def test_security_headers_on_every_answer(client: TestClient, keys: Keys) -> None:
    answers = {
        "page": client.get("/"),
        "static": client.get("/static/app.js"),
        "docs": client.get("/docs"),
        "health": client.get("/v1/health"),
        "personal": client.get("/v1/me", headers=keys.headers("job_seeker")),
        "401": client.get("/v1/me"),
        "404": client.get("/v1/nothing"),
        "413": client.post("/v1/map", content=b"x" * 300_000, headers=keys.headers("issuer")),
        "422 (middleware)": client.get("/v1/taxonomy/skills?q=%00",
                                       headers=keys.headers("issuer")),
    }
    for name, r in answers.items():
        h = r.headers
        assert h["x-content-type-options"] == "nosniff", name
        assert h["x-frame-options"] == "DENY", name
        assert h["referrer-policy"] == "no-referrer", name
        assert "default-src 'self'" in h["content-security-policy"], name
        assert "frame-ancestors 'none'" in h["content-security-policy"], name
        if name not in ("page", "static", "docs"):
            assert h["cache-control"] == "no-store", name


def test_docs_are_served_from_the_package(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "http://" not in page and "https://" not in page  # nothing from another host
    for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css",
                  "/static/docs-init.js"):
        assert asset in page
        assert client.get(asset).status_code == 200, asset


def test_a_stalled_upload_gets_408(engine: Engine, tmp_path: Path) -> None:
    settings = api_settings(engine, tmp_path / "svc").model_copy(update={"body_timeout": 1.0})
    with LiveServer(create_app(engine=engine, settings=settings)) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=20) as sock:
            sock.sendall(b"POST /v1/map HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                         b"\r\nContent-Length: 100\r\n\r\n{\"texts\": [")  # and then nothing
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
