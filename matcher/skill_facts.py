"""What the mapper knows about each skill besides how close its labels are to a text.

- **Prior** (:func:`skill_prior`): skills that many ESCO occupations need are mentioned more
  often; log-scaled to [0, 1].
- **What its name says** (:class:`LabelWords`): the content words of the skill's preferred
  English label, each weighted by how rare it is among the labels (inverse document
  frequency). A link whose name says something the text does not is less likely: "use
  safety equipment in *construction*" for a workshop's protective equipment, "work in
  *textile manufacturing* teams" for an assembly line, "work in a *construction* team" for a
  Kanban board. The nearest label variant is often a generic alternative label ("use personal
  protective equipment", "work in team"), so the similarity alone cannot tell; the preferred
  label says what the skill is. :meth:`LabelWords.unsaid` gives, per skill, the share of that
  weight the text (and its English gloss) does not say; the fusion subtracts a small multiple
  of it (:attr:`matcher.mapping.MappingParams.unsaid_weight`).

Reads the taxonomy and the index's skill order; writes nothing.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from matcher.index import SkillIndex
from matcher.taxonomy import Taxonomy

_WORD = re.compile(r"[a-z0-9+#]+")
# Words that say how a skill is done, not what it is about: never counted as unsaid.
_GENERIC = frozenset(
    "a an the and or of in on for to with by at from as into use using apply perform ensure "
    "carry out manage".split())


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def stems(text: str) -> set[str]:
    """The English stems of ``text``'s content words (Swedish words pass through unchanged
    but for an English suffix, and then match nothing)."""
    words = [w for w in _WORD.findall(text.lower()) if len(w) > 1 and w not in _GENERIC]
    return set(_stemmer().stemWords(words))


def skill_prior(taxonomy: Taxonomy, index: SkillIndex) -> np.ndarray:
    """Per index row: log(1 + occupations needing the skill), essential 1 and optional ½,
    scaled to [0, 1] (zeros without occupation relations)."""
    counts = np.zeros(len(index.uris), dtype=np.float32)
    for relation in taxonomy.occupation_skills:
        row = index.row(relation.skill_uri)
        if row is not None:
            counts[row] += 1.0 if relation.essential else 0.5
    if counts.max() > 0:
        prior: np.ndarray = (np.log1p(counts) / np.log1p(counts.max())).astype(np.float32)
        return prior
    return counts


class LabelWords:
    """Per index row, the stems of the skill's preferred English label and their weights."""

    def __init__(self, taxonomy: Taxonomy, index: SkillIndex) -> None:
        labels = [stems(taxonomy.skills[uri].label("en")) for uri in index.uris]
        frequency = Counter(stem for label in labels for stem in label)
        n = max(len(labels), 1)
        # A name of one word ("geriatrics", "Swedish") is a concept the model relates to its
        # paraphrases ("elderly dementia care"); only a name of several words can say more
        # than the text.
        self._weights = [{stem: math.log(n / (1 + frequency[stem])) for stem in label}
                         if len(label) >= 2 else {} for label in labels]

    def unsaid(self, rows: np.ndarray, texts: Iterable[str]) -> np.ndarray:
        """For each row, the share of its label's weight whose words none of ``texts`` says
        (0: the text says every word of the skill's name, or the name has fewer than two
        content words)."""
        said = set().union(*(stems(t) for t in texts))
        out = np.zeros(len(rows), dtype=np.float64)
        for i, row in enumerate(rows.tolist()):
            weights = self._weights[row]
            total = sum(weights.values())
            if total > 0:
                out[i] = sum(w for stem, w in weights.items() if stem not in said) / total
        return out
