from datetime import date

import pytest

from app.core.caller import ADMIN
from app.core.db import session_scope
from app.imports import service as import_service
from app.organisations import service as organisation_service
from app.organisations.models import OrganisationYear
from app.organisations.schemas import FiguresWrite
from importers import kolada
from importers.runner import ImportOptions, run_import
from tests.importers.conftest import DATA, Reply

EMPTY = b'{"count": 0, "values": [], "next_url": null}'


def kolada_answer(etag: str | None = None):
    """The chunk holding Sundsvall gets the recorded pages; every other chunk has no values."""
    headers = {"ETag": etag} if etag else {}

    def answer(path: str) -> Reply:
        if "page=2" in path:
            return Reply.file("kolada_page2.json")
        if "/2281," in path or ",2281," in path or ",2281/" in path:
            return Reply.file("kolada_page1.json", headers=headers)
        return Reply(body=EMPTY, headers=headers)

    return answer


def figures(engine, code: str, year: int) -> OrganisationYear | None:
    with session_scope(engine, write=False) as session:
        return session.get(OrganisationYear, (code, year))


def run_kolada(server, engine, settings, **options):
    return run_import(engine, "kolada", ImportOptions(url=server.url("/v3"), **options), settings=settings)


class TestKoladaId:
    def test_regions_are_00_and_county_code_both_ways(self):
        assert kolada.registry_code("0022") == "22"
        assert kolada.registry_code("2281") == "2281"


class TestYearsToFetch:
    def test_default_window_is_the_years_before_this_one(self):
        assert kolada.years_to_fetch(None, 3, today=date(2026, 5, 1)) == [2023, 2024, 2025]

    def test_since_runs_to_this_year(self):
        assert kolada.years_to_fetch(date(2024, 6, 1), 3, today=date(2026, 5, 1)) == [2024, 2025, 2026]


class TestDataUrls:
    def test_at_most_25_ids_per_request(self):
        config = kolada.KoladaConfig.load()
        ids = [f"{n:04d}" for n in range(1, 61)]
        urls = kolada.data_urls(config, "https://api.kolada.se/v3/", ids, [2023, 2024])
        assert len(urls) == 3
        assert urls[0] == (
            "https://api.kolada.se/v3/data/kpi/N01951,N03011/municipality/" + ",".join(ids[:25]) + "/year/2023,2024"
        )
        assert all(len(url.split("/municipality/")[1].split("/")[0].split(",")) <= 25 for url in urls)


class TestYearValues:
    def test_net_cost_is_per_inhabitant_times_population_and_turnover_follows(self):
        values = kolada.year_values(kolada.YearFigures(population=1000, net_cost_per_inhabitant=50.5), None)
        assert values == {"population": 1000, "net_cost_sek": 50_500, "total_turnover_sek": 50_500}

    def test_reported_turnover_is_left_alone(self):
        stored = OrganisationYear(
            organisation_code="2281", year=2024, population=1000, net_cost_sek=40_000, total_turnover_sek=90_000
        )
        values = kolada.year_values(kolada.YearFigures(net_cost_per_inhabitant=50), stored)
        assert values == {"net_cost_sek": 50_000}

    def test_cost_without_any_population_is_refused(self):
        with pytest.raises(ValueError, match="without a population"):
            kolada.year_values(kolada.YearFigures(net_cost_per_inhabitant=50), None)


class TestRun:
    def test_figures_land_in_yearly_figures(self, source_server, committed, importer_settings):
        source_server.route_with("/v3/data/", kolada_answer())
        run = run_kolada(source_server, committed, importer_settings, since=date(2023, 1, 1))
        assert (run.status, run.fetched, run.rejected) == ("succeeded", 8, 1)
        assert (run.created, run.updated) == (2, 1)
        sundsvall_2023 = figures(committed, "2281", 2023)
        assert (sundsvall_2023.population, sundsvall_2023.net_cost_sek) == (99_213, 99_213 * 70_000)
        assert sundsvall_2023.total_turnover_sek == 99_213 * 70_000
        sundsvall_2024 = figures(committed, "2281", 2024)
        assert (sundsvall_2024.population, sundsvall_2024.net_cost_sek) == (99_500, round(99_500 * 72_000.4))
        region = figures(committed, "22", 2023)
        assert (region.population, region.net_cost_sek) == (245_000, 245_000 * 35_000)
        with session_scope(committed, write=False) as session:
            [rejection] = import_service.list_rejections(session, run.id)[0]
        assert rejection.location == "N01951 0000 2023" and "no municipality or region" in rejection.reason

    def test_every_request_asks_for_at_most_25_organisations(self, source_server, committed, importer_settings):
        source_server.route_with("/v3/data/", kolada_answer())
        run_kolada(source_server, committed, importer_settings)
        first_pages = [r.path for r in source_server.requests if "page=2" not in r.path]
        assert len(first_pages) == 13  # 290 municipalities and 21 regions
        ids = [i for path in first_pages for i in path.split("/municipality/")[1].split("/")[0].split(",")]
        assert len(ids) == len(set(ids)) == 311 and "0022" in ids and "2281" in ids
        assert all(len(path.split("/municipality/")[1].split("/")[0].split(",")) <= 25 for path in first_pages)

    def test_rerun_is_unchanged_and_reported_turnover_survives(self, source_server, committed, importer_settings):
        source_server.route_with("/v3/data/", kolada_answer())
        run_kolada(source_server, committed, importer_settings)
        with session_scope(committed) as session:
            organisation_service.record_figures(
                session, "2281", 2024, FiguresWrite(total_turnover_sek=9_000_000_000), ADMIN
            )
        again = run_kolada(source_server, committed, importer_settings)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
        assert figures(committed, "2281", 2024).total_turnover_sek == 9_000_000_000

    def test_all_requests_unchanged_is_not_modified(self, source_server, committed, importer_settings):
        source_server.route_with("/v3/data/", kolada_answer(etag='"k1"'))
        run_kolada(source_server, committed, importer_settings)
        source_server.route_with("/v3/data/", lambda path: Reply(status=304))
        again = run_kolada(source_server, committed, importer_settings)
        assert again.status == "not_modified"
        assert all(r.headers.get("if-none-match") == '"k1"' for r in source_server.requests[-13:])

    def test_dry_run_records_nothing(self, source_server, committed, importer_settings):
        source_server.route_with("/v3/data/", kolada_answer())
        run = run_kolada(source_server, committed, importer_settings, is_dry_run=True)
        assert (run.status, run.created, run.updated) == ("succeeded", 2, 1)
        assert figures(committed, "2281", 2024) is None
        assert figures(committed, "2281", 2023).net_cost_sek is None


def test_recorded_pages_use_both_paging_keys():
    assert (
        "next_url" in (DATA / "kolada_page1.json").read_text()
        and "next_page" in (DATA / "kolada_page2.json").read_text()
    )


class TestSinceInTheFuture:
    def test_fails_before_asking_kolada(self, source_server, committed, importer_settings):
        run = run_kolada(source_server, committed, importer_settings, since=date(2999, 1, 1))
        assert run.status == "failed" and "is after this year" in run.error
        assert source_server.requests == []


class TestMalformedValues:
    def test_negative_cost_is_rejected_and_the_rest_recorded(self, source_server, committed, importer_settings):
        page = (DATA / "kolada_page1.json").read_bytes().replace(b'"value": 72000.4', b'"value": -5')

        def answer(path: str) -> Reply:
            return kolada_answer()(path) if "page=2" in path or "2281" not in path else Reply(body=page)

        source_server.route_with("/v3/data/", answer)
        run = run_kolada(source_server, committed, importer_settings)
        assert (run.status, run.created, run.updated, run.rejected) == ("succeeded", 1, 1, 2)
        assert figures(committed, "2281", 2024) is None
        with session_scope(committed, write=False) as session:
            reasons = [r.reason for r in import_service.list_rejections(session, run.id)[0]]
        assert "net_cost_sek: Input should be greater than or equal to 0 (got -497500)" in reasons[1]
