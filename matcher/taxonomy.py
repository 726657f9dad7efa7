"""The ESCO taxonomy as domain objects: :class:`Taxonomy`, and the copy kept under ``MATCHER_HOME``.

Skills, occupations, their relations and the skill hierarchy, in one or more languages, with
a content hash that keys everything derived from it. :func:`matcher.esco_csv.read_esco` reads
the official CSV bundles into a :class:`Taxonomy`; :func:`save_taxonomy` writes it to
``<directory>/current`` (``taxonomy.json.gz``, ``meta.json``) and :func:`load_imported` reads
it back.

An import is written beside the current one and swapped in only when complete, so a broken
bundle leaves the previous import intact.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matcher.errors import TaxonomyNotFoundError, UnknownConceptError
from matcher.models import Concept, Lang, Occupation, OccupationSkill, Skill

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1


@dataclass
class Taxonomy:
    """ESCO skills, occupations and their relations, in one or more languages."""

    version: str
    source: str
    skills: dict[str, Skill]
    occupations: dict[str, Occupation]
    occupation_skills: list[OccupationSkill] = field(default_factory=list)
    skill_relations: list[tuple[str, str, str]] = field(default_factory=list)
    skill_broader: dict[str, tuple[str, ...]] = field(default_factory=dict)
    skill_groups: dict[str, dict[Lang, str]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    _hash: str | None = field(default=None, repr=False)
    _by_occupation: dict[str, tuple[OccupationSkill, ...]] | None = field(default=None,
                                                                          repr=False)
    _narrower: dict[str, tuple[str, ...]] | None = field(default=None, repr=False)

    # -- queries ---------------------------------------------------------------------------
    @property
    def languages(self) -> tuple[Lang, ...]:
        langs: set[Lang] = set()
        for concept in (*self.skills.values(), *self.occupations.values()):
            langs.update(concept.labels)
        return tuple(sorted(langs))

    def skill_label_languages(self) -> dict[Lang, int]:
        counts: dict[Lang, int] = defaultdict(int)
        for skill in self.skills.values():
            for lang in skill.labels:
                counts[lang] += 1
        return dict(sorted(counts.items()))

    def occupation_label_languages(self) -> dict[Lang, int]:
        counts: dict[Lang, int] = defaultdict(int)
        for occupation in self.occupations.values():
            for lang in occupation.labels:
                counts[lang] += 1
        return dict(sorted(counts.items()))

    @property
    def has_relations(self) -> bool:
        return bool(self.occupation_skills)

    def skill(self, uri: str) -> Skill:
        try:
            return self.skills[uri]
        except KeyError:
            raise UnknownConceptError(
                f"Unknown ESCO skill {uri!r}; taxonomy {self.version} has "
                f"{len(self.skills)} skills (URIs look like http://data.europa.eu/esco/skill/…)",
                field="uri",
            ) from None

    def occupation(self, uri: str) -> Occupation:
        try:
            return self.occupations[uri]
        except KeyError:
            raise UnknownConceptError(
                f"Unknown ESCO occupation {uri!r}; taxonomy {self.version} has "
                f"{len(self.occupations)} occupations",
                field="uri",
            ) from None

    def skills_of(self, occupation_uri: str) -> tuple[OccupationSkill, ...]:
        """The occupation's links to skills of this taxonomy (grouped once, on first use)."""
        if self._by_occupation is None:
            grouped: dict[str, list[OccupationSkill]] = defaultdict(list)
            for relation in self.occupation_skills:
                if relation.skill_uri in self.skills:
                    grouped[relation.occupation_uri].append(relation)
            self._by_occupation = {uri: tuple(links) for uri, links in grouped.items()}
        return self._by_occupation.get(occupation_uri, ())

    def skill_narrower(self, uri: str) -> tuple[str, ...]:
        """The skills whose broader skill is ``uri`` (grouped once, on first use)."""
        if self._narrower is None:
            children: dict[str, list[str]] = defaultdict(list)
            for child, parents in self.skill_broader.items():
                for parent in parents:
                    children[parent].append(child)
            self._narrower = {parent: tuple(kids) for parent, kids in children.items()}
        return self._narrower.get(uri, ())

    def counts(self) -> dict[str, int]:
        essential = sum(1 for r in self.occupation_skills if r.essential)
        return {
            "skills": len(self.skills),
            "occupations": len(self.occupations),
            "occupation_skill_relations": len(self.occupation_skills),
            "essential_relations": essential,
            "optional_relations": len(self.occupation_skills) - essential,
            "skill_skill_relations": len(self.skill_relations),
            "skill_groups": len(self.skill_groups),
        }

    @property
    def content_hash(self) -> str:
        """A hash of everything the taxonomy holds: indexes built from it are keyed by it."""
        if self._hash is None:
            blob = json.dumps(self.to_dict(include_meta=False), sort_keys=True).encode()
            self._hash = hashlib.sha256(blob).hexdigest()[:16]
        return self._hash

    # -- (de)serialisation -----------------------------------------------------------------
    def to_dict(self, *, include_meta: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "skills": [_concept_to_dict(s) for s in self.skills.values()],
            "occupations": [_concept_to_dict(o) for o in self.occupations.values()],
            "occupation_skills": [
                [r.occupation_uri, r.skill_uri, int(r.essential)] for r in self.occupation_skills
            ],
            "skill_relations": [list(r) for r in self.skill_relations],
            "skill_broader": {k: list(v) for k, v in self.skill_broader.items()},
            "skill_groups": self.skill_groups,
        }
        if include_meta:
            data.update(
                format=FORMAT_VERSION,
                version=self.version,
                source=self.source,
                notes=list(self.notes),
            )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Taxonomy:
        skills = {d["uri"]: Skill(**_concept_kwargs(d)) for d in data["skills"]}
        occupations = {d["uri"]: Occupation(**_concept_kwargs(d)) for d in data["occupations"]}
        return cls(
            version=data["version"],
            source=data["source"],
            skills=skills,
            occupations=occupations,
            occupation_skills=[
                OccupationSkill(o, s, bool(e)) for o, s, e in data["occupation_skills"]
            ],
            skill_relations=[tuple(r) for r in data["skill_relations"]],
            skill_broader={k: tuple(v) for k, v in data["skill_broader"].items()},
            skill_groups=data["skill_groups"],
            notes=tuple(data.get("notes", ())),
        )


def _concept_to_dict(concept: Concept) -> dict[str, Any]:
    d: dict[str, Any] = {"uri": concept.uri, "labels": concept.labels}
    if concept.alt_labels:
        d["alt_labels"] = {k: list(v) for k, v in concept.alt_labels.items()}
    if concept.hidden_labels:
        d["hidden_labels"] = {k: list(v) for k, v in concept.hidden_labels.items()}
    if concept.descriptions:
        d["descriptions"] = concept.descriptions
    for name in ("skill_type", "reuse_level", "isco_group", "code"):
        value = getattr(concept, name, "")
        if value:
            d[name] = value
    return d


def _concept_kwargs(d: dict[str, Any]) -> dict[str, Any]:
    kwargs = dict(d)
    for key in ("alt_labels", "hidden_labels"):
        if key in kwargs:
            kwargs[key] = {k: tuple(v) for k, v in kwargs[key].items()}
    return kwargs


# -- the imported taxonomy under MATCHER_HOME ----------------------------------------------
_DATA_FILE = "taxonomy.json.gz"
_META_FILE = "meta.json"


def taxonomy_meta(taxonomy: Taxonomy) -> dict[str, Any]:
    return {
        "format": FORMAT_VERSION,
        "version": taxonomy.version,
        "source": taxonomy.source,
        "hash": taxonomy.content_hash,
        "languages": list(taxonomy.languages),
        "skill_label_languages": taxonomy.skill_label_languages(),
        "occupation_label_languages": taxonomy.occupation_label_languages(),
        "counts": taxonomy.counts(),
        "notes": list(taxonomy.notes),
    }


def save_taxonomy(taxonomy: Taxonomy, directory: Path) -> dict[str, Any]:
    """Write the taxonomy to ``directory/current`` atomically; return its meta data.

    The new import is written to a temporary folder beside the current one and swapped in
    with renames, so a failure at any point leaves the previous import as it was.
    """
    directory.mkdir(parents=True, exist_ok=True)
    meta = taxonomy_meta(taxonomy)
    meta["imported_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=directory))
    try:
        with gzip.open(staging / _DATA_FILE, "wt", encoding="utf-8", compresslevel=5) as fh:
            json.dump(taxonomy.to_dict(), fh, ensure_ascii=False)
        (staging / _META_FILE).write_text(json.dumps(meta, indent=2, ensure_ascii=False))
        current, old = directory / "current", directory / ".previous"
        if old.exists():
            shutil.rmtree(old)
        if current.exists():
            current.rename(old)
        staging.rename(current)
        if old.exists():
            shutil.rmtree(old)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return meta


def imported_meta(directory: Path) -> dict[str, Any] | None:
    """Meta data of the imported taxonomy, or None when nothing was imported."""
    _recover(directory)
    path = directory / "current" / _META_FILE
    if not path.exists():
        return None
    meta: dict[str, Any] = json.loads(path.read_text())
    return meta


def load_imported(directory: Path) -> Taxonomy:
    """Load the taxonomy saved by :func:`save_taxonomy`."""
    _recover(directory)
    path = directory / "current" / _DATA_FILE
    if not path.exists():
        raise TaxonomyNotFoundError(
            f"no ESCO taxonomy imported in {directory}; run 'matcher esco import BUNDLE...'"
        )
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    taxonomy = Taxonomy.from_dict(data)
    meta = imported_meta(directory)
    if meta:
        taxonomy._hash = meta["hash"]
    return taxonomy


def _recover(directory: Path) -> None:
    # A swap interrupted between its two renames leaves only ".previous": put it back.
    current, old = directory / "current", directory / ".previous"
    if not current.exists() and old.exists():
        old.rename(current)
