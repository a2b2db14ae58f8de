"""The concept vocabulary: checked when loaded, annotating texts written in other words."""

from pathlib import Path

import pytest

from app.language.vocabulary import DIRECTORY, FACETS, load, vocabulary, vocabulary_digest

SCHEME = """
[scheme]
id = "test"
uri = "https://example.org/test/"
version = "1"
title = "Test"
description = "Test"
language = "sv"
license = "https://creativecommons.org/publicdomain/zero/1.0/"

[[concept]]
id = "omsorg"
pref_label = "omsorg"
facet = "domain"
"""


def written(tmp_path: Path, concepts: str) -> Path:
    (tmp_path / "scheme.toml").write_text(SCHEME, encoding="utf-8")
    (tmp_path / "more.toml").write_text(concepts, encoding="utf-8")
    return tmp_path


class TestTheVocabulary:
    def test_covers_public_sector_work_with_at_least_400_concepts_in_every_facet(self):
        found = vocabulary()
        assert len(found.concepts) >= 400
        assert {concept.facet for concept in found.concepts.values()} == set(FACETS)
        assert len(found.top_concepts) >= 15 and found.digest

    def test_every_concept_outside_the_domains_has_cues(self):
        without = [c.id for c in vocabulary().concepts.values() if c.facet != "domain" and not c.cues]
        assert without == []

    def test_the_files_are_the_vocabulary_loaded(self):
        assert load(DIRECTORY).digest == vocabulary().digest


class TestChecks:
    @pytest.mark.parametrize(
        ("concepts", "message"),
        [
            ('[[concept]]\nid = "omsorg"\npref_label = "vård"\nfacet = "domain"\n', "defined twice"),
            ('[[concept]]\nid = "a"\npref_label = "Omsorg"\nfacet = "service"\n', "also a label"),
            ('[[concept]]\nid = "a"\npref_label = "a"\nfacet = "service"\nbroader = ["b"]\n', "not defined"),
            ('[[concept]]\nid = "a"\npref_label = "a"\nfacet = "colour"\n', "facet must be"),
            ('[[concept]]\nid = "a"\npref_label = "a"\nfacet = "service"\ncues = ["höjd beredskap"]\n', "not one word"),
            (
                '[[concept]]\nid = "a"\npref_label = "a"\nfacet = "service"\nbroader = ["b"]\n'
                '[[concept]]\nid = "b"\npref_label = "b"\nfacet = "service"\nbroader = ["a"]\n',
                "cycle",
            ),
        ],
    )
    def test_a_broken_vocabulary_is_refused_with_the_reason(self, tmp_path, concepts, message):
        with pytest.raises(ValueError, match=message):
            load(written(tmp_path, concepts))


class TestAnnotation:
    @pytest.mark.parametrize(
        ("text", "concept"),
        [
            ("Nattkamerorna ersätter besöken", "digital-nattillsyn"),
            ("Byte av trygghetslarmen till digitala", "trygghetslarm"),
            ("Ansökan om försörjningsstöd på webben", "ekonomiskt-bistand"),
            ("Vi inför RPA i löneadministrationen", "rpa"),
        ],
    )
    def test_labels_in_any_inflection_or_inside_compounds(self, text, concept):
        assert concept in vocabulary().annotate(text)

    def test_a_two_letter_abbreviation_counts_only_in_capitals(self):
        assert "ai" in vocabulary().annotate("Ett AI-stöd för handläggare")
        assert "ai" not in vocabulary().annotate("ai")

    @pytest.mark.parametrize(
        ("capitals", "lower_case", "concept"),
        [
            ("Vi hämtar data från VISS", "Vissa brukare vill ha tillsyn via kamera", "miljoovervakning"),
            ("Rådgivning från BUS", "Ett bus på skolgården", "budget-och-skuldradgivning"),
            ("Vi bygger LOD i nya områden", "Mätning med lod i brunnen", "dagvatten"),
        ],
    )
    def test_an_abbreviation_that_is_also_a_word_counts_only_in_capitals(self, capitals, lower_case, concept):
        assert concept in vocabulary().annotate(capitals)
        assert concept not in vocabulary().annotate(lower_case)

    def test_an_abbreviation_that_is_no_word_counts_in_lower_case_too(self):
        assert "dataskydd" in vocabulary().annotate("Vi ser över gdpr-rutinerna")

    def test_cues_suggest_a_concept_only_when_two_different_ones_occur(self):
        found = vocabulary()
        text = "En kamera i rummet gör att nattpersonalen kan titta till brukaren utan att väcka henne"
        assert found.mentions(text).get("digital-nattillsyn", 0) > 0
        assert "digital-nattillsyn" not in found.annotate(text)  # suggested, not named
        assert "digital-nattillsyn" not in found.mentions("En kamera")


def test_the_digest_without_loading_is_the_loaded_vocabularys():
    """`registry serve` compares stored annotations with it at each start, without loading."""
    assert vocabulary_digest() == vocabulary().digest
