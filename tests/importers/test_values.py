from datetime import date, datetime

import pytest

from app.core.enums import Category, InitiativeStatus
from importers import values


class TestAmount:
    @pytest.mark.parametrize(
        ("written", "kronor"),
        [
            ("1 200 000 kr", 1_200_000),
            ("1\u00a0200\u00a0000 kr", 1_200_000),
            ("1,2 mnkr", 1_200_000),
            ("1.2 Mkr", 1_200_000),
            ("500 tkr", 500_000),
            ("1.200.000:-", 1_200_000),
            ("1 200 000,50 kr", 1_200_000),
            ("2,5 miljoner kr", 2_500_000),
            ("1200000 SEK", 1_200_000),
            ("12 kr.", 12),
            ("0,5 mdkr", 500_000_000),
            (1_200_000, 1_200_000),
            (1_200_000.4, 1_200_000),
            ("1,200,000", 1_200_000),
        ],
    )
    def test_swedish_ways_of_writing_kronor(self, written, kronor):
        assert values.amount(written) == kronor

    @pytest.mark.parametrize("empty", [None, "", " ", "-", "saknas", float("nan")])
    def test_empty_is_none(self, empty):
        assert values.amount(empty) is None

    @pytest.mark.parametrize("wrong", ["mycket pengar", "12 äpplen", "kr", True])
    def test_text_that_is_no_amount_says_so(self, wrong):
        with pytest.raises(ValueError, match="not an amount"):
            values.amount(wrong)


class TestAmountsByYear:
    @pytest.mark.parametrize(
        ("written", "by_year"),
        [
            ("2024: 1,2 mnkr; 2025: 800 tkr", {2024: 1_200_000, 2025: 800_000}),
            ("2025=500 000 kr\n2024 = 0", {2024: 0, 2025: 500_000}),
            ("2026: 1 000 kr | 2024: 2 000 kr", {2024: 2_000, 2026: 1_000}),
            ({"2024": 100, 2025: "1,5 tkr"}, {2024: 100, 2025: 1_500}),
        ],
    )
    def test_years_and_amounts_in_one_cell_in_year_order(self, written, by_year):
        found = values.amounts_by_year(written)
        assert found == by_year and list(found) == sorted(by_year)

    @pytest.mark.parametrize("empty", [None, "", "-", "saknas"])
    def test_empty_is_none(self, empty):
        assert values.amounts_by_year(empty) is None

    @pytest.mark.parametrize(
        ("wrong", "reason"),
        [
            ("1999: 100 kr", "years 2000–2100 are accepted"),
            ("2101: 100 kr", "years 2000–2100 are accepted"),
            ("2024: 100 kr; 2024: 200 kr", "names the year 2024 twice"),
            ("2024: -5 kr", "no amount of 0 kr or more for 2024"),
            ("2024: mycket", "not an amount"),
            ("nästa år: 100 kr", "is not a year and an amount"),
            ({"tjugo": 100}, "not a year"),
        ],
    )
    def test_what_is_wrong_says_so(self, wrong, reason):
        with pytest.raises(ValueError, match=reason):
            values.amounts_by_year(wrong)


class TestDay:
    @pytest.mark.parametrize(
        ("written", "start", "end"),
        [
            ("2024-03-01", date(2024, 3, 1), date(2024, 3, 1)),
            (45292, date(2024, 1, 1), date(2024, 1, 1)),
            ("45292", date(2024, 1, 1), date(2024, 1, 1)),
            (45292.75, date(2024, 1, 1), date(2024, 1, 1)),
            ("1 mars 2024", date(2024, 3, 1), date(2024, 3, 1)),
            ("15 okt. 2024", date(2024, 10, 15), date(2024, 10, 15)),
            ("01/03/2024", date(2024, 3, 1), date(2024, 3, 1)),
            ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
            ("2024", date(2024, 1, 1), date(2024, 12, 31)),
            ("2024-02-15T10:00:00Z", date(2024, 2, 15), date(2024, 2, 15)),
            (datetime(2025, 6, 30, 12, 0), date(2025, 6, 30), date(2025, 6, 30)),
        ],
    )
    def test_dates_as_text_cells_and_excel_serials(self, written, start, end):
        assert values.day(written) == start
        assert values.day(written, is_end=True) == end

    @pytest.mark.parametrize("wrong", ["snart", "32/13/2024", 12, "31 smarch 2024"])
    def test_what_is_no_date_says_so(self, wrong):
        with pytest.raises(ValueError):
            values.day(wrong)


class TestShare:
    @pytest.mark.parametrize(
        ("written", "share"), [("40 %", 0.4), ("0,4", 0.4), (40, 0.4), (0.25, 0.25), ("100%", 1.0)]
    )
    def test_fraction_or_percent(self, written, share):
        assert values.share(written) == pytest.approx(share)


class TestVocabularyTerm:
    @pytest.mark.parametrize(
        ("word", "status"),
        [
            ("Idé", "idea"),
            ("planerad", "planned"),
            ("Pilot", "pilot"),
            ("Genomförande", "implementation"),
            ("införande", "implementation"),
            ("I drift", "in_operation"),
            ("förvaltning", "in_operation"),
            ("Skalad", "scaled"),
            ("spridd", "scaled"),
            ("Avslutad", "discontinued"),
            ("nedlagd", "discontinued"),
            ("in_operation", "in_operation"),
            ("in operation", "in_operation"),
        ],
    )
    def test_swedish_status_words(self, word, status):
        assert values.vocabulary_term(word, values.STATUS_WORDS, InitiativeStatus, "status") == status

    def test_unknown_word_lists_the_known_ones(self):
        with pytest.raises(ValueError, match=r"known words: .*välfärdsteknik"):
            values.vocabulary_term("Rymdfart", values.CATEGORY_WORDS, Category, "category")


class TestWordList:
    def test_separated_text_becomes_distinct_items(self):
        assert values.word_list("hemtjänst, trygghet; hemtjänst|larm") == ["hemtjänst", "trygghet", "larm"]

    def test_list_stays_a_list_without_empty_items(self):
        assert values.word_list(["a", "", None, "b"]) == ["a", "b"]


class TestFlag:
    @pytest.mark.parametrize(("written", "flag"), [("Ja", True), ("nej", False), ("x", True), (True, True), ("", None)])
    def test_yes_and_no(self, written, flag):
        assert values.flag(written) is flag


class TestExternalId:
    def test_whole_number_from_a_spreadsheet_has_no_decimals(self):
        assert values.external_id(42.0) == "42"

    def test_too_long_id_is_refused(self):
        with pytest.raises(ValueError, match="longer than 200"):
            values.external_id("x" * 201)
