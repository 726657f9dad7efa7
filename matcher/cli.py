"""The ``matcher`` command: one subcommand per stage.

Each command parses its arguments, calls the library and prints JSON (or a table). Errors
from the library become one line on stderr and exit status 1. Heavy imports happen inside the
commands, so ``matcher --help`` is instant.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from matcher.errors import MatcherError

logger = logging.getLogger(__name__)

BATCH_LINES = 64


def _print_json(data: Any, *, pretty: bool = False) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2 if pretty else None)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _engine(args: argparse.Namespace) -> Any:
    from matcher.config import Settings
    from matcher.engine import Engine

    engine = Engine(Settings(), show_progress=None)
    args.engine = engine  # main() waits for its background index build before exiting
    return engine


# -- esco --------------------------------------------------------------------------------------
def cmd_esco_import(args: argparse.Namespace) -> int:
    from matcher.config import Settings
    from matcher.esco_csv import read_esco
    from matcher.taxonomy import save_taxonomy

    settings = Settings()
    taxonomy = read_esco(args.paths, version=args.esco_version)
    meta = save_taxonomy(taxonomy, settings.taxonomy_dir)
    _print_json({"imported": meta, "home": str(settings.home)}, pretty=True)
    return 0


def cmd_esco_info(args: argparse.Namespace) -> int:
    from matcher.config import Settings
    from matcher.embedded import IMPORT_HINT, LIMITATIONS
    from matcher.taxonomy import imported_meta, taxonomy_meta

    settings = Settings()
    meta = imported_meta(settings.taxonomy_dir)
    if meta is not None:
        info: dict[str, Any] = {"taxonomy": "imported", **meta}
    else:
        from matcher.embedded import load_embedded

        info = {"taxonomy": "embedded default", **taxonomy_meta(load_embedded()),
                "lacks": list(LIMITATIONS), "to_import": IMPORT_HINT}
    info["home"] = str(settings.home)
    if args.json:
        _print_json(info, pretty=True)
        return 0
    counts = info["counts"]
    lines = [
        f"ESCO {info['version']} ({info['taxonomy']}; {info['source']})",
        f"  languages:       {', '.join(info['languages'])}",
        f"  skill labels:    {_by_lang(info['skill_label_languages'])}",
        f"  occupation labels: {_by_lang(info['occupation_label_languages'])}",
        f"  skills:          {counts['skills']:,}",
        f"  occupations:     {counts['occupations']:,}",
        f"  occupation–skill relations: {counts['occupation_skill_relations']:,} "
        f"({counts['essential_relations']:,} essential, {counts['optional_relations']:,} optional)",
        f"  skill–skill relations: {counts['skill_skill_relations']:,}",
        f"  skill groups:    {counts['skill_groups']:,}",
        f"  content hash:    {info['hash']}",
        f"  data directory:  {info['home']}",
    ]
    for note in info.get("notes", []):
        lines.append(f"  note: {note}")
    if "to_import" in info:
        lines.append(f"  to import the official data: {info['to_import']}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _by_lang(counts: dict[str, int]) -> str:
    return ", ".join(f"{lang} {n:,}" for lang, n in counts.items()) or "none"


def cmd_index_build(args: argparse.Namespace) -> int:
    engine = _engine(args)
    index = engine.build_index(force=args.force)
    _print_json({"path": str(engine.index_path), **index.meta}, pretty=True)
    return 0


# -- map ---------------------------------------------------------------------------------------
def _decode(raw: bytes) -> tuple[str, str | None]:
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        # Swedish text from older Windows tools is usually cp1252; read it rather than fail.
        return raw.decode("cp1252", errors="replace"), (
            "line is not valid UTF-8; it was read as Windows-1252 (cp1252)"
        )


def _input_lines(args: argparse.Namespace) -> Iterator[tuple[str, str | None]]:
    if args.text is not None:
        for text in args.text:
            yield text, None
        return
    if sys.stdin.isatty():
        sys.stderr.write("matcher map: reading outcomes from stdin, one per line "
                         "(Ctrl-D to finish; or use --text)\n")
    for raw in sys.stdin.buffer:
        yield _decode(raw.rstrip(b"\r\n"))


def cmd_map(args: argparse.Namespace) -> int:
    engine = _engine(args)
    batch: list[tuple[str, str | None]] = []

    def flush() -> None:
        mappings = engine.map_outcomes([t for t, _ in batch], top_k=args.top_k, lang=args.lang,
                                       written_in=[args.written_in] * len(batch))
        for (_, warning), mapping in zip(batch, mappings, strict=True):
            out = mapping.to_dict()
            if warning:
                out["warnings"] = [warning, *out.get("warnings", [])]
            _print_json(out)
        batch.clear()

    for item in _input_lines(args):
        batch.append(item)
        if len(batch) >= BATCH_LINES:
            flush()
    if batch:
        flush()
    return 0


def cmd_map_credential(args: argparse.Namespace) -> int:
    from matcher.credentials import load_credential

    credential = load_credential(args.file)
    result = _engine(args).map_credential(credential, top_k=args.top_k, lang=args.lang)
    if args.format == "json":
        _print_json(result.to_dict(), pretty=True)
        return 0
    lines = [f"{credential.title} — {credential.awarding_body.name}"]
    for outcome in result.outcomes:
        lines.append(f"\n• {outcome.text}")
        for link in outcome.skills:
            lines.append(f"    {link.confidence:4.0%}  {link.label}  <{link.uri}>")
            lines.append(f"          {link.reason}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


# -- rank, suggest, ads (issue 3) -------------------------------------------------------------
def _uri_list(value: str) -> list[str]:
    return [u.strip() for u in value.split(",") if u.strip()]


def cmd_rank(args: argparse.Namespace) -> int:
    from matcher.profiles import load_candidates

    engine = _engine(args)
    must = _uri_list(args.must_have or "")
    if args.occupation:
        requirement = engine.requirement_from_occupation(args.occupation, must_have=must)
    elif args.ad_file:
        from matcher.jobs import read_usable_ads

        ad = read_usable_ads(args.ad_file)[0][0]
        requirement = engine.requirement_from_ad(ad.text, title=ad.headline, id=ad.id,
                                                 occupation=ad.occupation, must_have=must)
    else:
        skills = _uri_list(args.skills)
        if not skills:
            raise _invalid("--skills needs at least one ESCO skill URI (comma-separated)")
        requirement = engine.requirement_from_skills(skills, must_have=must)
    candidates = load_candidates(args.candidates)
    result = engine.rank_candidates(requirement, candidates, top_k=args.top_k)
    if args.format == "json":
        _print_json(result.to_dict(engine.taxonomy), pretty=True)
        return 0
    meeting = (f", {result.meeting_must_haves} meet the must-haves"
               if requirement.must_haves else "")  # no must-haves asked: nothing to meet
    lines = [f"{requirement.title} ({requirement.source}, {len(requirement.requirements)} "
             f"skills, {len(requirement.must_haves)} must-have) — "
             f"{result.total_candidates} candidate(s){meeting}"]
    lines += [f"note: {n}" for n in result.notes]
    for c in result.candidates:
        e = c.explanation
        flag = "" if e.must_haves_met else "  [must-haves NOT met]"
        lines.append(f"\n{c.rank}. {c.candidate_id}  score {e.score:.2f} ({_core(e)}){flag}")
        if c.title_points:
            lines.append(f"   ★ ranked higher: the credential {c.title_points!r} is named "
                         "for this occupation")
        lines += [f"   ✓ {m.label}  ({m.rationale})" for m in e.matched]
        lines += [f"   ~ {m.label}  {m.score:.2f}: {m.rationale}" for m in e.partial]
        if e.missing:
            shown = sorted(e.missing, key=lambda m: (not m.must_have, -m.weight))[:10]
            more = f" … and {len(e.missing) - 10} more" if len(e.missing) > 10 else ""
            lines.append("   ✗ missing: " + ", ".join(m.label + (" (must-have)" if m.must_have
                                                              else "") for m in shown) + more)
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def _core(e: Any) -> str:
    """What the score means, beside it: a held merit is listed with ✓ though the score, the
    share of the job's core, can be 0."""
    partly = f", {e.core_partial} in part" if e.core_partial else ""
    return f"{e.core_held} of {e.core_total} core skills held{partly}"


def _invalid(message: str) -> Exception:
    from matcher.errors import InvalidInputError

    return InvalidInputError(message)


def _one_candidate(args: argparse.Namespace) -> Any:
    from matcher.profiles import load_candidates

    candidates = load_candidates(args.candidate)
    if args.id:
        chosen = [c for c in candidates if c.id == args.id]
        if not chosen:
            raise _invalid(f"{args.candidate}: no candidate with id {args.id!r}; ids in the "
                           f"file: {', '.join(c.id for c in candidates)}")
        return chosen[0]
    if len(candidates) > 1:
        raise _invalid(f"{args.candidate} holds {len(candidates)} candidates; choose one with "
                       f"--id ({', '.join(c.id for c in candidates)})")
    return candidates[0]


def cmd_profile(args: argparse.Namespace) -> int:
    engine = _engine(args)
    profile = engine.candidate_profiles([_one_candidate(args)])[0]
    _print_json(profile.to_dict(engine.taxonomy, args.lang), pretty=True)
    return 0


# Why the list is not in the order of the percentages: the two answer different questions.
ORDER_NOTE = ("order: by fit, where skills typical of a job count more than skills many jobs "
              "list, and suggestions resting on fewer than {min_support} of your skills come "
              "last; score: the share of the job's core skills you hold, fully or in part")


def cmd_suggest(args: argparse.Namespace) -> int:
    candidate = _one_candidate(args)
    engine = _engine(args)
    result = engine.suggest(candidate, top_k=args.top_k, interest=args.interest,
                            lang=args.lang)
    if args.format == "json":
        _print_json(result.to_dict(), pretty=True)
        return 0
    lines = [f"Suggestions for {result.candidate_id}"]
    lines += [f"note: {n}" for n in result.notes]
    lines.append(ORDER_NOTE.format(min_support=engine.suggestion_params.min_support))
    for heading, items in (("Occupations (ESCO)", result.occupations),
                           (f"Job ads ({result.ads_source})", result.ads)):
        lines.append(f"\n{heading}")
        for i, s in enumerate(items, start=1):
            where = ", ".join(v for k, v in s.details if k in ("employer", "municipality"))
            lines.append(f"{i}. {s.title}" + (f" — {where}" if where else "")
                         + f"  score {s.score:.2f} ({_core(s.explanation)})")
            if s.why:
                lines.append(f"   {s.why}")
            if s.explanation.matched:
                lines.append("   ✓ " + ", ".join(m.label for m in s.explanation.matched))
            for gap in s.gaps[:args.gaps]:
                courses = "; ".join(
                    f"{c.title} ({c.issuer}"
                    + (f"; teaches {c.job_skills} of the job's skills" if c.job_skills else "")
                    + ")" for c in gap.courses)
                status = "partly" if gap.skill.method != "missing" else "missing"
                lines.append(f"   ✗ {gap.skill.label} ({status})"
                             + (f" → {courses}" if courses else ""))
            if len(s.gaps) > args.gaps:
                lines.append(f"   … {len(s.gaps) - args.gaps} more missing skill(s) in --format "
                             "json")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def cmd_ads_import(args: argparse.Namespace) -> int:
    report = _engine(args).import_ads(args.file)
    _print_json(report.to_dict(), pretty=True)
    for problem in report.problems:
        sys.stderr.write(f"matcher: skipped {problem.where}: {problem.error}\n")
    if not report.imported and not report.replaced:
        sys.stderr.write(f"matcher: error: {args.file}: no ad was imported (each was skipped, "
                         "see above); the stored ads are unchanged\n")
        return 1
    return 0


# -- commands from other packages --------------------------------------------------------------
PLUGIN_GROUP = "meritmatch.cli"
# The web service's commands come from the ``api`` package through the PLUGIN_GROUP entry
# points (pyproject.toml), so that the library never imports the service. They are named here
# only to say how to get them when the service is not installed.
SERVICE_COMMANDS = {
    "serve": "start the web service (API, /docs and the web page)",
    "db": "the service's database",
    "keys": "API keys of the service",
}
SERVICE_INSTALL = "pip install 'meritmatch[service]'"


def _add_plugins(sub: Any) -> None:
    """Let each ``meritmatch.cli`` entry point add its subcommands: a function taking the
    subparsers, which raises ImportError when what it needs is not installed."""
    from importlib.metadata import entry_points

    reasons: list[str] = []
    for entry in entry_points(group=PLUGIN_GROUP):
        try:
            entry.load()(sub)
        except ImportError as exc:
            logger.debug("matcher commands of %s not available: %s", entry.value, exc)
            reasons.append(str(exc))
    for name, help_text in SERVICE_COMMANDS.items():
        if name not in sub.choices:
            # Takes any arguments (main() lets them through), so that `matcher serve --port 80`
            # and `matcher serve --help` too say what to install.
            stub = sub.add_parser(name, help=f"{help_text} (not installed)", add_help=False)
            stub.set_defaults(func=_not_installed(name, "; ".join(reasons)), any_arguments=True)


def _not_installed(name: str, reason: str) -> Any:
    def command(args: argparse.Namespace) -> int:
        why = f" ({reason})" if reason else ""
        raise MatcherError(f"`matcher {name}` belongs to the web service, which is not "
                           f"installed{why}; install it with: {SERVICE_INSTALL}")

    return command


# -- parser ------------------------------------------------------------------------------------
def _top_k(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 1 to 100, not {value!r}"
        ) from None
    if not 1 <= number <= 100:
        raise argparse.ArgumentTypeError(f"must be from 1 to 100, not {number}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="matcher",
        description="Link micro-credentials to ESCO skills and match people to jobs.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    esco = sub.add_parser("esco", help="import and inspect the ESCO taxonomy")
    esco_sub = esco.add_subparsers(dest="esco_command", required=True, metavar="ACTION")
    imp = esco_sub.add_parser("import", help="import ESCO CSV bundles (zip or folder) and "
                              "label files (.tsv: URI, language, label)")
    imp.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    imp.add_argument("--esco-version", help="ESCO version (default: read from the file names)")
    imp.set_defaults(func=cmd_esco_import)
    info = esco_sub.add_parser("info", help="version, languages and counts of the taxonomy")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(func=cmd_esco_info)

    index = sub.add_parser("index", help="the skill index")
    index_sub = index.add_subparsers(dest="index_command", required=True, metavar="ACTION")
    build = index_sub.add_parser("build", help="build (or load) the index for the taxonomy "
                                 "and model")
    build.add_argument("--force", action="store_true", help="rebuild even if a saved one fits")
    build.set_defaults(func=cmd_index_build)

    map_ = sub.add_parser("map", help="map learning outcomes (one per line on stdin) to ESCO "
                          "skills; prints one JSON object per line")
    map_.add_argument("--text", action="append", help="an outcome (repeatable) instead of stdin")
    map_.add_argument("--top-k", type=_top_k, default=10, metavar="N")
    map_.add_argument("--lang", choices=("auto", "sv", "en"), default="auto",
                      help="language of labels and reasons (default: detected per line)")
    map_.add_argument("--written-in", choices=("sv", "en"), default=None,
                      help="the language the outcomes are written in (default: detected per "
                      "line; one word such as 'solceller' reads as English)")
    map_.set_defaults(func=cmd_map)

    cred = sub.add_parser("map-credential", help="map all learning outcomes of a credential "
                          "JSON file")
    cred.add_argument("file", type=Path, metavar="FILE")
    cred.add_argument("--top-k", type=_top_k, default=5, metavar="N")
    cred.add_argument("--lang", choices=("auto", "sv", "en"), default="auto")
    cred.add_argument("--format", choices=("json", "table"), default="json")
    cred.set_defaults(func=cmd_map_credential)

    rank = sub.add_parser("rank", help="rank candidates against an occupation, a job ad or a "
                          "list of skills, with an explanation per candidate")
    source = rank.add_mutually_exclusive_group(required=True)
    source.add_argument("--occupation", metavar="URI", help="ESCO occupation URI")
    source.add_argument("--ad-file", type=Path, metavar="FILE",
                        help="a job ad (JobSearch JSON; the first ad of the file is used)")
    source.add_argument("--skills", metavar="URI,...", help="comma-separated ESCO skill URIs")
    rank.add_argument("--candidates", type=Path, required=True, metavar="FILE",
                      help="candidates file (JSON list of {id, credentials, self_declared})")
    rank.add_argument("--must-have", metavar="URI,...", help="skills every candidate must hold")
    rank.add_argument("--top-k", type=_top_k, default=10, metavar="N")
    rank.add_argument("--format", choices=("json", "table"), default="json")
    rank.set_defaults(func=cmd_rank)

    profile = sub.add_parser("profile", help="a candidate's skill profile: every skill with "
                             "the evidence behind it")
    profile.add_argument("--candidate", type=Path, required=True, metavar="FILE",
                         help="candidates file (one candidate, or choose with --id)")
    profile.add_argument("--id", help="which candidate of the file")
    profile.add_argument("--lang", choices=("sv", "en"), default="en",
                         help="language of the skill labels")
    profile.set_defaults(func=cmd_profile)

    suggest = sub.add_parser("suggest", help="occupations and job ads for a candidate, with "
                             "missing skills and the credentials that close them")
    suggest.add_argument("--candidate", type=Path, required=True, metavar="FILE",
                         help="candidates file (one candidate, or choose with --id)")
    suggest.add_argument("--id", help="which candidate of the file")
    suggest.add_argument("--interest", metavar="TEXT",
                         help="what the person wants to move towards, e.g. 'äldreomsorg'")
    suggest.add_argument("--top-k", type=_top_k, default=5, metavar="N")
    suggest.add_argument("--gaps", type=_top_k, default=5, metavar="N",
                         help="missing skills shown per suggestion in the table (default 5)")
    suggest.add_argument("--format", choices=("json", "table"), default="json")
    suggest.add_argument("--lang", choices=("sv", "en"), default="en",
                         help="language of labels and notes")
    suggest.set_defaults(func=cmd_suggest)

    ads = sub.add_parser("ads", help="job ads")
    ads_sub = ads.add_subparsers(dest="ads_command", required=True, metavar="ACTION")
    ads_import = ads_sub.add_parser("import", help="import job ads (JobSearch JSON list or JSON "
                                    "lines) and derive their requirement profiles")
    ads_import.add_argument("file", type=Path, metavar="FILE")
    ads_import.set_defaults(func=cmd_ads_import)

    from matcher.cli_credentials import register as add_credentials

    add_credentials(sub)
    _add_plugins(sub)
    return parser


def _configure_logging(verbose: bool) -> None:
    """Warnings to stderr (everything with ``-v``). Building the skill index shows a progress
    bar on a terminal; otherwise (output piped, CI, a service log) its progress and which
    index stage is in use are logged instead, every few seconds with done/total and ETA."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not verbose and not sys.stderr.isatty():
        for name in ("matcher.index", "matcher.index_stages", "matcher.progress"):
            logging.getLogger(name).setLevel(logging.INFO)


def _finish_index_build(args: argparse.Namespace) -> None:
    """The answer came from a first-stage index: finish the full one before exiting."""
    engine = getattr(args, "engine", None)
    if engine is None or engine.index_building is None:
        return
    build = engine.index_building
    sys.stdout.flush()  # the answer first, also when stdout is a pipe (block-buffered)
    eta = build.progress.eta()
    left = f"about {max(1, round(eta / 60))} min left" if eta is not None else "starting"
    first = engine.index.meta
    sys.stderr.write(
        "matcher: this answer used the first-stage skill index "
        f"({first.get('variants', 0):,} of {first.get('full_variants', 0):,} label variants, no "
        f"descriptions); completing the full index now ({left}; Ctrl-C stops it, and a later "
        "run builds it again)\n")
    sys.stderr.flush()
    index = engine.wait_for_index()
    if index.stage == "full":
        sys.stderr.write(f"matcher: the full skill index is saved in {engine.index_path}; "
                         "later runs use it\n")
    else:
        sys.stderr.write("matcher: the full skill index could not be built (see the warning "
                         "above); the first stage stays in use\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown and not getattr(args, "any_arguments", False):
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    _configure_logging(args.verbose)
    try:
        code: int = args.func(args)
        if code == 0:
            _finish_index_build(args)
        return code
    except MatcherError as exc:
        sys.stderr.write(f"matcher: error: {exc.message}\n")
        return 1
    except KeyboardInterrupt:
        engine = getattr(args, "engine", None)
        if engine is not None and engine.index_building is not None:
            sys.stderr.write("matcher: interrupted; the full skill index was not finished "
                             "(nothing of it was saved; a later run builds it again)\n")
        else:
            sys.stderr.write("matcher: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except MemoryError:
        sys.stderr.write("matcher: error: out of memory; map fewer or shorter texts at once\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())



