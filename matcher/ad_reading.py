"""A job ad's text → its requirement profile, phrase by phrase, optionally in the light of
the job the ad is for.

1. **Phrases.** The sections and list items of :mod:`matcher.ad_sections`: pitch, offer and
   application give nothing; requirements weigh most, merits least.
2. **Word for word.** A list item that is an ESCO label ("SQL"), a name written with a
   capital inside a sentence ("Microsoft SQL Server"), and a Swedish ad term
   (:func:`matcher.requirements.ad_terms`: "B-körkort" → *drive vehicles*, "svenska i tal
   och skrift" → *Swedish*) name their skill with confidence 1; a term's narrower skills
   (*write Swedish*) are then not taken from the same phrase's mapping.
3. **Mapped.** Every other phrase is mapped; :class:`matcher.requirements.AdPolicy` says which
   links count.
4. **The ad's occupation as context** (``AdPolicy.context_weight``; off by default, see
   there why). A recruiter reads "Läkemedelshantering enligt delegering" in an ad for an
   *undersköterska* as *assist in the administration of medication to elderly*. The job title
   (the occupation field, else the headline's title part: "Kassamedarbetare till Matmästarn –
   extrajobb" → "Kassamedarbetare") is matched to ESCO occupations by name
   (:func:`ad_occupations`); their skills become the phrases'
   :class:`~matcher.mapping.Context` (candidates for every phrase, with a lift in score), and
   a link outside them needs ``AdPolicy.outside_confidence``. A link the context raised says
   so in its reason.
5. **The ad's field** (``AdPolicy.field_neighbours``, on): the skills that the ad's
   occupation (when its title names one word for word) and its nearest occupations by
   shared skills list. A link outside the field needs ``AdPolicy.field_confidence``: an ad
   for an *undersköterska* does not ask for *theology* because one of its sentences came
   close to it. Unlike the context, the field lifts nothing, and a skill no occupation lists
   is never outside it.

Each requirement keeps its sentence and section. Chosen and measured on the dev ads
(``benchmarks/ad_requirements.py``).

Reads: the engine's resources (:class:`Resources`). Writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple, Protocol

from matcher.ad_sections import AdPhrase, ad_phrases
from matcher.errors import InvalidInputError
from matcher.index import SkillIndex
from matcher.mapping import Context
from matcher.models import OutcomeMapping
from matcher.occupation_names import NameMatch, OccupationNames
from matcher.profiles import RequirementProfile
from matcher.requirements import AdPolicy, ad_terms, requirement_from_phrases
from matcher.taxonomy import Taxonomy
from matcher.text import detect_language

# Occupations whose name scores within this much of the best one form the context (at most
# MAX_OCCUPATIONS): "undersköterska" is *nurse assistant*, *healthcare assistant* and
# *home care aide* alike.
NAME_MARGIN = 0.02
MAX_OCCUPATIONS = 3

# Where a headline's job title ends: "Svetsare till Norrstål", "Receptionist – bli en del av",
# "Butikssäljare, deltid", "Kock på Bistro Salt", "Lagerarbetare i Eskilstuna".
_TITLE_END = re.compile(r"\s+(?:till|hos|på|i|för|at|for|in)\s+|\s+[–—-]\s+|[,!:(|/]",
                        re.IGNORECASE)


class AdSource(NamedTuple):
    """One ad to read: its id, headline, text and (when the platform gives one) its
    occupation field ("Undersköterska, hemtjänst, hemsjukvård och äldreboende")."""

    id: str
    title: str | None
    text: str
    occupation: str | None = None


class Resources(Protocol):
    """What reading an ad needs of the engine."""

    @property
    def taxonomy(self) -> Taxonomy: ...
    @property
    def index(self) -> SkillIndex: ...
    @property
    def occupation_names(self) -> OccupationNames: ...

    def map_outcomes(self, texts: Sequence[str], *, top_k: int = 10, lang: str = "auto",
                     contexts: Sequence[Context | None] | None = None,
                     written_in: Sequence[str | None] | None = None
                     ) -> list[OutcomeMapping]: ...


def job_titles(ad: AdSource) -> list[str]:
    """The texts that name the ad's job: its occupation field, and each part of its headline
    cut before the employer or the pitch ("Timvikarier – vårdbiträde till Allékullen" →
    "Timvikarier", "vårdbiträde")."""
    out: list[str] = []
    if ad.occupation and ad.occupation.strip():
        out.append(_TITLE_END.split(ad.occupation.strip())[0].strip())
    for part in re.split(r"\s+[–—-]\s+", (ad.title or "").strip()):
        title = _TITLE_END.split(part)[0].strip()
        if re.search(r"\w{3,}", title) and title not in out:
            out.append(title)
    return out[:3]


def ad_occupations(names: OccupationNames, ad: AdSource) -> list[NameMatch]:
    """The ESCO occupations the ad is for, best first (empty when nothing names one)."""
    found: dict[str, tuple[float, NameMatch]] = {}
    for title in job_titles(ad):
        for match in names.match(title, top_k=MAX_OCCUPATIONS):
            # A word-for-word hit outranks any semantic one.
            key = (1.0 if match.method == "lexical" else 0.0) + match.score
            if match.uri not in found or key > found[match.uri][0]:
                found[match.uri] = (key, match)
    if not found:
        return []
    ranked = sorted(found.values(), key=lambda kv: -kv[0])
    best = ranked[0][0]
    return [m for key, m in ranked if key >= best - NAME_MARGIN][:MAX_OCCUPATIONS]


def occupation_context(taxonomy: Taxonomy, occupations: Sequence[NameMatch],
                       weight: float) -> Context | None:
    """The skills the occupations list (essential and optional), as a mapping context."""
    skills = frozenset(r.skill_uri for m in occupations for r in taxonomy.skills_of(m.uri))
    if not skills or weight <= 0:
        return None
    name = ", ".join(dict.fromkeys(taxonomy.occupations[m.uri].label("en") for m in occupations))
    return Context(skills, weight, name)


def field_skills(taxonomy: Taxonomy, occupations: Sequence[NameMatch],
                 neighbours: int) -> frozenset[str] | None:
    """The skills of the ad's field: those that ``occupations`` (the ones named word for
    word) or their ``neighbours`` nearest occupations by shared skills list (each skill
    weighted by its rarity: a nurse assistant's neighbours are nurses and care workers,
    whatever their ISCO group), and every skill no occupation lists. None when there is no
    field (no occupation named word for word, or ``neighbours`` 0)."""
    # Only a job title that names an occupation word for word: a semantic match to a title
    # is too often another job ("Gästvärd" -> *business valuer*, "Supporttekniker, IT" ->
    # *employment support worker*), and a wrong field would rule out the right skills.
    occupations = [m for m in occupations if m.method == "lexical"]
    if not occupations or neighbours <= 0:
        return None
    near = _Neighbours.of(taxonomy)
    uris = {m.uri for m in occupations} | near.nearest([m.uri for m in occupations], neighbours)
    inside = {r.skill_uri for uri in uris for r in taxonomy.skills_of(uri)}
    # A skill no occupation lists (*treat medical conditions of elderly people*) belongs to
    # no field, so none can rule it out.
    return frozenset(inside | near.unlisted)


class _Neighbours:
    """Occupations × skills, rows of unit length with each skill weighted by its inverse
    occupation frequency: the cosine of two rows says how much specific work they share.

    Built from the taxonomy alone (about a second, once per process), not from
    :class:`matcher.suggest.OccupationSpace`, whose columns are the partial-credit space:
    reading an ad must not wait for that to be built."""

    _last: tuple[Taxonomy, _Neighbours] | None = None  # one taxonomy per process in practice

    def __init__(self, taxonomy: Taxonomy) -> None:
        import numpy as np
        from scipy import sparse

        pairs = [(r.occupation_uri, r.skill_uri) for r in taxonomy.occupation_skills
                 if r.occupation_uri in taxonomy.occupations]
        self.uris = list(dict.fromkeys(o for o, _ in pairs))
        self.row = {u: i for i, u in enumerate(self.uris)}
        cols = {s: j for j, s in enumerate(dict.fromkeys(s for _, s in pairs))}
        m = sparse.csr_matrix((np.ones(len(pairs), dtype=np.float32),
                               ([self.row[o] for o, _ in pairs], [cols[s] for _, s in pairs])),
                              shape=(len(self.uris), len(cols)))
        m.sum_duplicates()
        m.data[:] = 1.0
        df = np.asarray(m.sum(axis=0)).ravel()
        m = m @ sparse.diags(np.log((len(self.uris) + 1) / (df + 1)).astype(np.float32))
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        self.matrix = (sparse.diags(1 / np.maximum(norms, 1e-9)) @ m).tocsr()
        self.unlisted = frozenset(set(taxonomy.skills) - set(cols))

    @classmethod
    def of(cls, taxonomy: Taxonomy) -> _Neighbours:
        if cls._last is None or cls._last[0] is not taxonomy:
            cls._last = (taxonomy, cls(taxonomy))
        return cls._last[1]

    def nearest(self, uris: Sequence[str], k: int) -> set[str]:
        import numpy as np

        rows = [self.row[u] for u in uris if u in self.row]
        if not rows:
            return set()
        sims = np.asarray((self.matrix[rows] @ self.matrix.T).max(axis=0).todense()).ravel()
        best = np.argsort(-sims, kind="stable")[:k + len(rows)]
        return {self.uris[i] for i in best if sims[i] > 0}  # no neighbour shares nothing


def read_ads(resources: Resources, ads: Sequence[AdSource], policy: AdPolicy, *,
             skip_unmapped: bool = False) -> list[RequirementProfile | None]:
    """One requirement profile per ad; with ``skip_unmapped``, None for an ad whose text names
    no skill confidently (else that raises InvalidInputError)."""
    per_ad: list[list[AdPhrase]] = []
    # The language of each ad, read from its whole text: its phrases are in it unless their
    # own words clearly say otherwise ("solceller" alone could be English for all it says).
    languages: list[str] = []
    contexts: list[Context | None] = []
    fields: list[frozenset[str] | None] = []
    for ad in ads:
        if not isinstance(ad.text, str) or not ad.text.strip():
            raise InvalidInputError(f"ad {ad.title or ad.id!r} has no text", field="text")
        # An ad without recognisable tasks or requirements is read whole, as a task.
        per_ad.append(ad_phrases(ad.text) or [AdPhrase(ad.text.strip()[:2000], "tasks")])
        languages.append(detect_language(ad.text))
        occupations = (ad_occupations(resources.occupation_names, ad)
                       if policy.context_weight > 0 or policy.field_neighbours > 0 else [])
        contexts.append(occupation_context(resources.taxonomy, occupations,
                                           policy.context_weight)
                        if policy.context_weight > 0 else None)
        fields.append(field_skills(resources.taxonomy, occupations, policy.field_neighbours))
    named, whole, unlisted = _named(resources, [p for phrases in per_ad for p in phrases])
    # A phrase of names and frame words is read as its names alone (_named): it becomes the
    # phrase of those names, keeping the skills its other names gave word for word.
    per_ad = [[replace(p, text=unlisted[_key(p)]) if _key(p) in unlisted else p
               for p in phrases] for phrases in per_ad]
    named = {(unlisted.get(k, k[0]), k[1]): uris for k, uris in named.items()}
    names_alone = set(unlisted.values())
    # A phrase is mapped once per context and language it occurs in (one ad, or ads for the
    # same job).
    keyed = list(dict.fromkeys((p.text, context, language)
                               for phrases, context, language in zip(per_ad, contexts, languages,
                                                                     strict=True)
                               for p in phrases if _key(p) not in whole))
    mapped = dict(zip(keyed, resources.map_outcomes(
        [text for text, _, _ in keyed], top_k=5, contexts=[c for _, c, _ in keyed],
        written_in=[language for _, _, language in keyed]), strict=True)) if keyed else {}
    related = _related(resources.taxonomy, {u for uris in named.values() for u in uris})
    for key, mapping in mapped.items():
        # "svenska i tal och skrift" names *Swedish*: not also *write Swedish*.
        drop = {r for merit in (False, True) for u in named.get((key[0], merit), ())
                for r in related.get(u, ())}
        if drop:
            mapped[key] = replace(
                mapping, skills=tuple(s for s in mapping.skills if s.uri not in drop))
    out: list[RequirementProfile | None] = []
    for ad, phrases, context, language, field in zip(ads, per_ad, contexts, languages, fields,
                                                     strict=True):
        exact = [named.get(_key(p), []) for p in phrases]
        try:
            profile = requirement_from_phrases(
                ad.id, ad.title or ad.id, phrases,
                [mapped.get((p.text, context, language)) for p in phrases], exact,
                policy=policy,
                context=context.skills if context is not None else frozenset(), field=field)
            # Names read alone that gave no skill: said, so the employer knows they were read.
            read = {r.evidence for r in profile.requirements}
            tools = list(dict.fromkeys(p.text for p in phrases
                                       if p.text in names_alone and p.text not in read))
            if tools:
                profile = replace(profile, notes=(
                    *profile.notes, "no ESCO skill for " + ", ".join(tools)
                    + ", so not part of the requirement"))
            out.append(profile)
        except InvalidInputError:
            if not skip_unmapped:
                raise
            out.append(None)
    return out


def _key(phrase: AdPhrase) -> tuple[str, bool]:
    """A phrase's text and whether it is a merit: what the skills it names depend on."""
    return phrase.text, phrase.section == "merit"


def _named(resources: Resources, phrases: Sequence[AdPhrase]
           ) -> tuple[dict[tuple[str, bool], list[str]], set[tuple[str, bool]],
                      dict[tuple[str, bool], str]]:
    """Per phrase (:func:`_key`), the skills it names word for word (URIs): a list item that
    is an ESCO label ("SQL"), and Swedish ad terms (:func:`matcher.requirements.ad_terms`:
    "B-körkort"). Also the phrases that say nothing more, and so are not mapped, and, for a
    phrase that says nothing but names ESCO does not have as labels and how well one knows
    them ("Vana att arbeta i Jira", "samt HTML"), those names: they are mapped alone, without
    the words around them (mapped whole, "Vana att arbeta i Jira" gave *work in inclement
    conditions*; "Jira" alone links nothing confidently, "HTML" *use markup languages*)."""
    index, taxonomy = resources.index, resources.taxonomy
    named: dict[tuple[str, bool], list[str]] = {}
    whole: set[tuple[str, bool]] = set()
    unlisted: dict[tuple[str, bool], str] = {}
    for phrase in phrases:
        if _key(phrase) in named:
            continue
        uris = _labelled(index, phrase.text) if phrase.item else []
        if uris:
            whole.add(_key(phrase))
        else:
            # Names written with a capital inside a sentence ("Du är van vid Java och Spring",
            # "SQL-databaser (vi använder Microsoft SQL Server)") that are ESCO labels.
            uris = list(dict.fromkeys(u for name in _names(phrase.text)
                                      for u in _labelled(index, name)))
            runs = _name_runs(phrase.text)
            if runs and _frame_only(phrase.text, runs):
                # Nothing but names and how well one knows them: the names are the skills.
                unknown = [run for run in runs
                           if not any(_labelled(index, name) for name in _names(run))]
                if unknown:
                    unlisted[_key(phrase)] = ", ".join(unknown)
                else:
                    whole.add(_key(phrase))
        rest, terms = phrase.text, False
        for words, label in ad_terms(phrase.text, merit=phrase.section == "merit"):
            uri = _skill_with_label(index, taxonomy, label)
            if uri is not None and uri not in uris:
                uris.append(uri)
                rest, terms = rest.replace(words, " "), True
        # "B-körkort (manuell växellåda)", "svenska och engelska": nothing else to map. (A
        # name leaves the phrase to the mapper too: "IT-support" is more than *IT*.)
        if terms and len(re.findall(r"\w{3,}", rest)) <= 2:
            whole.add(_key(phrase))
        named[_key(phrase)] = uris
    return named, whole, unlisted


# A run of words written with a capital or in capitals ("Microsoft SQL Server", "C#", "CSS").
_NAME = re.compile(r"(?<![\w#+.])[A-ZÅÄÖ][\w#+]*(?:\.[A-Za-z]+)?"
                   r"(?:\s+[A-ZÅÄÖ][\w#+]*(?:\.[A-Za-z]+)?)*")


# What an ad's item says around the names it asks for ("Vana att arbeta i Jira", "Goda
# kunskaper i Visma och Excel", "Minst tre års erfarenhet av SAP"): with the names taken out,
# an item of only these words asks for the names and nothing else.
_FRAME = frozenset("""
erfarenhet erfarenheter vana van vid kunskap kunskaper kännedom förståelse god goda
gedigen gedigna mycket djup djupa grundläggande bred breda praktisk praktiska dokumenterad
dokumenterade tidigare minst flera ett två tre fyra fem år års arbeta arbetat jobba jobbat
använda använt hantera hanterat att av i inom med och samt eller från som du har är vi ser
gärna det en plus bra någon några verktyget verktygen systemet programmet
""".split())


def _runs(text: str) -> list[list[str]]:
    """The words of each run of names in ``text``; the sentence's first word only when in
    capitals (else it is capitalised for its place)."""
    runs = []
    for match in _NAME.finditer(text):
        words = match.group(0).split()
        if match.start() == 0 and not words[0].isupper():
            words = words[1:]
        if words:
            runs.append(words)
    return runs


def _name_runs(text: str) -> list[str]:
    """The names of :func:`_names`, whole runs only ("Microsoft SQL Server"); a single
    letter is no name (the "B" of "Truckkort A och B" is a licence class, an ad term)."""
    return [run for run in map(" ".join, _runs(text)) if len(re.findall(r"\w", run)) >= 2]


def _frame_only(text: str, runs: Sequence[str]) -> bool:
    """Whether ``text`` says nothing but its names (``runs``) and :data:`_FRAME` words."""
    rest = text
    for run in sorted(runs, key=len, reverse=True):
        rest = rest.replace(run, " ")
    return all(w in _FRAME for w in re.findall(r"[^\W\d_]+", rest.lower()))


def _names(text: str) -> list[str]:
    """Names in ``text``, each run also by its words and its tail ("Microsoft SQL Server" →
    "SQL Server", "SQL", "Server"); the sentence's first word only when in capitals."""
    return list(dict.fromkeys(" ".join(words[start:end]) for words in _runs(text)
                              for start in range(len(words))
                              for end in range(len(words), start, -1)))


def _labelled(index: SkillIndex, text: str) -> list[str]:
    """The skills with a label equal to ``text``; none when it is ambiguous (a label shared
    by more than two skills: the phrase is mapped instead)."""
    rows = index.exact_skills(text)
    return [index.uris[r] for r in rows] if len(rows) <= 2 else []


def _skill_with_label(index: SkillIndex, taxonomy: Taxonomy, label: str) -> str | None:
    """The skill whose English preferred label is ``label`` (a term's skill), or None."""
    for row in index.exact_skills(label):
        uri = index.uris[row]
        if taxonomy.skills[uri].label("en") == label:
            return uri
    return None


def _related(taxonomy: Taxonomy, uris: set[str]) -> dict[str, set[str]]:
    """Per skill, its broader and narrower skills (one step) in ESCO's hierarchy."""
    return {u: {*taxonomy.skill_broader.get(u, ()), *taxonomy.skill_narrower(u)} for u in uris}
