"""What a credential's title is looked up as."""

from __future__ import annotations

import pytest

from matcher.text import detect_language, title_subject


@pytest.mark.parametrize(("title", "subject"), [
    ("Barnvakt – grundkurs", "Barnvakt"),
    ("Introduktion till demensvård", "demensvård"),
    ("YKB fortbildning – 35 timmar", "YKB"),
    ("Validering – fordonsmekaniker", "fordonsmekaniker"),
    ("Rehabilitering 1", "Rehabilitering"),
    ("Serveringsansvar – alkohollagen i praktiken", "Serveringsansvar – alkohollagen"),
    ("Introduction to first aid (online)", "first aid"),
    # Licence classes and subjects stay; so does a title of course words alone.
    ("Truckförarutbildning A och B", "Truckförarutbildning A och B"),
    ("Svenska för vården", "Svenska för vården"),
    ("Grundkurs", "Grundkurs"),
])
def test_a_title_is_read_by_its_subject_not_the_kind_of_course(title: str, subject: str) -> None:
    assert title_subject(title) == subject


def test_a_known_language_holds_unless_the_words_clearly_say_otherwise() -> None:
    assert detect_language("solceller") == "en"  # nothing tells: English
    assert detect_language("solceller", "sv") == "sv"
    assert detect_language("Truckkort A+B", "sv") == "sv"  # one "a" is no English sentence
    assert detect_language("You will handle tickets in our tool", "sv") == "en"
    assert detect_language("Deltagaren kan köra truck", "en") == "sv"
