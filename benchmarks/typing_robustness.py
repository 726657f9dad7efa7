"""Typing robustness: the Swedish outcomes as people type them (issue 14, part 4).

    python benchmarks/typing_robustness.py                 # dev split (tuning)
    python benchmarks/typing_robustness.py --split test    # test split: report once
    python benchmarks/typing_robustness.py --split test --name before  # label the output

Each Swedish outcome of ``--split`` (benchmarks/data/outcomes_<split>.jsonl) is mapped four
ways, against the full ESCO index with the real model (as benchmarks/mapping_quality.py):

- ``clean``: as written;
- ``no_aao``: without å, ä and ö (å→a, ä→a, ö→o; capitals alike), as on a keyboard without them;
- ``typos``: one adjacent-letter swap in each word of seven letters or more (two different
  letters are swapped, so every such word changes), with a fixed seed per outcome;
- ``both``: the two together (the swap is made after the letters are replaced).

The perturbation depends only on the outcome's id and ``--seed``, never on the order of the
rows. Writes ``benchmarks/results/typing_robustness_<split>[_<name>].json``.
To measure the code before a change, run this script with that code first on the path:
``PYTHONPATH=/path/to/old/checkout python benchmarks/typing_robustness.py --name before``
(the script and its perturbation are this file's; the mapping is the old code's).
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import official_engine, outcome_set, score_set, write_results  # noqa: E402

import matcher  # noqa: E402

_STRIP = str.maketrans("åäöÅÄÖ", "aaoAAO")
_WORD = re.compile(r"[^\W\d_]+")
MIN_SWAP_LETTERS = 7
CONDITIONS = ("clean", "no_aao", "typos", "both")


def strip_aao(text: str) -> str:
    """``text`` without å, ä and ö (å→a, ä→a, ö→o)."""
    return text.translate(_STRIP)


def swap_letters(text: str, rng: random.Random) -> str:
    """One adjacent-letter swap in each word of at least :data:`MIN_SWAP_LETTERS` letters."""

    def swap(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < MIN_SWAP_LETTERS:
            return word
        places = [i for i in range(len(word) - 1) if word[i].lower() != word[i + 1].lower()]
        if not places:
            return word
        i = rng.choice(places)
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]

    return _WORD.sub(swap, text)


def perturb(text: str, condition: str, key: str, seed: int) -> str:
    if condition in ("no_aao", "both"):
        text = strip_aao(text)
    if condition in ("typos", "both"):
        text = swap_letters(text, random.Random(f"{seed}:{key}"))
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--name", default="", help="suffix of the results file")
    parser.add_argument("--show", type=int, default=0,
                        help="print this many perturbed outcomes per condition")
    args = parser.parse_args()
    rows = [r for r in outcome_set(args.split) if r["lang"] == "sv"]
    engine = official_engine()
    code = Path(matcher.__file__).resolve().parent
    commit = subprocess.run(["git", "-C", str(code), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(code), "status", "--porcelain", "matcher"],
                           capture_output=True, text=True).stdout.strip()
    print(f"matcher from {code} at {commit}{' (modified)' if dirty else ''}; "
          f"{len(rows)} Swedish {args.split} outcomes")
    results: dict[str, dict[str, float]] = {}
    print(f"{'condition':<10}{'n':>5}{'hit@1':>7}{'hit@5':>7}{'MRR':>7}{'RP@5':>7}")
    for condition in CONDITIONS:
        data = [{**r, "text": perturb(r["text"], condition, r["id"], args.seed)} for r in rows]
        for r in data[: args.show]:
            print("   ", r["text"])
        metrics = score_set(engine, data, top_k=10)
        results[condition] = metrics
        print(f"{condition:<10}{metrics['n']:>5}{metrics['hit@1']:>7}{metrics['hit@5']:>7}"
              f"{metrics['MRR']:>7}{metrics['RP@5']:>7}", flush=True)
    clean = results["clean"]["hit@5"]
    drops = {c: round(clean - results[c]["hit@5"], 1) for c in CONDITIONS[1:]}
    print("hit@5 below clean:", drops)
    name = f"typing_robustness_{args.split}" + (f"_{args.name}" if args.name else "")
    write_results(name, {
        "split": args.split,
        "lang": "sv",
        "seed": args.seed,
        "matcher": str(code),
        "commit": commit + ("+modified" if dirty else ""),
        "model": engine.embedder.model_id,
        "taxonomy": engine.taxonomy.version,
        "perturbation": "no_aao: å→a, ä→a, ö→o; typos: one adjacent-letter swap per word "
                        f"of ≥{MIN_SWAP_LETTERS} letters (random.Random(f'{{seed}}:{{id}}'))",
        "conditions": results,
        "hit@5_below_clean": drops,
    })


if __name__ == "__main__":
    main()
