"""Meritmatch: link micro-credentials to ESCO skills and match people to jobs.

>>> from matcher import Engine
>>> engine = Engine()
>>> engine.map_outcomes(["Deltagaren kan köra motviktstruck"])[0].skills[0].label
'operate forklift'
"""

from importlib.metadata import PackageNotFoundError, version

from matcher.config import Settings
from matcher.credentials import Credential, CredentialOffering, load_credential, parse_credential
from matcher.engine import CredentialMapping, Engine
from matcher.errors import (
    CredentialError,
    IndexMismatchError,
    InvalidInputError,
    MatcherError,
    TaxonomyImportError,
    TaxonomyNotFoundError,
    UnknownConceptError,
)
from matcher.esco_csv import read_esco
from matcher.evidence import Evidence
from matcher.models import Occupation, OccupationSkill, OutcomeMapping, Skill, SkillLink
from matcher.profiles import CandidateProfile, Requirement, RequirementProfile
from matcher.scoring.explain import SkillMatch
from matcher.scoring.results import RankingResult, Suggestions
from matcher.taxonomy import Taxonomy

try:
    __version__ = version("meritmatch")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0+unknown"

__all__ = [
    "Engine",
    "Settings",
    "Taxonomy",
    "read_esco",
    "Credential",
    "CredentialOffering",
    "CredentialMapping",
    "load_credential",
    "parse_credential",
    "Skill",
    "Occupation",
    "OccupationSkill",
    "SkillLink",
    "OutcomeMapping",
    "CandidateProfile",
    "Evidence",
    "Requirement",
    "RequirementProfile",
    "SkillMatch",
    "RankingResult",
    "Suggestions",
    "MatcherError",
    "CredentialError",
    "IndexMismatchError",
    "InvalidInputError",
    "TaxonomyImportError",
    "TaxonomyNotFoundError",
    "UnknownConceptError",
    "__version__",
]
