"""The one entry point: :class:`Engine` maps texts and credentials to ESCO skills, builds
candidate and requirement profiles, ranks candidates and suggests occupations, job ads and
courses (profiles.py, ranking.py, jobs.py hold the logic).

Heavy resources are built lazily, once, and can be injected (tests, the API's lifespan):
the taxonomy (imported under MATCHER_HOME, else the embedded default), the embedder, and the
skill index (loaded from MATCHER_HOME when one matches taxonomy and model, else built, saved;
for all of ESCO a quick first stage is used while the full index is built in the background,
see :mod:`matcher.index`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matcher.config import Settings
from matcher.credentials import Credential, CredentialOffering
from matcher.embedding import Embedder, build_embedder
from matcher.evidence import TITLE, LinkPolicy, TextLink, credential_texts
from matcher.index import DEFAULT_KINDS, SkillIndex, index_key
from matcher.index_stages import BackgroundBuild, load_saved, open_index
from matcher.mapping import Context, MappingParams, OutcomeMapper
from matcher.models import OutcomeMapping, SkillLink, VariantKind
from matcher.occupation_names import NameMatch, OccupationNames
from matcher.profiles import CandidateInput, CandidateProfile, RequirementProfile
from matcher.requirements import AdPolicy
from matcher.scoring.partial_credit import PartialCredit, RankingParams
from matcher.scoring.results import RankingResult, Suggestions
from matcher.suggest import OccupationSpace, SuggestionParams
from matcher.taxonomy import Taxonomy, imported_meta, load_imported
from matcher.text import title_subject

if TYPE_CHECKING:
    from matcher.ad_library import AdLibrary, DerivedWith
    from matcher.catalogue import Catalogue
    from matcher.jobs import CatalogueEntry, ImportReport, StoredAd
    from matcher.title_names import TitleName

AD_POLICY = AdPolicy()  # which links of an ad's phrases count (matcher/requirements.py)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CredentialMapping:
    """A credential with the skills suggested for each of its learning outcomes."""

    credential: CredentialOffering
    outcomes: tuple[OutcomeMapping, ...]
    title: OutcomeMapping | None = None

    def suggestions(self) -> list[tuple[int, SkillLink]]:
        """(text index, suggested link) for the title (:data:`~matcher.evidence.TITLE`) and
        each outcome."""
        title = self.title.skills if self.title is not None else ()
        return [(TITLE, link) for link in title] + [
            (i, link) for i, mapping in enumerate(self.outcomes) for link in mapping.skills]

    def links(self) -> list[TextLink]:
        """Every suggestion as a :class:`~matcher.evidence.TextLink`, the title's first."""
        return [TextLink(i, link.uri, float(link.confidence)) for i, link in self.suggestions()]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "credential": {"id": self.credential.id, "title": self.credential.title,
                           "awarding_body": self.credential.awarding_body.name},
            "outcomes": [o.to_dict() for o in self.outcomes],
        }
        if self.title is not None:
            out["title"] = self.title.to_dict()
        return out


class Engine:
    """Maps learning outcomes and credentials to ESCO skills.

    Args:
        settings: where data lives and which model to use (default: from the environment).
        taxonomy: use this taxonomy instead of the imported or embedded one.
        embedder: use this embedder instead of the one named in the settings.
        index_kinds: which label variants to index.
        show_progress: progress bar while building the index (None: when a terminal).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        taxonomy: Taxonomy | None = None,
        embedder: Embedder | None = None,
        index_kinds: Sequence[VariantKind] = DEFAULT_KINDS,
        mapping_params: MappingParams | None = None,
        ranking_params: RankingParams | None = None,
        suggestion_params: SuggestionParams | None = None,
        show_progress: bool | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self._taxonomy = taxonomy
        self._embedder = embedder
        self._index: SkillIndex | None = None
        self._index_build: BackgroundBuild | None = None  # completing a first-stage index
        self._mapper: OutcomeMapper | None = None
        self._index_kinds = tuple(index_kinds)
        self._mapping_params = mapping_params
        self._show_progress = show_progress
        self.ranking_params = ranking_params or RankingParams()
        self.link_policy = LinkPolicy()  # which credential links count as held skills
        self.ad_policy = AD_POLICY  # which ad-sentence links count as required skills
        # How suggestions are ordered (matcher/suggest.py). On the skills held, not on
        # partial credit: spread over the 3,000 occupations, partial credit turns one
        # mis-linked skill into a whole cluster ("textile techniques" → weaver). Scores and
        # explanations still use it.
        self.suggestion_params = suggestion_params or SuggestionParams()
        self._partial: PartialCredit | None = None
        self._occupations: OccupationSpace | None = None
        self._names: OccupationNames | None = None
        self._title_names: dict[str, tuple[TitleName, ...]] = {}  # by title, bounded
        self._ads: AdLibrary | None = None
        self._catalogue: Catalogue | None = None

    # -- resources ---------------------------------------------------------------------------
    @property
    def taxonomy(self) -> Taxonomy:
        if self._taxonomy is None:
            if imported_meta(self.settings.taxonomy_dir) is not None:
                self._taxonomy = load_imported(self.settings.taxonomy_dir)
            else:
                from matcher.embedded import load_embedded

                self._taxonomy = load_embedded()
        return self._taxonomy

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = build_embedder(self.settings.model)
        return self._embedder

    # Without a saved full index, a large taxonomy is first served by a first-stage index while
    # the full one is built in the background (matcher.index); False: build the full index in
    # the foreground on first use (benchmarks that measure the full index's quality).
    staged_index = True

    @property
    def index_path(self) -> Path:
        """Where the full index is saved (a first stage beside it, its name ending -firstN)."""
        key = index_key(self.taxonomy, self.embedder.model_id, self._index_kinds)
        return self.settings.index_dir / key

    @property
    def index(self) -> SkillIndex:
        """The skill index in use: the saved full index; without one, for a large taxonomy,
        the first stage while the full index is built in the background and then swapped in
        (:meth:`wait_for_index`; ``index.stage`` says which)."""
        if self._index is None:
            index, build = open_index(self.taxonomy, self.embedder, self.settings.index_dir,
                                      kinds=self._index_kinds, show_progress=self._show_progress,
                                      staged=self.staged_index, on_full=self._use_index)
            self._index, self._mapper = index, None
            if build is not None:
                self._index_build = build
                build.start()
            return index  # (the build may already have swapped in the full index)
        return self._index

    def _use_index(self, index: SkillIndex) -> None:
        """Swap in ``index``; what was derived from the previous one is derived again."""
        self._index, self._mapper = index, None
        self._catalogue = None
        self._ads = None

    def wait_for_index(self, timeout: float | None = None, *,
                       show_progress: bool | None = None) -> SkillIndex:
        """Wait for a background build of the full index (if one runs) to end; the index in
        use afterwards (the first stage still, when the build failed or timed out)."""
        index = self.index
        if self._index_build is not None:
            self._index_build.wait(timeout, show_progress=show_progress)
            index = self.index
        return index

    @property
    def index_building(self) -> BackgroundBuild | None:
        """The background build of the full index, while one runs."""
        build = self._index_build
        return build if build is not None and build.running else None

    def build_index(self, *, force: bool = False) -> SkillIndex:
        """Load the saved full index for this taxonomy and model, or build and save it (in the
        foreground, reusing a saved first stage's vectors unless ``force``)."""
        if self.index_building is not None and not force:
            return self.wait_for_index(show_progress=self._show_progress)
        path = self.index_path
        taxonomy, embedder = self.taxonomy, self.embedder
        index = None if force else load_saved(path, taxonomy, embedder, "full")
        if index is None:
            first_path = self.settings.index_dir / index_key(taxonomy, embedder.model_id,
                                                             self._index_kinds, "first")
            first = None if force else load_saved(first_path, taxonomy, embedder, "first")
            index = SkillIndex.build(taxonomy, embedder, kinds=self._index_kinds, reuse=first,
                                     show_progress=self._show_progress)
            index.save(path)
        self._use_index(index)
        return index

    @property
    def mapper(self) -> OutcomeMapper:
        if self._mapper is None:
            self._mapper = OutcomeMapper(self.taxonomy, self.index, self.embedder,
                                         params=self._mapping_params)
        return self._mapper

    # -- mapping -----------------------------------------------------------------------------
    def map_outcomes(
        self, texts: Sequence[str], *, top_k: int = 10, lang: str = "auto",
        contexts: Sequence[Context | None] | None = None,
        written_in: Sequence[str | None] | None = None,
    ) -> list[OutcomeMapping]:
        """Per text, the ``top_k`` most likely ESCO skills with score, confidence and reason.

        Args:
            texts: learning outcomes or other short texts, Swedish or English.
            top_k: how many skills per text (1–100).
            lang: ``auto`` (detected per text), ``sv`` or ``en``: the language of the labels
                and reasons returned (labels fall back to English where the taxonomy has no
                label in that language).
            contexts: per text, the skills its surroundings make likely (an ad's occupation,
                :class:`matcher.mapping.Context`), or None.
            written_in: per text, the language it is written in when known from around it (a
                credential's language, an ad's), or None: detected from the text alone.
        """
        return self.mapper.map(list(texts), top_k=top_k, lang=lang, contexts=contexts,
                               written_in=written_in)

    def map_credential(
        self, credential: CredentialOffering | Credential, *, top_k: int = 5, lang: str = "auto"
    ) -> CredentialMapping:
        """Map a credential's title and every learning outcome (its texts, in the order of
        :func:`matcher.evidence.credential_texts`)."""
        return self.map_credentials([credential], top_k=top_k, lang=lang)[0]

    def map_credentials(
        self, credentials: Sequence[CredentialOffering | Credential], *, top_k: int = 5,
        lang: str = "auto",
    ) -> list[CredentialMapping]:
        """Map many credentials in one batch per language; a text shared by several (the same
        credential held by many people) is mapped once."""
        # Key: (language of the labels, language written in, text looked up). A credential's
        # texts are in its declared language: its title ("Solcellsinstallation") is glossed
        # as Swedish even where the words alone cannot say so. The title is looked up by its
        # subject (matcher.text.title_subject: "Barnvakt – grundkurs" as "Barnvakt").
        keyed: list[list[tuple[str, str | None, str]]] = []  # per credential, its texts' keys
        titles: list[str] = []
        for credential in credentials:
            written, *outcome_texts = credential_texts(credential)
            langs = self._langs_of(credential, lang)
            keyed.append([(*langs, t) for t in (title_subject(written), *outcome_texts)])
            titles.append(written)
        keys = list(dict.fromkeys(k for ks in keyed for k in ks))
        mapped: dict[tuple[str, str | None, str], OutcomeMapping] = {}
        for text_lang in sorted({k[0] for k in keys}):
            group = [k for k in keys if k[0] == text_lang]
            results = self.map_outcomes([t for _, _, t in group], top_k=top_k, lang=text_lang,
                                        written_in=[w for _, w, _ in group])
            mapped.update(zip(group, results, strict=True))
        out = []
        for credential, ks, as_written in zip(credentials, keyed, titles, strict=True):
            title, *outcomes = [mapped[k] for k in ks]
            title = replace(title, text=as_written)  # looked up by its subject, shown as written
            out.append(CredentialMapping(credential, tuple(outcomes), title))
        return out

    @staticmethod
    def _langs_of(credential: CredentialOffering | Credential, lang: str
                  ) -> tuple[str, str | None]:
        """The language of the labels returned and the one the credential is written in
        (None: not declared, detected per text)."""
        written = credential.language if credential.language in ("sv", "en") else None
        return (lang if lang != "auto" else written or "auto"), written

    # -- profiles ----------------------------------------------------------------------------
    def candidate_profiles(self, candidates: Sequence[CandidateInput]) -> list[CandidateProfile]:
        """Profiles for candidates read from a file (:func:`matcher.profiles.load_candidates`).

        Each credential's title and outcomes are mapped (all in one batch) and its links go
        through the one rule of :mod:`matcher.evidence`, as in the service.

        Raises:
            InvalidInputError: a credential was issued to another learner.
        """
        from matcher.errors import InvalidInputError
        from matcher.profiles import build_candidate_profile

        for candidate in candidates:
            for credential, _ in candidate.credentials:
                if credential.learner.id != candidate.id:
                    raise InvalidInputError(
                        f"credential {credential.id!r} was issued to {credential.learner.id!r}, "
                        f"not to candidate {candidate.id!r}; a candidate can only hold their "
                        "own credentials", field="credentials")
        every = [credential for c in candidates for credential, _ in c.credentials]
        mapped = iter(self.map_credentials(every))
        profiles = []
        for candidate in candidates:
            held = [(credential, verified, next(mapped).links())
                    for credential, verified in candidate.credentials]
            profiles.append(build_candidate_profile(
                candidate.id, held, self_declared=candidate.self_declared,
                taxonomy=self.taxonomy, policy=self.link_policy,
                title_names=[self.title_names(credential.title)
                             for credential, _ in candidate.credentials]))
        return profiles

    def title_names(self, title: str) -> tuple[TitleName, ...]:
        """The occupations a credential title comes close to
        (:func:`matcher.title_names.title_names`), as a profile and the service keep them.
        Remembered per title (the same courses come back with every holder)."""
        from matcher.title_names import title_names

        found = self._title_names.get(title)
        if found is None:
            found = title_names(self.occupation_names, title)
            if len(self._title_names) >= 4096:
                self._title_names.clear()
            self._title_names[title] = found
        return found

    def candidate_profile(
        self,
        credentials: Sequence[Credential | tuple[Credential, bool]],
        *,
        candidate_id: str | None = None,
        self_declared: Sequence[str] = (),
        verified: bool = False,
    ) -> CandidateProfile:
        """A candidate profile from the credentials a person holds.

        Args:
            credentials: credentials, or (credential, verified?) pairs.
            candidate_id: pseudonymous id (default: the learner id of the credentials).
            self_declared: ESCO skill URIs declared without a document.
            verified: whether plain credentials (not pairs) were verified.

        Raises:
            InvalidInputError: no id can be found, or a credential belongs to someone else.
            UnknownConceptError: a self-declared URI is not an ESCO skill.
        """
        from matcher.errors import InvalidInputError
        from matcher.profiles import CandidateInput

        pairs = [c if isinstance(c, tuple) else (c, verified) for c in credentials]
        if candidate_id is None:
            if not pairs:
                raise InvalidInputError("give a candidate_id when there are no credentials",
                                        field="candidate_id")
            candidate_id = pairs[0][0].learner.id
        return self.candidate_profiles(
            [CandidateInput(candidate_id, tuple(pairs), tuple(self_declared))])[0]

    def load_candidates(self, path: Path | str) -> list[CandidateProfile]:
        """Read a candidates file (see :func:`matcher.profiles.parse_candidates`) into profiles."""
        from matcher.profiles import load_candidates

        return self.candidate_profiles(load_candidates(path))

    def _with_must_have(self, profile: RequirementProfile,
                        must_have: Sequence[str]) -> RequirementProfile:
        for uri in must_have:
            self.taxonomy.skill(uri)
        return profile.with_must_have(must_have) if must_have else profile

    def requirement_from_occupation(self, uri: str, *, must_have: Sequence[str] = (),
                                    lang: str = "en") -> RequirementProfile:
        """Requirement profile of an ESCO occupation: essential skills 1, optional 0.5, each ×
        how specific the skill is (:meth:`matcher.suggest.OccupationSpace.specificity`)."""
        from matcher.profiles import requirement_from_occupation

        skills = [r.skill_uri for r in self.taxonomy.skills_of(uri)]
        specificity = (self.occupation_space.specificity(skills)
                       if skills and self.suggestion_params.requirement_specificity else None)
        return self._with_must_have(requirement_from_occupation(
            self.taxonomy, uri, lang=lang, specificity=specificity), must_have)

    def requirement_from_skills(self, skills: Sequence[Any], *, must_have: Sequence[str] = (),
                                title: str = "skill list", id: str = "skills"
                                ) -> RequirementProfile:
        """Requirement profile from ESCO skill URIs (or dicts with uri, weight, must_have)."""
        from matcher.profiles import requirement_from_skills

        return self._with_must_have(
            requirement_from_skills(self.taxonomy, skills, title=title, id=id), must_have)

    def requirement_from_ad(self, text: str, *, title: str | None = None, id: str = "ad",
                            occupation: str | None = None,
                            must_have: Sequence[str] = ()) -> RequirementProfile:
        """Requirement profile from a job ad's text (Swedish or English), read as
        :mod:`matcher.ad_reading` describes: sections and list items, labels, names and terms
        word for word, the links ``self.ad_policy`` keeps (requirement sentences weigh most,
        merits least); with ``ad_policy.context_weight`` on, in the light of the ad's
        occupation (its ``occupation`` field, else the job title in ``title``).

        Raises:
            InvalidInputError: the text is empty or names no skill confidently.
        """
        from matcher.ad_reading import AdSource, read_ads

        profile = read_ads(self, [AdSource(id, title, text, occupation)], self.ad_policy)[0]
        assert profile is not None
        return self._with_must_have(profile, must_have)

    # -- ranking -----------------------------------------------------------------------------
    @property
    def partial_credit(self) -> PartialCredit:
        """The skill × skill partial-credit matrix: loaded from MATCHER_HOME or built, saved."""
        if self._partial is None:
            from matcher.scoring.partial_credit import PartialCredit, partial_credit_key

            key = partial_credit_key(self.taxonomy, self.embedder.model_id, self.ranking_params)
            path = self.settings.home / "partial" / key
            if (path / "meta.json").exists():
                try:
                    self._partial = PartialCredit.load(path, self.taxonomy)
                except (OSError, ValueError, KeyError) as exc:
                    logger.warning("rebuilding the partial-credit matrix: %s", exc)
            if self._partial is None:
                started = time.perf_counter()
                self._partial = PartialCredit.build(self.taxonomy, index=self.index,
                                                    params=self.ranking_params)
                self._partial.save(path)
                logger.info("built partial-credit matrix (%d pairs) in %.1fs",
                            self._partial.nnz, time.perf_counter() - started)
        return self._partial

    def rank_candidates(
        self,
        requirement: RequirementProfile,
        candidates: Sequence[CandidateProfile | CandidateInput],
        top_k: int = 10,
        *,
        lang: str = "en",
    ) -> RankingResult:
        """Rank candidates against a requirement, each with a score in [0, 1] and why.

        Candidates who hold every must-have skill come first; within each group, by score.
        For an ESCO occupation's requirement, a candidate whose credential titles point to
        it is lifted in the order (never in the score shown, :data:`TITLE_WEIGHT
        <matcher.scoring.score.TITLE_WEIGHT>`), and the explanation names the title.
        Scoring is one sparse product over all candidates; explanations are built for the
        ``top_k`` only.

        Raises:
            UnknownConceptError: the requirement names a skill the taxonomy lacks.
            InvalidInputError: ``top_k`` is out of range.
        """
        from matcher.profiles import CandidateInput
        from matcher.scoring.rank import check_top_k, rank_profiles

        check_top_k(top_k)
        inputs = [c for c in candidates if isinstance(c, CandidateInput)]
        built = iter(self.candidate_profiles(inputs)) if inputs else iter(())
        profiles = [next(built) if isinstance(c, CandidateInput) else c for c in candidates]
        if requirement.occupation is not None:
            # A profile made by hand (skills and evidence, no title lifts) is lifted by the
            # titles its evidence names, as its suggestions are.
            from matcher.advice import with_title_lifts

            profiles = [with_title_lifts(self, p) for p in profiles]
        return rank_profiles(requirement, profiles, self.partial_credit, self.taxonomy,
                             top_k=top_k, lang=lang)

    # -- job ads, catalogue and suggestions ----------------------------------------------------
    def import_ads(self, path: Path | str) -> ImportReport:
        """Import job ads (JobSearch JSON list or JSON lines) with their requirement profiles
        into ``MATCHER_HOME/ads/ads.json`` (:meth:`matcher.ad_library.AdLibrary.import_ads`).
        A bad ad is reported and skipped; the stored ads stay as they were.

        Raises:
            InvalidInputError: the file is missing, unreadable or empty, or holds no usable
                ad; said before the model or the skill index is loaded.
        """
        from matcher.jobs import read_usable_ads

        # Read first: the library loads the model and the index.
        ads, problems = read_usable_ads(path, then="; nothing was imported")
        return self.ad_library.import_ads(ads, problems)

    def job_ads(self) -> tuple[list[StoredAd], str]:
        """The imported ads with their profiles, else the demo ads: (ads, "imported"|"demo")."""
        return self.ad_library.ads()[:2]

    @property
    def ad_library(self) -> AdLibrary:
        """The ads the library suggests from (:mod:`matcher.ad_library`)."""
        if self._ads is None:
            from matcher.ad_library import AdLibrary
            from matcher.ad_reading import read_ads

            self._ads = AdLibrary(
                self.settings.home, self._derived_with(),
                lambda ads: read_ads(self, ads, self.ad_policy, skip_unmapped=True),
                self.partial_credit.space, self.ad_policy)
        return self._ads

    def _derived_with(self) -> DerivedWith:
        from matcher.ad_library import DerivedWith

        return DerivedWith(self.taxonomy.content_hash, self.embedder.model_id,
                           self._mapper_key())

    def _mapper_key(self) -> str:
        """What the mapping results depend on besides taxonomy and model: the fusion
        parameters, the confidence model, the index kinds, the package version, and the code
        and glossary that segment and gloss a text and build the index. Cached mappings (demo
        ads, catalogue) are keyed by it, so a retuned or changed mapper remaps them."""
        import hashlib
        from dataclasses import asdict
        from importlib import resources

        from matcher.index import package_version

        mapper = self.mapper
        package = resources.files("matcher")
        sources = hashlib.sha256(b"".join(
            package.joinpath(name).read_bytes()
            for name in ("mapping.py", "calibration.py", "text.py", "gloss.py", "spelling.py",
                         "index.py", "skill_facts.py", "ad_sections.py", "requirements.py",
                         "ad_reading.py", "occupation_names.py",
                         "resources/sv_en_glossary.tsv", "resources/sv_ad_terms.tsv")))
        blob = repr((asdict(mapper.params), mapper.calibration, self._index_kinds,
                     package_version(), sources.hexdigest()))
        if mapper.index.stage != "full":  # results of a first-stage index are not kept as final
            blob += mapper.index.stage
        return hashlib.sha256(blob.encode()).hexdigest()[:10]

    def catalogue(self) -> list[CatalogueEntry]:
        """The issuers' catalogue (demo data) with mapped outcomes (:mod:`matcher.catalogue`)."""
        return self.course_catalogue.entries()

    @property
    def course_catalogue(self) -> Catalogue:
        if self._catalogue is None:
            from matcher.catalogue import Catalogue

            self._catalogue = Catalogue(
                self.settings.home, self._derived_with(),
                lambda texts, lang: self.map_outcomes(texts, top_k=5, lang=lang),
                self.taxonomy, self.link_policy, self.partial_credit)
        return self._catalogue

    @property
    def occupation_space(self) -> OccupationSpace:
        """Occupations × skills, weighted for suggestions (:mod:`matcher.suggest`)."""
        if self._occupations is None:
            from matcher.suggest import OccupationSpace

            self._occupations = OccupationSpace(self.taxonomy, self.partial_credit.space,
                                                self.suggestion_params)
        return self._occupations

    def rank_occupations(self, candidates: Sequence[CandidateProfile], top_k: int = 5
                         ) -> list[list[tuple[str, float]]]:
        """For each candidate, the ``top_k`` ESCO occupations in suggestion order (URI,
        relevance), as :meth:`suggest` orders them without an interest (the benchmarks)."""
        from matcher.advice import rank_occupations

        uris = self.occupation_space.uris
        out = []
        for profile in candidates:
            ranked, rel, boost, _ = rank_occupations(self, profile, top_k)
            out.append([(uris[i], float(rel.score[i] * (1.0 if boost is None else boost[i])))
                        for i in ranked])
        return out

    def suggest(
        self,
        candidate: CandidateProfile | CandidateInput,
        *,
        top_k: int = 5,
        interest: str | None = None,
        courses_per_gap: int = 3,
        lang: str = "en",
        ads: Sequence[tuple[str, str, RequirementProfile, Mapping[str, str]]] | None = None,
    ) -> Suggestions:
        """Top ESCO occupations and job ads for a candidate, with matched and missing skills
        and, for each missing skill, the catalogue credentials that teach it.

        Suggestions are ordered as a counsellor weighs them (:mod:`matcher.suggest`: skill
        specificity, link confidence, essential vs optional, no reward for short skill lists,
        a minimum support, the entry-level priority); each says what it rests on (``why``).
        With ``interest`` — what the person wants to move towards, in their words
        ("äldreomsorg med demensvård", "undersköterska") — the order becomes relevance ×
        (0.1 + closeness to the interest): through the skills the interest is mapped to (the
        closest row scaled to 1) or, for occupations, through their names
        (:mod:`matcher.occupation_names`); an occupation the interest names counts as
        supported. Job ads are the imported ones (``matcher ads import``), else the demo
        ads, unless ``ads`` gives them as (id, title, requirement profile, details such as
        employer); the result says which (``ads_source``: imported, demo or given).

        Raises:
            InvalidInputError: ``interest`` is given but empty (said before any profile is
                built) or names no skill or occupation.
        """
        from matcher.advice import advise
        from matcher.errors import InvalidInputError
        from matcher.scoring.rank import check_top_k
        from matcher.scoring.results import Suggestions

        check_top_k(top_k)
        if interest is not None and not interest.strip():
            raise InvalidInputError(
                "the interest is empty; say in a few words what you want to move towards "
                "('äldreomsorg med demensvård', 'undersköterska'), or leave it out",
                field="interest")
        profile = (candidate if isinstance(candidate, CandidateProfile)
                   else self.candidate_profiles([candidate])[0])
        if ads is None:
            stored, source, ad_matrix = self.ad_library.ads()
            ads = [(a.ad.id, a.ad.headline, a.requirement,
                    {k: str(v) for k, v in a.ad.summary().items()
                     if k in ("employer", "municipality", "publication_date")})
                   for a in stored]
        else:
            from matcher.scoring.score import requirement_matrix

            source = "given"
            ad_matrix = requirement_matrix([[(r.uri, r.weight) for r in requirement.requirements]
                                            for _, _, requirement, _ in ads],
                                           self.partial_credit.space)
        notes = list(profile.notes)
        if source == "demo":
            notes.append("no job ads imported: suggesting from the demo ads (import real ones "
                         "with 'matcher ads import FILE')")
        if profile.is_empty:
            notes.append("the candidate holds no skills, so nothing can be suggested; add "
                         "credentials or self-declared skills")
            return Suggestions(profile.id, (), (), source, tuple(notes))
        return advise(self, profile, ads, ad_matrix, source, notes, top_k=top_k,
                      interest=interest, courses_per_gap=courses_per_gap, lang=lang)

    @property
    def occupation_names(self) -> OccupationNames:
        """Every occupation label, for lookup by name (:mod:`matcher.occupation_names`)."""
        if self._names is None:
            from matcher.occupation_names import OccupationNames

            self._names = OccupationNames(self.taxonomy, self.embedder, home=self.settings.home,
                                          show_progress=self._show_progress)
        return self._names

    def match_occupations(self, query: str, *, top_k: int = 10) -> list[NameMatch]:
        """ESCO occupations by name ("undersköterska", "jobba som lagerarbetare"), lexical
        hits (typo-tolerant, any imported language) first, then by meaning.

        Raises:
            InvalidInputError: the query is empty.
        """
        from matcher.errors import InvalidInputError

        if not isinstance(query, str) or not query.strip():
            raise InvalidInputError("the occupation query is empty; give a job title",
                                    field="query")
        return self.occupation_names.match(query[:200], top_k=top_k)
