"""The service's commands of ``matcher``: ``serve``, ``db upgrade|title-names``,
``keys create|list|revoke``.

They plug into the ``matcher`` command through the ``meritmatch.cli`` entry-point group
(``pyproject.toml``): :func:`register` adds their subparsers, so the library's CLI never
imports this package. When the service's dependencies are not installed, :func:`register`
raises ImportError without adding anything, and ``matcher`` says how to install them.

As in :mod:`matcher.cli`, each command parses, calls the service's code and prints JSON;
errors are :class:`matcher.errors.MatcherError` (one line, exit 1). This module imports
nothing heavy at import time, so ``matcher --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from typing import Any

from matcher.errors import InvalidInputError, MatcherError

# Imported by the commands below; checked (not imported) when the parser is built.
REQUIRES = ("fastapi", "uvicorn", "sqlalchemy", "alembic")


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def _settings() -> Any:
    from pydantic import ValidationError

    from api.settings import ServiceSettings

    try:
        return ServiceSettings()
    except ValidationError as exc:
        error = exc.errors()[0]
        name = "MATCHER_" + "_".join(str(part) for part in error["loc"]).upper()
        raise InvalidInputError(f"{name}: {error['msg']}") from None


def _store() -> Any:
    """The service's store (MATCHER_DATABASE_URL, else SQLite under MATCHER_HOME), migrated."""
    from sqlalchemy.exc import SQLAlchemyError

    from api.store import Store

    store = Store(_settings().store_url)
    try:
        store.upgrade()
    except SQLAlchemyError as exc:
        raise MatcherError(f"cannot open the database {store!r}: {exc.__class__.__name__}: "
                           f"{str(exc).splitlines()[0]}") from None
    return store


def cmd_serve(args: argparse.Namespace) -> int:
    from api.server import serve

    if args.workers < 1:
        raise InvalidInputError(f"--workers must be at least 1, not {args.workers}")
    _store().dispose()  # a database that cannot be opened fails here, with a clear message
    log_level = "info" if args.verbose else "warning"
    return serve(host=args.host, port=args.port, workers=args.workers, log_level=log_level,
                 access_log=args.verbose)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    store = _store()
    _print_json({"database": repr(store), "revision": store.current_revision()})
    return 0


def cmd_db_title_names(args: argparse.Namespace) -> int:
    """Work out the title names of held credentials stored without them (added before
    migration 0005), so their titles lift their holders as a credential added today does.
    One encode per distinct title; each batch is one transaction that also logs the
    holders' changes, so running servers pick them up. Safe to stop and run again."""
    from sqlalchemy import select

    from api.profiles import title_names_json
    from api.store.models import HeldCredential
    from matcher import Engine

    store = _store()
    engine = Engine(_settings(), show_progress=False)
    names: dict[str, list[dict[str, Any]]] = {}
    filled = candidates = 0
    while True:
        with store.session() as session:
            rows = list(session.scalars(select(HeldCredential)
                                        .where(HeldCredential.title_names.is_(None))
                                        .order_by(HeldCredential.id).limit(args.batch)))
            if not rows:
                break
            for row in rows:
                title = str(row.document.get("title", ""))
                if title not in names:
                    names[title] = title_names_json(engine, title)
                row.title_names = names[title]
            holders = {row.candidate_id for row in rows}
            store.log_changes(session, holders)
            filled, candidates = filled + len(rows), candidates + len(holders)
    _print_json({"credentials": filled, "titles": len(names), "candidates": candidates})
    return 0


def cmd_keys_create(args: argparse.Namespace) -> int:
    row, secret = _store().create_key(args.role, args.name, args.owner)
    _print_json({"id": row.id, "role": row.role, "owner": row.owner, "name": row.name,
                 "key": secret})
    sys.stderr.write("matcher: the key is shown only now; keep it safe\n")
    return 0


def cmd_keys_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from api.store.models import ApiKey

    store = _store()
    with store.new_session() as session:
        rows = session.scalars(select(ApiKey).order_by(ApiKey.id))
        _print_json([{"id": k.id, "role": k.role, "owner": k.owner, "name": k.name,
                      "prefix": k.prefix, "revoked": k.revoked_at is not None} for k in rows])
    return 0


def cmd_keys_revoke(args: argparse.Namespace) -> int:
    from api.store.models import ApiKey, utcnow

    with _store().session() as session:
        row = session.get(ApiKey, args.id)
        if row is None:
            raise MatcherError(f"no API key with id {args.id}; `matcher keys list` shows them")
        row.revoked_at = row.revoked_at or utcnow()
    _print_json({"revoked": args.id})
    return 0


def register(sub: Any) -> None:
    """Add ``serve``, ``db`` and ``keys`` to the subcommands of ``matcher``.

    Args:
        sub: the ``matcher`` parser's subparsers (``ArgumentParser.add_subparsers()``).

    Raises:
        ImportError: a dependency of the service is not installed (nothing is added).
    """
    missing = [name for name in REQUIRES if importlib.util.find_spec(name) is None]
    if missing:
        raise ImportError(f"missing {', '.join(missing)}")

    serve = sub.add_parser("serve", help="start the web service (API, /docs and the web page)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on "
                       "(default 127.0.0.1; 0.0.0.0 for every interface)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1, help="server processes (default 1; "
                       "each loads the engine: about 1 GB with the full ESCO index)")
    serve.set_defaults(func=cmd_serve)

    db = sub.add_parser("db", help="the service's database")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("upgrade", help="create or migrate the tables (also done at start-up)"
                      ).set_defaults(func=cmd_db_upgrade)
    names = db_sub.add_parser(
        "title-names", help="work out the title names of credentials added before migration "
        "0005 (their titles then lift their holders in occupation searches)")
    names.add_argument("--batch", type=int, default=500, help="credentials per transaction")
    names.set_defaults(func=cmd_db_title_names)

    keys = sub.add_parser("keys", help="API keys of the service")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = keys_sub.add_parser("create", help="create a key (printed once)")
    create.add_argument("--role", required=True,
                        choices=("issuer", "employer", "job_seeker", "platform", "admin"))
    create.add_argument("--name", required=True, help="what the key is for")
    create.add_argument("--owner", help="who the key acts for; keys with the same owner share "
                        "data (default: a new pseudonymous owner)")
    create.set_defaults(func=cmd_keys_create)
    keys_sub.add_parser("list", help="list keys (never the keys themselves)"
                        ).set_defaults(func=cmd_keys_list)
    revoke = keys_sub.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(func=cmd_keys_revoke)
