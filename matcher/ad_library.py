"""The job ads the library suggests from: imported ones, else the demo ads, each with the
requirement profile the engine derives from its text.

- **Imported** (``matcher ads import FILE``): kept in ``MATCHER_HOME/ads/ads.json``
  (:class:`matcher.jobs.AdStore`) with their profiles and what those were derived with
  (:class:`DerivedWith`). When the taxonomy, the model or the mapper changes, the profiles are
  derived again on the next load and saved.
- **Demo** (``matcher/demo_data``): when nothing is imported; their profiles are cached under
  ``MATCHER_HOME/cache``, keyed the same way.

The service keeps the ads platforms post in its own table and passes them to
:meth:`matcher.engine.Engine.suggest`; both are derived by the same
:meth:`~matcher.engine.Engine.requirement_from_ad` path.

Reads: the ads file, the demo ads. Writes: the ads file, the demo-profile cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.ad_reading import AdSource
from matcher.jobs import AdProblem, AdStore, ImportReport, JobAd, StoredAd
from matcher.profiles import RequirementProfile
from matcher.requirements import AdPolicy
from matcher.scoring.partial_credit import SkillSpace

# Bumped when the way ads become requirement profiles changes: cached demo profiles rebuild.
AD_PROFILE_VERSION = 8

# Each ad → its profile, or None when its text names no skill.
Derive = Callable[[Sequence[AdSource]], list[RequirementProfile | None]]


@dataclass(frozen=True)
class DerivedWith:
    """What a derived requirement profile depends on besides the ad's text."""

    taxonomy_hash: str
    model_id: str
    mapper_key: str


class AdLibrary:
    """Imported (else demo) ads with their profiles and their matrix over the skill space."""

    def __init__(self, home: Path, derived: DerivedWith, derive: Derive, space: SkillSpace,
                 policy: AdPolicy) -> None:
        self.store = AdStore(home)
        self.cache_dir = home / "cache"
        self.derived = derived
        self.derive = derive
        self.space = space
        self.policy = policy
        self._ads: tuple[list[StoredAd], str, Any] | None = None

    def import_ads(self, ads: list[JobAd], problems: list[AdProblem]) -> ImportReport:
        """Import job ads read from a file (:func:`matcher.jobs.read_ads`: the ads and what
        was wrong with the others) with their requirement profiles.

        Writes the ads file atomically. An ad whose text links to no ESCO skill is reported
        with its id and skipped, as the ``problems`` already are.
        """
        problems = list(problems)
        existing = {s.ad.id: s for s in self.stored()}
        where = {ad.id: i for i, ad in enumerate(ads)}
        imported: list[str] = []
        replaced: list[str] = []
        new: list[StoredAd] = []
        profiles = self.derive([_source(a) for a in ads])
        for ad, profile in zip(ads, profiles, strict=True):
            if profile is None:
                problems.append(AdProblem(
                    f"ad {ad.id!r} (#{where[ad.id]})",
                    f"no sentence links to an ESCO skill with confidence ≥ "
                    f"{self.policy.min_confidence}; the ad was not imported"))
                continue
            (replaced if ad.id in existing else imported).append(ad.id)
            new.append(StoredAd(ad, profile))
        merged = {**existing, **{s.ad.id: s for s in new}}
        if new:
            self._save(list(merged.values()))
            self._ads = None
        return ImportReport(tuple(imported), tuple(replaced), tuple(problems), len(merged),
                            str(self.store.path))

    def stored(self) -> list[StoredAd]:
        """The imported ads, their profiles derived again first when they are stale."""
        stored, meta = self.store.load()
        d = self.derived
        if stored and (meta.get("taxonomy_hash") != d.taxonomy_hash
                       or meta.get("model_id") != d.model_id
                       or meta.get("mapper_key") != d.mapper_key):
            profiles = self.derive([_source(s.ad) for s in stored])
            stored = [StoredAd(s.ad, p) for s, p in zip(stored, profiles, strict=True)
                      if p is not None]
            self._save(stored)
        return list(stored)

    def _save(self, ads: list[StoredAd]) -> None:
        d = self.derived
        self.store.save(ads, taxonomy_hash=d.taxonomy_hash, model_id=d.model_id,
                        mapper_key=d.mapper_key)

    def ads(self) -> tuple[list[StoredAd], str, Any]:
        """(ads, "imported" | "demo", their requirement matrix over the skill space)."""
        if self._ads is None:
            from matcher.scoring.score import requirement_matrix

            stored = self.stored()
            source = "imported"
            if not stored:
                source = "demo"
                stored = self._demo()
            matrix = requirement_matrix(
                [[(r.uri, r.weight) for r in s.requirement.requirements] for s in stored],
                self.space)
            self._ads = (stored, source, matrix)
        return self._ads

    def _demo(self) -> list[StoredAd]:
        from matcher.jobs import demo_ads, demo_ads_hash, read_cache, write_cache

        ads = demo_ads()
        d = self.derived
        key = (f"v{AD_PROFILE_VERSION}-{d.taxonomy_hash}-{d.model_id}-{d.mapper_key}-"
               f"{demo_ads_hash()}-{policy_key(self.policy)}")
        path = self.cache_dir / f"demo-ads-{key}.json"
        cached = read_cache(path)
        profiles: list[RequirementProfile | None]
        if isinstance(cached, list) and len(cached) == len(ads):
            profiles = [RequirementProfile.from_dict(p) if p else None for p in cached]
        else:
            profiles = self.derive([_source(a) for a in ads])
            write_cache(path, [p.to_dict(exact=True) if p else None for p in profiles])
        return [StoredAd(a, p) for a, p in zip(ads, profiles, strict=True) if p is not None]


def policy_key(policy: AdPolicy) -> str:
    """The ad policy's parameters, for cache keys: every field (a dataclass's repr names
    them all, the link policy's too), so that no change of policy reuses old profiles."""
    return hashlib.sha256(repr(policy).encode()).hexdigest()[:16]


def _source(ad: JobAd) -> AdSource:
    return AdSource(ad.id, ad.headline, ad.text, ad.occupation)
