"""``matcher credentials``: issue, verify, export, import and revoke verifiable credentials.

- ``keygen --out KEY``: a new Ed25519 issuer key (private JWK file); prints its ``did:key``.
- ``issue FILE --key KEY [--format ob3|elm] [--links LINKS] [--status-list STATE]``: our
  credential JSON → a signed OB 3.0 badge or EDC (with a status list entry when a status list
  state file is given; it is created on first use).
- ``export FILE [--format …] [--links …]``: the same, unsigned (to inspect or sign elsewhere).
- ``import FILE``: an OB 3.0 / EDC document → our credential JSON, its stated skills, notes.
- ``verify FILE [--trust DID=NAME] [--status-list LIST]``: the verdict and its reason; exit 0
  when verified, 1 when refused.
- ``revoke CREDENTIAL_ID --status-list STATE --key KEY``: sets its bit; writes the signed
  status list credential to publish.

A status list state file is JSON: ``{"url", "issuer", "encodedList", "next_index",
"assigned": {credential id: index}}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matcher.errors import InvalidInputError


def _write(data: Any, out: Path | None) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        sys.stderr.write(f"matcher: wrote {out}\n")


def _links(path: Path | None) -> list[Any]:
    """Links from a JSON list of ``{"outcome_index", "uri", "state"}`` (as the service keeps
    them; -1 is the title). Default state: confirmed (the issuer gives them)."""
    if path is None:
        return []
    from matcher.credentials import read_json
    from matcher.evidence import TextLink

    data = read_json(path)
    if not isinstance(data, list):
        raise InvalidInputError(f"{path}: expected a JSON list of links "
                                "({{outcome_index, uri, state}})", field="links")
    out = []
    for number, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("uri"), str):
            raise InvalidInputError(f"{path}: link {number} needs a 'uri'", field="links")
        out.append(TextLink(int(item.get("outcome_index", -1)), item["uri"], 1.0,
                            item.get("state", "confirmed")))
    return out


def _read_state(path: Path) -> dict[str, Any]:
    from matcher.credentials import read_json

    data = read_json(path)
    if not isinstance(data, dict) or not {"url", "issuer", "encodedList"} <= set(data):
        raise InvalidInputError(f"{path}: not a status list state file (url, issuer, "
                                "encodedList, next_index, assigned)", field="status_list")
    return data


def _export(args: argparse.Namespace, signed: bool) -> int:
    from matcher.credentials import load_credential
    from matcher.vc import IssuerKey, export_credential, status_entry
    from matcher.vc.status import StatusList

    credential = load_credential(args.file)
    links = _links(args.links)
    if not signed:
        from matcher.vc.elm import export_elm
        from matcher.vc.ob3 import export_ob3

        issuer = args.issuer or credential.awarding_body.id or "urn:meritmatch:issuer:unknown"
        exporter = export_ob3 if args.format == "ob3" else export_elm
        _write(exporter(credential, issuer_id=issuer, links=links), args.out)
        return 0
    key = IssuerKey.load(args.key)
    status = None
    if args.status_list is not None:
        if args.status_list.exists():
            state = _read_state(args.status_list)
        else:
            if not args.status_url:
                raise InvalidInputError("a new status list needs --status-url (where its "
                                        "credential will be published)", field="status_url")
            state = {"url": args.status_url, "issuer": key.did,
                     "encodedList": StatusList.new().encode(), "next_index": 0,
                     "assigned": {}}
        if state["issuer"] != key.did:
            raise InvalidInputError(f"{args.status_list} belongs to {state['issuer']}, not to "
                                    f"this key ({key.did})", field="status_list")
        index = state["assigned"].get(credential.id)
        if index is None:
            index = state["next_index"]
            state["assigned"][credential.id] = index
            state["next_index"] = index + 1
        status = status_entry(state["url"], int(index))
        args.status_list.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    document = export_credential(credential, key, fmt=args.format, links=links,
                                 credential_status=status, valid_until=args.valid_until)
    _write(document, args.out)
    return 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from matcher.vc import IssuerKey

    if args.out.exists():
        raise InvalidInputError(f"{args.out} exists; a key is never overwritten (move it "
                                "first)", field="out")
    key = IssuerKey.generate()
    key.save(args.out)
    _write({"did": key.did, "verification_method": key.verification_method,
            "key_file": str(args.out)}, None)
    return 0


def cmd_issue(args: argparse.Namespace) -> int:
    return _export(args, signed=True)


def cmd_export(args: argparse.Namespace) -> int:
    return _export(args, signed=False)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file", field="file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot be read as UTF-8 text ({exc})",
                                field="file") from None


def cmd_import(args: argparse.Namespace) -> int:
    from matcher.vc import import_credential

    imported = import_credential(_read_text(args.file))
    _write({"format": imported.source_format,
            "credential": imported.credential.model_dump(mode="json", exclude_none=True),
            "links": [{"outcome_index": link.text_index, "uri": link.uri,
                       "state": link.state} for link in imported.links],
            "notes": list(imported.notes)}, args.out)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from matcher.credentials import read_json
    from matcher.vc import Verifier

    trusted: dict[str, str] | None = None
    if args.trust:
        trusted = {}
        for item in args.trust:
            did, _, name = item.partition("=")
            trusted[did] = name or did
    lists: dict[str, Any] = {}
    for path in args.status_list or []:
        listing = read_json(path)
        if isinstance(listing, dict) and listing.get("id"):
            lists[str(listing["id"])] = listing
    verdict = Verifier(trusted_issuers=trusted, status_lists=lists).verify(
        _read_text(args.file))
    if args.json:
        _write(verdict.to_dict(), None)
    else:
        prefix = "" if verdict.verified else "REFUSED: "
        sys.stdout.write(f"{prefix}{verdict.reason}\n")
        for check in verdict.failures:
            if check is not verdict.failed:
                sys.stdout.write(f"  also ({check.name}): {check.message}\n")
        if verdict.needs_network:
            sys.stdout.write("  (it cannot be checked offline: that needs the network, which "
                             "Meritmatch does not use)\n")
    return 0 if verdict.verified else 1


def cmd_revoke(args: argparse.Namespace) -> int:
    from matcher.vc import IssuerKey
    from matcher.vc.proof import sign
    from matcher.vc.status import StatusList

    key = IssuerKey.load(args.key)
    state = _read_state(args.status_list)
    if state["issuer"] != key.did:
        raise InvalidInputError(f"{args.status_list} belongs to {state['issuer']}, not to "
                                f"this key ({key.did})", field="status_list")
    index = state["assigned"].get(args.credential_id)
    if index is None:
        raise InvalidInputError(f"{args.credential_id!r} has no entry in {args.status_list}; "
                                f"it lists {len(state['assigned'])} credential(s)",
                                field="credential_id")
    statuses = StatusList.decode(state["encodedList"])
    statuses.set(int(index))
    state["encodedList"] = statuses.encode()
    args.status_list.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    _write(sign(statuses.credential(state["url"], key.did, now), key), args.out)
    return 0


def register(sub: Any) -> None:
    """Add ``matcher credentials …`` to the ``matcher`` subparsers."""
    cred = sub.add_parser("credentials", help="verifiable credentials: issue, verify, export, "
                          "import and revoke OB 3.0 badges and European Digital Credentials")
    actions = cred.add_subparsers(dest="credentials_command", required=True, metavar="ACTION")

    keygen = actions.add_parser("keygen", help="a new Ed25519 issuer key (private JWK file)")
    keygen.add_argument("--out", type=Path, required=True, metavar="KEY")
    keygen.set_defaults(func=cmd_keygen)

    for name, func, helptext in (
            ("issue", cmd_issue, "sign a credential as an OB 3.0 badge or an EDC"),
            ("export", cmd_export, "a credential as an unsigned OB 3.0 badge or EDC")):
        command = actions.add_parser(name, help=helptext)
        command.add_argument("file", type=Path, metavar="CREDENTIAL")
        command.add_argument("--format", choices=("ob3", "elm"), default="ob3")
        command.add_argument("--links", type=Path, metavar="LINKS", help="JSON list of the "
                             "issuer's ESCO links: {outcome_index (-1: title), uri, state}")
        command.add_argument("--out", type=Path, metavar="FILE")
        if name == "issue":
            command.add_argument("--key", type=Path, required=True, metavar="KEY")
            command.add_argument("--status-list", type=Path, metavar="STATE",
                                 help="status list state file (created when missing)")
            command.add_argument("--status-url", metavar="URL",
                                 help="where a new status list will be published")
            command.add_argument("--valid-until", metavar="DATETIME")
        else:
            command.add_argument("--issuer", metavar="ID", help="issuer id to name")
        command.set_defaults(func=func)

    imp = actions.add_parser("import", help="an OB 3.0 badge or EDC as our credential JSON")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--out", type=Path, metavar="FILE")
    imp.set_defaults(func=cmd_import)

    verify = actions.add_parser("verify", help="verify a badge or EDC offline: signature, "
                                "issuer key, validity dates, revocation")
    verify.add_argument("file", type=Path, metavar="FILE")
    verify.add_argument("--trust", action="append", metavar="DID=NAME",
                        help="an issuer to accept (repeatable); without it any issuer whose "
                        "key signed the credential is accepted")
    verify.add_argument("--status-list", action="append", type=Path, metavar="LIST",
                        help="a status list credential (as published), for offline checks")
    verify.add_argument("--json", action="store_true", help="every check, as JSON")
    verify.set_defaults(func=cmd_verify)

    revoke = actions.add_parser("revoke", help="revoke an issued credential")
    revoke.add_argument("credential_id", metavar="CREDENTIAL_ID")
    revoke.add_argument("--status-list", type=Path, required=True, metavar="STATE")
    revoke.add_argument("--key", type=Path, required=True, metavar="KEY")
    revoke.add_argument("--out", type=Path, metavar="FILE",
                        help="where to write the signed status list credential to publish")
    revoke.set_defaults(func=cmd_revoke)
