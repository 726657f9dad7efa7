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

BATCH_LINES = 64


def _print_json(data: Any, *, pretty: bool = False) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2 if pretty else None)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _engine(args: argparse.Namespace) -> Any:
    from matcher.config import Settings
    from matcher.engine import Engine

    return Engine(Settings(), show_progress=None)


# -- esco --------------------------------------------------------------------------------------
def cmd_esco_import(args: argparse.Namespace) -> int:
    from matcher.config import Settings
    from matcher.taxonomy import read_esco, save_taxonomy

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
        mappings = engine.map_outcomes([t for t, _ in batch], top_k=args.top_k, lang=args.lang)
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
    map_.set_defaults(func=cmd_map)

    cred = sub.add_parser("map-credential", help="map all learning outcomes of a credential "
                          "JSON file")
    cred.add_argument("file", type=Path, metavar="FILE")
    cred.add_argument("--top-k", type=_top_k, default=5, metavar="N")
    cred.add_argument("--lang", choices=("auto", "sv", "en"), default="auto")
    cred.add_argument("--format", choices=("json", "table"), default="json")
    cred.set_defaults(func=cmd_map_credential)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        code: int = args.func(args)
        return code
    except MatcherError as exc:
        sys.stderr.write(f"matcher: error: {exc.message}\n")
        return 1
    except KeyboardInterrupt:
        sys.stderr.write("matcher: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    except MemoryError:
        sys.stderr.write("matcher: error: out of memory; map fewer or shorter texts at once\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())



