"""Swedish typed without å/ä/ö or with typos still reaches the glossary (issue 14, part 4)."""

from __future__ import annotations

import random
from pathlib import Path

from matcher import Engine, Settings, read_esco
from matcher.embedding import HashingEmbedder
from matcher.gloss import gloss_swedish
from matcher.spelling import correct_swedish, strip_aao
from matcher.text import detect_language
from tests.fixtures.esco_mini import SKILL


def test_words_typed_without_aao_are_restored() -> None:
    assert correct_swedish("lokalvardare") == "lokalvårdare"
    assert correct_swedish("skoterska") == "sköterska"
    # A text without any å/ä/ö: a word the glossary knows only with them is restored, also
    # when the letters without them spell a rarer word ("vard", "for").
    assert correct_swedish("ge god vard for aldre") == "ge god vård för äldre"



def test_a_common_word_is_not_restored_to_a_rarer_one() -> None:
    """An ad's list item "servera mat" (serve food) has no å/ä/ö because none is needed; it
    became "servera mät" (measure) and was read as *metrology*. A word is restored only to a
    spelling Swedish text uses far more often."""
    for text in ("servera mat", "laga maten", "Plats: Malmo", "stark i svenska", "van vid kassa"):
        assert correct_swedish(text) == text
    assert gloss_swedish(correct_swedish("servera mat")) == "serve food"
    # Where several meanings fit, the far more frequent one: "ar" is "är" (is), not "år".
    assert correct_swedish("tva ar") == "två är"
    # A real word is no typo of its neighbour ("ofyllda" is unfilled, not "fyllda").
    assert correct_swedish("ofyllda platser") == "ofyllda platser"

def test_a_typo_in_a_long_word_is_corrected_to_the_glossary_word() -> None:
    assert correct_swedish("Deltagaren kan isgnera journalen korerkt") == (
        "Deltagaren kan signera journalen korrekt")
    assert correct_swedish("Delatgaren kan kanna igen tecken") == (
        "Deltagaren kan känna igen tecken")
    assert gloss_swedish(correct_swedish("utfora lokalvadrare")).startswith("perform")


def test_the_words_one_edit_away_are_all_found_and_only_those() -> None:
    """The corrector finds a typed word's neighbours through an index of one-letter
    deletions; it must find exactly what comparing with every word finds."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    from matcher.spelling import _vocabulary

    vocab = _vocabulary()
    rng = random.Random(7)
    typed = ["lokalvardare", "lokalvadrare", "fortkortning", "hygienrutinr", "xqzzyvwk"]
    for word in rng.sample(vocab.keys, 30):
        i = rng.randrange(len(word))
        typed += [word, word[:i] + word[i + 1:], word[:i] + "e" + word[i:],
                  word[:i] + "k" + word[i + 1:], word[:i] + word[i + 1:i + 2] + word[i:i + 1]
                  + word[i + 2:]]
    for word in typed:
        every = {k for k, _, _ in process.extract(word, vocab.keys, scorer=OSA.distance,
                                                  score_cutoff=1, limit=None)}
        assert vocab.near(word) == every, word


def test_correct_text_is_never_changed() -> None:
    for text in (
        "Deltagaren kan läsa och tolka ritningar samt välja rätt verktyg.",
        "Kan arbeta med verktygsvana i Skåne och Göinge tillsammans med Saman.",
        "Använda Excel och SolidWorks, ge support och place-ment.",
        "Kan hantera hygienrutiner och klädregler i vård- och omsorgsarbetet.",
    ):
        assert correct_swedish(text) == text


def test_an_unknown_or_ambiguous_word_is_left_as_typed() -> None:
    # No glossary word is one edit away: the model reads it by its own subwords.
    assert correct_swedish("kan använda xqzlrptvk") == "kan använda xqzlrptvk"
    # Names inside a sentence and acronyms are never corrected.
    assert correct_swedish("enligt lex Sarha och HLR") == "enligt lex Sarha och HLR"


def test_swedish_without_aao_is_still_detected_as_swedish() -> None:
    text = "Deltagaren kan tillämpa hygienrutiner på arbetsplatsen för att förebygga smitta."
    assert detect_language(strip_aao(text)) == "sv"


def test_a_swedish_outcome_typed_without_aao_maps_like_the_clean_one(
        bundle_dir: Path, tmp_path: Path) -> None:
    taxonomy = read_esco([bundle_dir / "classification-en"], version="v1.1.1")
    engine = Engine(Settings(home=tmp_path, model="hashing"), taxonomy=taxonomy,
                    embedder=HashingEmbedder(), show_progress=False)
    clean = "Deltagaren kan läsa och tolka ritningar"
    typed = ["Deltagaren kan lasa och tolka ritnignar", "Delatgaren kan läsa och tolka ritningar"]
    results = engine.map_outcomes([clean, *typed], top_k=3)
    for mapping in results:
        assert mapping.skills[0].uri == SKILL + "drawings"
    assert [s.text for s in engine.mapper.segment(typed[1])[0]] == [
        s.text for s in engine.mapper.segment(clean)[0]]
