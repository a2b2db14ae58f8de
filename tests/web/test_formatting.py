from datetime import UTC, date, datetime

import pytest

from app.web import formatting

NBSP = "\u00a0"


class TestNumber:
    def test_groups_thousands_with_a_non_breaking_space_and_uses_a_decimal_comma(self):
        assert formatting.number(1234567.891, 2) == f"1{NBSP}234{NBSP}567,89"

    def test_missing_is_a_dash(self):
        assert formatting.number(None) == "–"


class TestSek:
    def test_whole_kronor(self):
        assert formatting.sek(1_200_000) == f"1{NBSP}200{NBSP}000{NBSP}kr"


class TestCompactSek:
    def test_shortens_millions_and_billions(self):
        assert formatting.compact_sek(12_500_000) == f"12,5{NBSP}mnkr"
        assert formatting.compact_sek(3_100_000_000) == f"3,1{NBSP}mdkr"
        assert formatting.compact_sek(800) == f"800{NBSP}kr"


class TestSignificantSek:
    @pytest.mark.parametrize(
        ("value", "shown"),
        [
            (3_075_708, f"3,1{NBSP}mnkr"),
            (26_400_000, f"26{NBSP}mnkr"),
            (260_400_000, f"260{NBSP}mnkr"),
            (1_249_999_999, f"1,2{NBSP}mdkr"),
            (999_999, f"1{NBSP}mnkr"),
            (12_345, f"12{NBSP}000{NBSP}kr"),
            (845, f"850{NBSP}kr"),
            (0, f"0{NBSP}kr"),
            (None, "–"),
        ],
    )
    def test_two_significant_figures_never_to_the_krona(self, value, shown):
        assert formatting.significant_sek(value) == shown

    def test_halves_round_away_from_zero(self):
        assert (formatting.significant(845), formatting.significant(-845), formatting.significant(0.0)) == (
            850,
            -850,
            0.0,
        )


class TestSignificantNumber:
    @pytest.mark.parametrize(
        ("value", "shown"),
        [
            (1.0, "1,0"),
            (0.3277, "0,33"),
            (0.1008, "0,10"),
            (0.0331, "0,033"),
            (12.3, "12"),
            (1234.5, f"1{NBSP}200"),
            (0, "0"),
            (None, "–"),
        ],
    )
    def test_two_significant_figures_with_their_zeros(self, value, shown):
        assert formatting.significant_number(value) == shown


class TestPercent:
    def test_share_as_percent(self):
        assert formatting.percent(0.125) == f"12,5{NBSP}%"
        assert formatting.percent(None) == "–"


class TestMoment:
    def test_utc_is_shown_in_swedish_local_time(self):
        assert formatting.moment(datetime(2026, 7, 1, 10, 0, tzinfo=UTC)) == "2026-07-01 12:00"
        assert formatting.moment(datetime(2026, 1, 1, 10, 0)) == "2026-01-01 11:00"


class TestDay:
    def test_iso_date(self):
        assert formatting.day(date(2026, 3, 4)) == "2026-03-04"
        assert formatting.day(None) == "–"


class TestMeasure:
    def test_only_the_decimals_it_needs(self):
        assert formatting.measure(100.0) == "100"
        assert formatting.measure(36.5) == "36,5"
        assert formatting.measure(1234.25) == f"1{NBSP}234,25"
        assert formatting.measure(None) == "–"
