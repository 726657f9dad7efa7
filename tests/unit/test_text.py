"""What a credential's title is looked up as."""

from __future__ import annotations

import pytest

from matcher.text import title_subject


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
