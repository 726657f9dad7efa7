"""Official ESCO CSV bundles (and extra label files) -> :class:`~matcher.taxonomy.Taxonomy`.

Reads the CSV files of the official ESCO download exactly as the portal publishes them, from a
zip or an unpacked folder, v1.1.x and v1.2.x alike (files are found by name; columns by header):

- ``skills_<lang>.csv``: conceptUri, preferredLabel, altLabels, hiddenLabels, description,
  skillType, reuseLevel
- ``occupations_<lang>.csv``: conceptUri, preferredLabel, altLabels, hiddenLabels, description,
  iscoGroup, code
- ``skillGroups_<lang>.csv``: conceptUri, preferredLabel
- ``occupationSkillRelations[_<lang>].csv``: occupationUri, relationType, skillUri
- ``skillSkillRelations[_<lang>].csv``: originalSkillUri, relationType, relatedSkillUri
- ``broaderRelationsSkillPillar[_<lang>].csv``: conceptUri, broaderUri

Several language bundles merge by concept URI. Extra label files (``.tsv``: concept URI,
language, label) add labels from any source, e.g. Swedish occupation labels. Writes nothing:
:func:`matcher.taxonomy.save_taxonomy` keeps the result under ``MATCHER_HOME``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd

from matcher.errors import TaxonomyImportError
from matcher.models import Lang, Occupation, OccupationSkill, Skill
from matcher.taxonomy import Taxonomy

_LANG_SUFFIX = re.compile(r"_([a-z]{2,3})$")
_VERSION_IN_NAME = re.compile(r"v(\d+\.\d+(?:\.\d+)?)")

# File kind -> (columns that must be there, columns used when present).
_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "skills": (
        ("conceptUri", "preferredLabel"),
        ("altLabels", "hiddenLabels", "description", "skillType", "reuseLevel"),
    ),
    "occupations": (
        ("conceptUri", "preferredLabel"),
        ("altLabels", "hiddenLabels", "description", "iscoGroup", "code"),
    ),
    "skillgroups": (("conceptUri", "preferredLabel"), ()),
    "occupationskillrelations": (("occupationUri", "relationType", "skillUri"), ()),
    "skillskillrelations": (("originalSkillUri", "relationType", "relatedSkillUri"), ()),
    "broaderrelationsskillpillar": (("conceptUri", "broaderUri"), ()),
}
_LANGUAGE_FILES = {"skills", "occupations", "skillgroups"}


@dataclass
class _Table:
    kind: str
    lang: Lang | None
    name: str  # for messages: "bundle.zip:skills_en.csv"
    open: Any  # () -> binary file object


def _classify(filename: str) -> tuple[str, Lang | None] | None:
    stem = Path(filename).stem
    lang = None
    match = _LANG_SUFFIX.search(stem)
    if match:
        lang = match.group(1)
        stem = stem[: match.start()]
    kind = stem.lower()
    if kind not in _COLUMNS:
        return None
    if kind in _LANGUAGE_FILES and lang is None:
        return None
    return kind, lang


def _tables_in(path: Path) -> Iterator[_Table]:
    if not path.exists():
        raise TaxonomyImportError(
            f"{path}: no such file or folder; expected an ESCO CSV bundle (zip or folder) "
            "or a label file (.tsv)"
        )
    if path.is_dir():
        for csv_path in sorted(path.rglob("*.csv")):
            kind = _classify(csv_path.name)
            if kind:
                yield _Table(kind[0], kind[1], str(csv_path), lambda p=csv_path: p.open("rb"))
        return
    if path.suffix.lower() == ".csv":
        kind = _classify(path.name)
        if kind is None:
            raise TaxonomyImportError(
                f"{path}: not an ESCO file name; expected e.g. skills_en.csv, "
                "occupations_sv.csv or occupationSkillRelations.csv"
            )
        yield _Table(kind[0], kind[1], str(path), lambda: path.open("rb"))
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise TaxonomyImportError(
            f"{path}: cannot read as a zip archive ({exc}); expected an ESCO CSV bundle as "
            "downloaded from the ESCO portal, or its unpacked folder"
        ) from None
    for member in sorted(archive.namelist()):
        if member.lower().endswith(".csv"):
            kind = _classify(member.rsplit("/", 1)[-1])
            if kind:
                yield _Table(
                    kind[0], kind[1], f"{path}:{member}", lambda m=member: archive.open(m)
                )


def _read_table(table: _Table) -> pd.DataFrame:
    required, optional = _COLUMNS[table.kind]
    try:
        with table.open() as handle:
            frame = pd.read_csv(handle, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, zipfile.BadZipFile, OSError) as exc:
        raise TaxonomyImportError(
            f"{table.name}: cannot be read as a UTF-8 CSV file ({exc.__class__.__name__}: "
            f"{str(exc)[:120]})"
        ) from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise TaxonomyImportError(
            f"{table.name}: missing column(s) {', '.join(missing)}; an ESCO {table.kind} file "
            f"needs {', '.join(required)} (found: {', '.join(map(str, frame.columns[:12]))})"
        )
    keep = [c for c in (*required, *optional) if c in frame.columns]
    return frame[keep]


def _split_labels(cell: str) -> tuple[str, ...]:
    # ESCO puts one label per line in altLabels/hiddenLabels.
    seen: dict[str, None] = {}
    for line in cell.splitlines():
        label = line.strip()
        if label:
            seen.setdefault(label, None)
    return tuple(seen)


class _ConceptBuilder:
    """Accumulates the per-language columns of one concept across files."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.labels: dict[Lang, str] = {}
        self.alt: dict[Lang, tuple[str, ...]] = {}
        self.hidden: dict[Lang, tuple[str, ...]] = {}
        self.descriptions: dict[Lang, str] = {}
        self.extra: dict[str, str] = {}

    def add_row(self, row: dict[str, str], lang: Lang, extra_cols: Iterable[str]) -> None:
        label = row["preferredLabel"].strip()
        if label:
            self.labels[lang] = label
        alt = _split_labels(row.get("altLabels", ""))
        alt = tuple(a for a in alt if a != label)
        if alt:
            self.alt[lang] = alt
        hidden = _split_labels(row.get("hiddenLabels", ""))
        if hidden:
            self.hidden[lang] = hidden
        description = row.get("description", "").strip()
        if description:
            self.descriptions[lang] = description
        for col in extra_cols:
            value = row.get(col, "").strip()
            if value and not self.extra.get(col):
                self.extra[col] = value

    def add_label(self, lang: Lang, label: str) -> None:
        if lang not in self.labels:
            self.labels[lang] = label
        elif label != self.labels[lang] and label not in self.alt.get(lang, ()):
            self.alt[lang] = (*self.alt.get(lang, ()), label)

    def common(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "labels": self.labels,
            "alt_labels": self.alt,
            "hidden_labels": self.hidden,
            "descriptions": self.descriptions,
        }


def read_label_file(path: Path) -> list[tuple[str, Lang, str]]:
    """Read an extra label file: UTF-8 TSV with concept URI, language code, label.

    A header row is allowed (any first row whose first cell is not a URI).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TaxonomyImportError(f"{path}: label file is not UTF-8 text") from None
    except OSError as exc:
        raise TaxonomyImportError(f"{path}: cannot read label file ({exc.strerror})") from None
    rows: list[tuple[str, Lang, str]] = []
    for number, fields in enumerate(csv.reader(io.StringIO(text), delimiter="\t"), start=1):
        if not fields or not any(f.strip() for f in fields):
            continue
        if number == 1 and not fields[0].startswith("http"):
            continue
        if len(fields) < 3:
            raise TaxonomyImportError(
                f"{path}, line {number}: expected 3 tab-separated columns "
                f"(concept URI, language code, label), found {len(fields)}"
            )
        uri, lang, label = (f.strip() for f in fields[:3])
        if not uri.startswith("http"):
            raise TaxonomyImportError(
                f"{path}, line {number}: {uri!r} is not a concept URI (http://data.europa.eu/esco/…)"
            )
        if not re.fullmatch(r"[a-z]{2,3}", lang):
            raise TaxonomyImportError(
                f"{path}, line {number}: {lang!r} is not a language code such as 'sv' or 'en'"
            )
        if label:
            rows.append((uri, lang, label))
    if not rows:
        raise TaxonomyImportError(f"{path}: label file has no rows (concept URI, language, label)")
    return rows


def read_esco(paths: Sequence[Path | str], *, version: str | None = None) -> Taxonomy:
    """Read ESCO bundles (zips or folders), single ESCO CSV files and extra label files.

    Args:
        paths: the classification bundle(s) of one or more languages, the relations bundle,
            and any ``.tsv`` label files.
        version: ESCO version; by default read from the bundle names (``v1.1.1``).

    Raises:
        TaxonomyImportError: a path is missing, unreadable, has the wrong columns, or the
            paths hold no skills file.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise TaxonomyImportError("no path given; expected ESCO CSV bundles (zip or folder)")
    label_files = [p for p in files if p.suffix.lower() == ".tsv"]
    tables = [t for p in files if p not in label_files for t in _tables_in(p)]
    kinds = {t.kind for t in tables}
    if "skills" not in kinds:
        names = ", ".join(str(p) for p in files if p not in label_files) or "(only label files)"
        raise TaxonomyImportError(
            f"{names}: no skills_<lang>.csv found; expected the ESCO classification bundle "
            "('ESCO dataset - vX - classification - <lang> - csv', zip or folder)"
        )
    frames = [(t, _read_table(t)) for t in tables]  # read everything before building anything

    skill_builders: dict[str, _ConceptBuilder] = {}
    occ_builders: dict[str, _ConceptBuilder] = {}
    groups: dict[str, dict[Lang, str]] = defaultdict(dict)
    occupation_skills: dict[tuple[str, str], bool] = {}
    skill_relations: set[tuple[str, str, str]] = set()
    broader: dict[str, list[str]] = defaultdict(list)

    for table, frame in frames:
        # Column name -> cell text: every table is read with dtype=str (_read_table).
        records = cast(list[dict[str, str]], frame.to_dict("records"))
        if table.kind in ("skills", "occupations"):
            assert table.lang is not None
            builders = skill_builders if table.kind == "skills" else occ_builders
            extra = ("skillType", "reuseLevel") if table.kind == "skills" else ("iscoGroup", "code")
            for row in records:
                uri = row["conceptUri"].strip()
                if uri:
                    builders.setdefault(uri, _ConceptBuilder(uri)).add_row(row, table.lang, extra)
        elif table.kind == "skillgroups":
            assert table.lang is not None
            for row in records:
                if row["conceptUri"] and row["preferredLabel"]:
                    groups[row["conceptUri"].strip()][table.lang] = row["preferredLabel"].strip()
        elif table.kind == "occupationskillrelations":
            for row in records:
                key = (row["occupationUri"].strip(), row["skillUri"].strip())
                essential = row["relationType"].strip().lower() == "essential"
                occupation_skills[key] = occupation_skills.get(key, False) or essential
        elif table.kind == "skillskillrelations":
            for row in records:
                skill_relations.add(
                    (
                        row["originalSkillUri"].strip(),
                        row["relatedSkillUri"].strip(),
                        row["relationType"].strip().lower(),
                    )
                )
        elif table.kind == "broaderrelationsskillpillar":
            for row in records:
                child, parent = row["conceptUri"].strip(), row["broaderUri"].strip()
                if parent not in broader[child]:
                    broader[child].append(parent)

    notes: list[str] = []
    for path in label_files:
        rows = read_label_file(path)
        unknown = 0
        for uri, lang, label in rows:
            builder = skill_builders.get(uri) or occ_builders.get(uri)
            if builder is None:
                unknown += 1
                continue
            builder.add_label(lang, label)
        if unknown == len(rows):
            raise TaxonomyImportError(
                f"{path}: none of its {len(rows)} concept URIs is a skill or occupation of the "
                "bundles given; check that the label file belongs to this ESCO version"
            )
        if unknown:
            notes.append(f"{path.name}: {unknown} of {len(rows)} labels name no skill/occupation")

    skills = {
        uri: Skill(
            **b.common(),
            skill_type=b.extra.get("skillType", ""),
            reuse_level=b.extra.get("reuseLevel", ""),
        )
        for uri, b in sorted(skill_builders.items())
        if b.labels
    }
    occupations = {
        uri: Occupation(**b.common(), isco_group=b.extra.get("iscoGroup", ""),
                        code=b.extra.get("code", ""))
        for uri, b in sorted(occ_builders.items())
        if b.labels
    }
    # Relations are kept as published, even where ESCO's own files disagree (v1.1.1 links one
    # occupation that occupations_en.csv lacks); users of the relations skip such concepts.
    relations = [OccupationSkill(o, s, e) for (o, s), e in sorted(occupation_skills.items())]
    orphans = {r.occupation_uri for r in relations if r.occupation_uri not in occupations} | {
        r.skill_uri for r in relations if r.skill_uri not in skills
    }
    if orphans and (occupations or skills):
        n = sum(1 for r in relations if r.occupation_uri in orphans or r.skill_uri in orphans)
        notes.append(
            f"{n} occupation–skill relations name {len(orphans)} concept(s) missing from the "
            "classification files; they are kept but cannot be used for ranking"
        )
    if occupation_skills and not occupations:
        raise TaxonomyImportError(
            "relations given but no occupations_<lang>.csv; import the classification bundle "
            "together with the relations bundle"
        )
    if version is None:
        found = {m.group(1) for p in files for m in [_VERSION_IN_NAME.search(p.name)] if m}
        version = f"v{sorted(found)[-1]}" if found else "unknown"
    return Taxonomy(
        version=version,
        source="import: " + ", ".join(p.name for p in files),
        skills=skills,
        occupations=occupations,
        occupation_skills=relations,
        skill_relations=sorted(r for r in skill_relations if r[0] in skills and r[1] in skills),
        skill_broader={k: tuple(v) for k, v in sorted(broader.items()) if k in skills},
        skill_groups=dict(sorted(groups.items())),
        notes=tuple(notes),
    )

