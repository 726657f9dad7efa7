"""Verification time per credential: signed OB 3.0 badges and EDCs of the demo credentials.

    python benchmarks/vc_verify.py     # writes benchmarks/results/vc_verify.json

Each demo credential is signed (eddsa-rdfc-2022) as an OB 3.0 badge and as an EDC, with one
confirmed ESCO link per outcome and a status list entry, then verified ROUNDS times warm (the
contexts and the schema loaded once, as in a running service). Reported per format: the whole
verification (every check, the status list's own proof included) and its parts: RDF
canonicalisation (two documents per proof: the credential and the proof options), the JSON
Schema, and the Ed25519 signature check alone, which is what a VC-JOSE proof would cost on top
of parsing. Also the signing time, and 1EdTech's selective-disclosure sample (an
``ecdsa-sd-2023`` derived proof, read from ../shared) verified the same number of times.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SHARED, write_results  # noqa: E402

from matcher.credentials import load_credential  # noqa: E402
from matcher.evidence import TextLink  # noqa: E402
from matcher.vc import IssuerKey, StatusList, Verifier, export_credential, status_entry  # noqa: E402
from matcher.vc.jsonld import canonicalize  # noqa: E402
from matcher.vc.probes import schema_errors  # noqa: E402
from matcher.vc.proof import sign  # noqa: E402

ROUNDS = 20
DEMO = Path(__file__).resolve().parents[1] / "matcher" / "demo_data" / "credentials"
LIST_URL = "https://meritmatch.example/v1/status-lists/1"
MESSAGE = b"m" * 64  # the hash data an eddsa-rdfc-2022 proof signs: two SHA-256 digests
SIGNATURE = b""


def stats(samples: list[float]) -> dict[str, float]:
    ms = np.array(samples) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p95_ms": round(float(np.percentile(ms, 95)), 2),
            "mean_ms": round(float(ms.mean()), 2)}


def timing(fn, *args) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def main() -> None:
    key = IssuerKey.generate()
    global SIGNATURE
    SIGNATURE = key.sign(MESSAGE)
    listing = sign(StatusList.new().credential(LIST_URL, key.did, "2025-01-01T00:00:00Z"), key)
    verifier = Verifier(trusted_issuers={key.did: ""}, status_lists={LIST_URL: listing})
    credentials = [load_credential(p) for p in sorted(DEMO.glob("*.json"))]
    out: dict[str, object] = {"credentials": len(credentials), "rounds": ROUNDS,
                              "load_average": [round(x, 2) for x in os.getloadavg()]}
    for fmt in ("ob3", "elm"):
        signing, docs = [], []
        for number, credential in enumerate(credentials):
            links = [TextLink(i, f"http://data.europa.eu/esco/skill/demo-{i}", 1.0, "confirmed")
                     for i in range(len(credential.learning_outcomes))]
            started = time.perf_counter()
            docs.append(export_credential(credential, key, fmt=fmt, links=links,
                                          credential_status=status_entry(LIST_URL, number)))
            signing.append(time.perf_counter() - started)
        for doc in docs:  # warm-up
            assert verifier.verify(doc).verdict == "valid"
        whole, c14n, schema, signature = [], [], [], []
        for _ in range(ROUNDS):
            for doc in docs:
                whole.append(timing(verifier.verify, doc))
                unsecured = {k: v for k, v in doc.items() if k != "proof"}
                c14n.append(timing(canonicalize, unsecured))
                if fmt == "ob3":
                    schema.append(timing(schema_errors, doc))
                signature.append(timing(key.public.verify, SIGNATURE, MESSAGE))
        out[fmt] = {"verify": stats(whole), "sign": stats(signing),
                    "canonicalise_credential": stats(c14n),
                    **({"json_schema": stats(schema)} if schema else {}),
                    "ed25519_verify_only": stats(signature)}
        print(fmt, out[fmt])
    derived = SHARED / "standards" / "ob3" / "samples" / "sd" / "derivedcredential.json"
    if derived.exists():
        text = derived.read_text(encoding="utf-8")
        plain = Verifier()
        assert plain.verify(text).verdict == "valid"
        out["ecdsa_sd_2023_derived_sample"] = {
            "verify": stats([timing(plain.verify, text)
                             for _ in range(ROUNDS * len(credentials))])}
        print("ecdsa-sd-2023", out["ecdsa_sd_2023_derived_sample"])
    write_results("vc_verify", out)


if __name__ == "__main__":
    main()
