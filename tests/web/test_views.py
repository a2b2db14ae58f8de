from types import SimpleNamespace

from app.web import views


class TestKpiSeries:
    def report(self, year, **values):
        kpis = [
            SimpleNamespace(key=key, value=value, missing_inputs=[] if value is not None else ["kpi_set_size"])
            for key, value in values.items()
        ]
        return SimpleNamespace(year=year, kpis=kpis)

    def test_one_series_per_kpi_in_order_with_the_latest_missing_inputs(self):
        series = views.kpi_series(
            [
                self.report(2024, data_utilisation=0.2, kpi_turnover=None),
                self.report(2025, data_utilisation=0.3, kpi_turnover=None),
            ]
        )
        assert [s.key for s in series] == list(views.labels.KPI_LABELS)
        by_key = {s.key: s for s in series}
        assert by_key["data_utilisation"].points == [("2024", 0.2), ("2025", 0.3)]
        assert by_key["kpi_turnover"].missing_inputs == ["kpi_set_size"] and not by_key["kpi_turnover"].has_values

    def test_no_years_no_series(self):
        assert views.kpi_series([]) == []


class TestKpiValueText:
    def test_each_unit(self):
        assert views.kpi_value_text("data_utilisation", 0.3) == "30,0\u00a0%"
        assert views.kpi_value_text("opportunity_cost", 12_500_000) == "12,5\u00a0mnkr"
        assert views.kpi_value_text("productivity", 0.25) == "0,25 per månad"
        assert views.kpi_value_text("productivity", None) == "saknas"
