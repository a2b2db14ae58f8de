import pytest

from app.web.charts import Bar, bar_chart, column_chart
from tests.web.html import named, parse, text


def rows(markup) -> list[tuple[str, str, float]]:
    """Each bar as (label, shown value, drawn width)."""
    document = parse(f"<!DOCTYPE html><html lang=sv><title>t</title>{markup}")
    return [
        (text(row.find("th")), text(row.find(".//span")), float(named(row, "rect")[0].get("width")))
        for row in document.iter("tr")
        if row.find("td") is not None
    ]


class TestBarChart:
    def test_bars_are_proportional_to_the_largest_value(self):
        chart = bar_chart("Per status", [Bar("pilot", 5), Bar("i drift", 10), Bar("idé", 0)])
        assert rows(chart) == [("pilot", "5", 50.0), ("i drift", "10", 100.0), ("idé", "0", 0.0)]

    def test_labels_link_and_are_escaped(self):
        chart = bar_chart("<Rubrik>", [Bar("<b>", 1, "/initiativ?status=pilot&q=x")])
        assert "<b>" not in chart and "&lt;b&gt;" in chart and "&lt;Rubrik&gt;" in chart
        assert 'href="/initiativ?status=pilot&amp;q=x"' in chart

    def test_all_zero_draws_no_bars(self):
        assert [width for _, _, width in rows(bar_chart("Tomt", [Bar("a", 0), Bar("b", None)]))] == [0.0, 0.0]

    def test_values_use_the_given_format(self):
        chart = bar_chart("Pengar", [Bar("a", 1500)], value_text=lambda v: f"{v} kr")
        assert rows(chart)[0][1] == "1500 kr"


class TestColumnChart:
    def test_describes_every_value_for_screen_readers(self):
        chart = column_chart(
            "Datautnyttjande", [("2023", 0.5), ("2024", None)], value_text=lambda v: "–" if v is None else f"{v}"
        )
        svg = named(parse(f"<!DOCTYPE html><html lang=sv><title>t</title>{chart}"), "svg")[0]
        assert svg.get("role") == "img"
        assert svg.get("aria-label") == "Datautnyttjande: 2023: 0.5; 2024: –"

    def test_a_zero_draws_no_column_but_keeps_its_label(self):
        chart = column_chart("K", [("2023", 0.0), ("2024", 0.5)], value_text=lambda v: f"{v:.1f}")
        assert chart.count("<rect") == 1 and ">0.0</text>" in chart

    def test_a_missing_year_says_so_instead_of_drawing_zero(self):
        chart = column_chart("K", [("2023", 2.0), ("2024", None)])
        assert chart.count("<rect") == 1 and "saknas" in chart

    @pytest.mark.parametrize("values", [[1.0, 3.0], [-2.0, 1.0], [0.0, 0.0]])
    def test_columns_stay_inside_the_picture(self, values):
        chart = column_chart("K", [(str(2020 + i), v) for i, v in enumerate(values)])
        document = parse(f"<!DOCTYPE html><html lang=sv><title>t</title>{chart}")
        height = float(named(document, "svg")[0].get("height"))
        for rect in named(document, "rect"):
            assert float(rect.get("y")) >= 0 and float(rect.get("y")) + float(rect.get("height")) <= height
