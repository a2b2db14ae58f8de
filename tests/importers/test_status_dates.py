"""Status dates come from the source; a source that gives none leaves the date unknown, never the import day."""

from datetime import date

from app.analytics.context import AnalyticsContext
from app.analytics.kpis import service as kpi_service
from app.core.db import session_scope
from importers import mapping as mappings
from importers.runner import ImportOptions, run_import
from tests.importers.conftest import Reply, stored_initiatives

FIRST = "/api/v1/initiatives"
SECOND = "/api/v1/initiatives?page=2"


def history(initiative) -> list[tuple[str, date | None]]:
    return [(change.status, change.changed_date) for change in initiative.status_history]


def run_pios(server, engine, settings):
    server.route(FIRST, Reply.file("pios_page1.json"))
    server.route(SECOND, Reply.file("pios_page2.json"))
    return run_import(engine, "pios", ImportOptions(url=server.url(FIRST)), settings=settings)


class TestPios:
    def test_the_sources_status_date_is_kept_and_a_missing_one_is_unknown(
        self, source_server, committed, importer_settings
    ):
        run_pios(source_server, committed, importer_settings)
        found = {i.external_id: i for i in stored_initiatives(committed, "pios")}
        assert history(found["P-2024-0042"]) == [("implementation", date(2024, 9, 1))]
        assert history(found["P-2024-0043"]) == [("pilot", None)]
        assert history(found["P-2023-0007"]) == [("in_operation", None)]

    def test_participants_a_source_lists_are_claims(self, source_server, committed, importer_settings):
        run_pios(source_server, committed, importer_settings)
        [night] = [i for i in stored_initiatives(committed, "pios") if i.external_id == "P-2024-0042"]
        assert [(p.organisation, p.status) for p in night.participants] == [("22", "claimed"), ("2262", "claimed")]

    def test_a_kpi_that_needs_the_date_says_it_is_missing(self, source_server, committed, importer_settings):
        run_pios(source_server, committed, importer_settings)  # Region Västernorrland's e-archive: in operation since?
        with session_scope(committed, write=False) as session:
            context = AnalyticsContext(session)
            report = kpi_service.kpis_for(context, context.organisations.profiles["22"], 2025, date(2026, 2, 1))
        productivity = next(value for value in report.kpis if value.key == "productivity")
        assert (productivity.value, productivity.missing_inputs) == (None, ["operation_start_date"])
        assert productivity.inputs == {
            "digital_services_put_into_operation": None,
            "months": 12,
            "operation_starts_unknown": 1,
        }


class TestSpreadsheet:
    def test_a_status_date_column_is_read_and_an_empty_cell_is_unknown(self, committed, importer_settings, tmp_path):
        sheet = tmp_path / "portfolj.csv"
        sheet.write_text(
            "Titel;Status;Statusdatum\nDigital signering;I drift;2 maj 2024\nBokning av lokaler;Pilot;\n",
            encoding="utf-8",
        )
        run = run_import(committed, "file", ImportOptions(path=sheet, owner="2281"), settings=importer_settings)
        assert (run.status, run.created) == ("succeeded", 2)
        found = {i.title: i for i in stored_initiatives(committed, "file-portfolj")}
        assert history(found["Digital signering"]) == [("in_operation", date(2024, 5, 2))]
        assert history(found["Bokning av lokaler"]) == [("pilot", None)]


class TestUttcMapping:
    def test_the_phase_date_column_is_the_status_date(self):
        mapped = mappings.load_named("uttc").apply(
            {
                "diarienummer": "U-1",
                "projekt": "E-arkiv",
                "huvudman": "22",
                "fas": "Införande",
                "fas sedan": "2025-01-10",
            }
        )
        assert (mapped.fields["status"], mapped.fields["status_date"]) == ("implementation", date(2025, 1, 10))
