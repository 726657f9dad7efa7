"""Speed on this machine: index build and load, mapping latency vs the bare encode time.

    python benchmarks/speed.py            # writes benchmarks/results/speed.json
    python benchmarks/speed.py --rebuild  # also times a fresh index build (minutes)

Latency is per outcome, mapped one at a time, warm (engine and index loaded, 10 warm-up calls).
Two reference times, both one outcome at a time:
- bare encode: the same model encoding the outcome text alone. The ratio says what mapping
  costs over one model call: most of it is encoding other texts than the outcome (an English
  outcome whole and clause by clause; a Swedish one through its English gloss, shorter than
  the outcome once the formula is gone), the rest search, fusion and reasons. Reported for the
  whole set and for each language;
- segment encode: the model encoding exactly the texts the mapper embeds for that outcome. The
  ratio is the mapper's own overhead beyond the model.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import official_engine, outcome_set, timed, write_results  # noqa: E402

from matcher.index import SkillIndex  # noqa: E402

ROUNDS = 3


def percentiles(samples: list[float]) -> dict[str, float]:
    ms = np.array(samples) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 2),
            "p95_ms": round(float(np.percentile(ms, 95)), 2),
            "mean_ms": round(float(ms.mean()), 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="time a fresh index build")
    args = parser.parse_args()
    engine = official_engine(show_progress=True)
    build = None
    if args.rebuild:
        _, build = timed(engine.build_index, force=True)
    index = engine.index
    loads = [timed(SkillIndex.load, engine.index_path, taxonomy_hash=engine.taxonomy.content_hash,
                   model_id=engine.embedder.model_id)[1] for _ in range(3)]
    rows = outcome_set()
    texts = [row["text"] for row in rows]
    for text in texts[:10]:
        engine.map_outcomes([text])
    # Each outcome is timed ROUNDS times in turn (map, bare encode, segment encode) and its
    # median kept, so a burst of load from elsewhere on the machine does not pick the winner.
    # The order of the three calls rotates from round to round: a call right after a search
    # once paid for faiss's idle threads (see SkillIndex.search), which flattered the ratio.
    map_times, encode_times, segment_times = [], [], []
    count = getattr(engine.embedder, "token_count", None)
    tokens: list[tuple[int, int]] = []  # (the outcome's tokens, the tokens the mapper encodes)
    for text in texts:
        segments, _ = engine.mapper.segment(text)
        seg_texts = [s.text for s in segments]
        if count is not None:
            tokens.append((count(text), sum(count(t) for t in seg_texts)))
        rounds: list[list[float]] = [[], [], []]
        for round_ in range(ROUNDS):
            calls = (lambda t=text: engine.map_outcomes([t], top_k=10),
                     lambda t=text: engine.embedder.embed_queries([t]),
                     lambda s=seg_texts: engine.embedder.embed_queries(s))
            for slot in [(i + round_) % len(calls) for i in range(len(calls))]:
                started = time.perf_counter()
                calls[slot]()
                rounds[slot].append(time.perf_counter() - started)
        map_times.append(float(np.median(rounds[0])))
        encode_times.append(float(np.median(rounds[1])))
        segment_times.append(float(np.median(rounds[2])))
    mapping, encode = percentiles(map_times), percentiles(encode_times)
    segments_encode = percentiles(segment_times)
    result = {
        "model": engine.embedder.model_id,
        "variants": index.meta["variants"],
        "faiss": index.meta["faiss"],
        "index_build_seconds": round(build, 1) if build else index.meta["build_seconds"],
        "index_build_measured_now": bool(build),
        "index_load_seconds": round(min(loads), 2),
        "outcomes": len(texts),
        "map_latency": mapping,
        "bare_encode": encode,
        "segment_encode": segments_encode,
        "ratio_p50": round(mapping["p50_ms"] / encode["p50_ms"], 2),
        "ratio_mean": round(mapping["mean_ms"] / encode["mean_ms"], 2),
        "overhead_ratio_p50": round(mapping["p50_ms"] / segments_encode["p50_ms"], 2),
        "overhead_ratio_mean": round(mapping["mean_ms"] / segments_encode["mean_ms"], 2),
    }
    if tokens:
        # The model's cost follows the tokens it reads: how many more the mapper reads than
        # the outcome alone (compare with ratio_p50).
        own, encoded = np.array(tokens, dtype=float).T
        result["tokens_ratio_p50"] = round(float(np.median(encoded / own)), 2)
        result["tokens_ratio_mean"] = round(float(np.mean(encoded / own)), 2)
    # Swedish and English are looked up differently (MappingParams.plan, .swedish_plan), so
    # each language has its own ratio; the figures above mix them as the outcome set does.
    by_language = {}
    for lang in sorted({row["lang"] for row in rows}):
        picked = [i for i, row in enumerate(rows) if row["lang"] == lang]
        lang_map = percentiles([map_times[i] for i in picked])
        lang_encode = percentiles([encode_times[i] for i in picked])
        by_language[lang] = {
            "outcomes": len(picked), "map_latency": lang_map, "bare_encode": lang_encode,
            "ratio_p50": round(lang_map["p50_ms"] / lang_encode["p50_ms"], 2),
            "ratio_mean": round(lang_map["mean_ms"] / lang_encode["mean_ms"], 2),
        }
        if tokens:
            by_language[lang]["tokens_ratio_p50"] = round(
                float(np.median((encoded / own)[picked])), 2)
    result["by_language"] = by_language
    for key, value in result.items():
        print(f"{key:>26}: {value}")
    write_results("speed", result)


if __name__ == "__main__":
    main()
