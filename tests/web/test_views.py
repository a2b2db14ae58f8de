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
        assert views.kpi_value_text("opportunity_cost", 12_500_000) == "13\u00a0mnkr per år"
        assert views.kpi_value_text("productivity", 0.25) == "0,25 per månad"
        assert views.kpi_value_text("productivity", None) == "saknas"


class TestShownValue:
    def test_rounded_as_the_label_shows_it(self):
        assert views.shown_value("development_intensity", 0.000329) == 0.0
        assert views.shown_value("development_intensity", 0.12349) == 0.123
        assert views.shown_value("opportunity_cost", 7_523_624) == 7_500_000
        assert views.shown_value("productivity", 1 / 12) == 0.08
        assert views.shown_value("data_utilisation", None) is None

    def test_kpi_series_hold_the_shown_values(self):
        report = SimpleNamespace(
            year=2024, kpis=[SimpleNamespace(key="development_intensity", value=0.000329, missing_inputs=[])]
        )
        [intensity] = [s for s in views.kpi_series([report]) if s.key == "development_intensity"]
        assert intensity.points == [("2024", 0.0)] and intensity.anchor == "utvecklingsintensitet"
