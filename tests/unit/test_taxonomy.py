from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from matcher import TaxonomyImportError, UnknownConceptError, read_esco
from matcher.taxonomy import imported_meta, load_imported, save_taxonomy
from tests.fixtures import esco_mini


def test_reads_classification_and_relations(mini_taxonomy) -> None:
    counts = mini_taxonomy.counts()
    assert counts["skills"] == len(esco_mini.SKILLS)
    assert counts["occupations"] == len(esco_mini.OCCUPATIONS)
    assert counts["occupation_skill_relations"] == len(esco_mini.RELATIONS)
    assert counts["essential_relations"] == 7
    assert counts["skill_skill_relations"] == 1
    assert mini_taxonomy.version == "v1.1.1"


def test_languages_merge_by_uri(mini_taxonomy) -> None:
    forklift = mini_taxonomy.skill(esco_mini.SKILL + "forklift")
    assert forklift.label("en") == "operate forklift"
    assert forklift.label("sv") == "köra gaffeltruck"
    assert "truckkörning" in forklift.alt_labels["sv"]
    assert forklift.skill_type == "skill/competence"
    assert forklift.description("sv").startswith("Operate a forklift")  # falls back to English
    assert mini_taxonomy.languages == ("en", "sv")


def test_zip_and_folder_read_the_same(bundle_dir: Path, tmp_path: Path) -> None:
    zipped = esco_mini.zip_folder(bundle_dir / "classification-en", tmp_path / "cls.zip")
    from_zip = read_esco([zipped, bundle_dir / "relations"], version="x")
    from_dir = read_esco([bundle_dir / "classification-en", bundle_dir / "relations"], version="x")
    assert from_zip.content_hash == from_dir.content_hash


def test_reads_v12_column_set(tmp_path: Path) -> None:
    cls = esco_mini.write_bundle(tmp_path / "cls", version="1.2")
    rel = esco_mini.write_relations(tmp_path / "rel", version="1.2")
    taxonomy = read_esco([cls, rel])
    assert taxonomy.counts()["occupation_skill_relations"] == len(esco_mini.RELATIONS)
    assert taxonomy.occupation(esco_mini.OCC + "receptionist").code == "4224.1"


def test_version_read_from_bundle_name(bundle_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "ESCO dataset - v1.2.0 - classification - en - csv.zip"
    zipped = esco_mini.zip_folder(bundle_dir / "classification-en", target)
    assert read_esco([zipped]).version == "v1.2.0"


def test_label_file_adds_swedish_labels(bundle_dir: Path, tmp_path: Path) -> None:
    labels = tmp_path / "labels.tsv"
    labels.write_text(
        "uri\tlang\tlabel\n"
        f"{esco_mini.OCC}receptionist\tsv\treceptionist på hotell\n"
        f"{esco_mini.OCC}receptionist\tsv\tnattportier\n"
        "http://data.europa.eu/esco/occupation/unknown\tsv\tokänd\n",
        encoding="utf-8",
    )
    taxonomy = read_esco([bundle_dir / "classification-en", labels])
    occupation = taxonomy.occupation(esco_mini.OCC + "receptionist")
    assert occupation.label("sv") == "receptionist på hotell"
    assert occupation.alt_labels["sv"] == ("nattportier",)
    assert any("1 of 3 labels" in note for note in taxonomy.notes)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("just one column\n", "expected 3 tab-separated columns"),
        ("http://x\tswedish\tlabel\n", "not a language code"),
    ],
)
def test_bad_label_file(bundle_dir: Path, tmp_path: Path, content: str, message: str) -> None:
    labels = tmp_path / "bad.tsv"
    labels.write_text("uri\tlang\tlabel\n" + content, encoding="utf-8")
    with pytest.raises(TaxonomyImportError, match=message):
        read_esco([bundle_dir / "classification-en", labels])


def test_missing_column_names_file_and_columns(bundle_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(bundle_dir / "classification-en", broken)
    path = broken / "skills_en.csv"
    path.write_text(path.read_text().replace("preferredLabel", "prefLabel", 1))
    with pytest.raises(TaxonomyImportError) as info:
        read_esco([broken])
    assert "skills_en.csv" in info.value.message
    assert "preferredLabel" in info.value.message


def test_unreadable_zip(tmp_path: Path) -> None:
    bad = tmp_path / "bundle.zip"
    bad.write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(TaxonomyImportError, match="cannot read as a zip"):
        read_esco([bad])


def test_missing_path_and_missing_skills_file(bundle_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(TaxonomyImportError, match="no such file"):
        read_esco([tmp_path / "nowhere.zip"])
    with pytest.raises(TaxonomyImportError, match="no skills_<lang>.csv"):
        read_esco([bundle_dir / "relations"])


def test_unknown_uri_error_says_what_is_valid(mini_taxonomy) -> None:
    with pytest.raises(UnknownConceptError, match="has 12 skills"):
        mini_taxonomy.skill("http://data.europa.eu/esco/skill/nope")


def test_save_load_round_trip_and_idempotent(mini_taxonomy, bundle_dir: Path,
                                             tmp_path: Path) -> None:
    save_taxonomy(mini_taxonomy, tmp_path)
    loaded = load_imported(tmp_path)
    assert loaded.content_hash == mini_taxonomy.content_hash
    assert loaded.counts() == mini_taxonomy.counts()
    again = read_esco([bundle_dir / "classification-en", bundle_dir / "classification-sv",
                       bundle_dir / "relations"], version="v1.1.1")
    save_taxonomy(again, tmp_path)
    assert imported_meta(tmp_path)["hash"] == mini_taxonomy.content_hash
    assert sorted(p.name for p in tmp_path.iterdir()) == ["current"]


def test_interrupted_swap_is_recovered(mini_taxonomy, tmp_path: Path) -> None:
    save_taxonomy(mini_taxonomy, tmp_path)
    (tmp_path / "current").rename(tmp_path / ".previous")  # as if stopped between renames
    assert load_imported(tmp_path).content_hash == mini_taxonomy.content_hash


def test_narrower_skills_are_the_inverse_of_broader(mini_taxonomy) -> None:
    skill = esco_mini.SKILL
    assert mini_taxonomy.skill_narrower(skill + "customer") == (skill + "reception",)
    assert mini_taxonomy.skill_narrower(skill + "reception") == ()
