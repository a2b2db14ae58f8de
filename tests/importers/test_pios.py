import time
from datetime import date

from app.core.db import session_scope
from app.imports import service as import_service
from app.initiatives.models import Initiative
from importers.runner import ImportOptions, run_import
from tests.importers.conftest import DATA, Reply, stored_initiatives

FIRST = "/api/v1/initiatives"
SECOND = "/api/v1/initiatives?page=2"


def pios_initiatives(engine) -> dict[str, Initiative]:
    return {i.external_id: i for i in stored_initiatives(engine, "pios")}


def serve_both_pages(server, **first_page) -> None:
    server.route(FIRST, Reply.file("pios_page1.json", **first_page))
    server.route(SECOND, Reply.file("pios_page2.json"))


def run_pios(server, engine, settings, **options):
    return run_import(engine, "pios", ImportOptions(url=server.url(FIRST), **options), settings=settings)


class TestPaging:
    def test_follows_next_links_and_maps_every_record(self, source_server, committed, importer_settings):
        serve_both_pages(source_server)
        run = run_pios(source_server, committed, importer_settings)
        assert (run.status, run.fetched, run.created, run.rejected) == ("succeeded", 5, 4, 1)
        found = pios_initiatives(committed)
        night = found["P-2024-0042"]
        assert night.title == "Digital nattillsyn i hemtjänsten"
        assert (night.owner, night.status) == ("2281", "implementation")
        assert sorted(p.organisation for p in night.participants) == ["22", "2262"]
        assert (night.budget_sek, night.expected_benefit_sek_per_year) == (1_200_000, 300_000)
        assert night.solution.model_dump(mode="json") == {
            "name": "Tillsynskamera",
            "vendor": "Exempel AB",
            "url": "https://exempel.se/kamera",
            "repository_url": None,
        }
        assert [link.model_dump(mode="json") for link in night.links] == [
            {"title": "pios.se", "url": "https://pios.se/initiativ/P-2024-0042"}
        ]
        assert night.contact.email == "anna.andersson@sundsvall.se"
        assert sorted(night.tags) == ["hemtjänst", "trygghet"]
        assert (found["P-2024-0043"].owner, found["P-2024-0043"].budget_sek) == ("1480", 1_200_000)
        assert found["P-2023-0007"].status == "in_operation"
        assert found["P-2025-0101"].category == "automation"

    def test_rejection_carries_the_record_id_and_page(self, source_server, committed, importer_settings):
        serve_both_pages(source_server)
        run = run_pios(source_server, committed, importer_settings)
        with session_scope(committed, write=False) as session:
            [rejection] = import_service.list_rejections(session, run.id)[0]
        assert (rejection.location, rejection.external_id) == ("page 2 item 2", "P-2025-0102")
        assert "Atlantis kommun" in rejection.reason

    def test_requests_name_the_registry_and_a_contact(self, source_server, committed, importer_settings):
        serve_both_pages(source_server)
        run_pios(source_server, committed, importer_settings)
        agent = source_server.requests_to(FIRST)[0].headers["user-agent"]
        assert agent.startswith("registret-importer/1.0 (+http") and agent.endswith("; test@example.org)")


class TestFaults:
    def test_503_with_retry_after_is_waited_out_and_the_run_succeeds(self, source_server, committed, importer_settings):
        source_server.route(FIRST, Reply(status=503, headers={"Retry-After": "1"}), Reply.file("pios_page1.json"))
        source_server.route(SECOND, Reply.file("pios_page2.json"))
        started = time.monotonic()
        run = run_pios(source_server, committed, importer_settings)
        assert time.monotonic() - started >= 1
        assert (run.status, run.created) == ("succeeded", 4)
        assert len(source_server.requests_to(FIRST)) == 2

    def test_429_is_retried_after_the_wait_it_asks_for(self, source_server, committed, importer_settings):
        source_server.route(FIRST, Reply.file("pios_page1.json"))
        source_server.route(SECOND, Reply(status=429, headers={"Retry-After": "0"}), Reply.file("pios_page2.json"))
        run = run_pios(source_server, committed, importer_settings)
        assert (run.status, run.created) == ("succeeded", 4)
        assert len(source_server.requests_to(SECOND)) == 2

    def test_truncated_page_fails_the_run_writes_nothing_and_the_next_run_recovers(
        self, source_server, committed, importer_settings
    ):
        body = (DATA / "pios_page2.json").read_bytes()
        source_server.route(FIRST, Reply.file("pios_page1.json"))
        source_server.route(SECOND, Reply(body=body, cut_at=len(body) // 2))
        failed = run_pios(source_server, committed, importer_settings)
        assert failed.status == "failed"
        assert SECOND in failed.error and "RemoteProtocolError" in failed.error and "3 attempts" in failed.error
        assert pios_initiatives(committed) == {}
        source_server.route(SECOND, Reply(body=body))
        recovered = run_pios(source_server, committed, importer_settings)
        assert (recovered.status, recovered.created) == ("succeeded", 4)

    def test_garbage_fails_the_run_with_the_reason(self, source_server, committed, importer_settings):
        source_server.route(FIRST, Reply(body=b'{"data": [{"id": "P-1", "title": "Halv'))
        run = run_pios(source_server, committed, importer_settings)
        assert run.status == "failed"
        assert run.error.startswith("the response is not valid JSON")
        assert run.finished_at is not None

    def test_not_found_fails_at_once_without_retries(self, source_server, committed, importer_settings):
        run = run_import(committed, "pios", ImportOptions(url=source_server.url("/saknas")), settings=importer_settings)
        assert run.status == "failed" and "HTTP 404" in run.error
        assert len(source_server.requests_to("/saknas")) == 1

    def test_retry_after_longer_than_allowed_fails_instead_of_waiting(
        self, source_server, committed, importer_settings
    ):
        source_server.route(FIRST, Reply(status=503, headers={"Retry-After": "3600"}))
        started = time.monotonic()
        run = run_pios(source_server, committed, importer_settings)
        assert run.status == "failed" and "HTTP 503" in run.error
        assert time.monotonic() - started < 5
        assert len(source_server.requests_to(FIRST)) == 1

    def test_source_down_fails_cleanly(self, committed, importer_settings):
        run = run_import(committed, "pios", ImportOptions(url="http://127.0.0.1:9/api"), settings=importer_settings)
        assert run.status == "failed" and "ConnectError" in run.error

    def test_page_in_windows_1252_labelled_utf_8_reads_correctly(self, source_server, committed, importer_settings):
        latin = (DATA / "pios_page1.json").read_text(encoding="utf-8").encode("cp1252")
        source_server.route(FIRST, Reply(body=latin, content_type="application/json; charset=utf-8"))
        source_server.route(SECOND, Reply.file("pios_page2.json"))
        run = run_pios(source_server, committed, importer_settings)
        assert run.status == "succeeded"
        assert pios_initiatives(committed)["P-2024-0042"].title == "Digital nattillsyn i hemtjänsten"


class TestConditionalRequests:
    def test_unchanged_source_costs_one_request_and_changes_nothing(self, source_server, committed, importer_settings):
        source_server.route(
            FIRST, Reply.file("pios_page1.json", headers={"ETag": '"v1"'}), Reply(status=304, headers={"ETag": '"v1"'})
        )
        source_server.route(SECOND, Reply.file("pios_page2.json"))
        first = run_pios(source_server, committed, importer_settings)
        second = run_pios(source_server, committed, importer_settings)
        assert (first.status, second.status) == ("succeeded", "not_modified")
        assert (second.fetched, second.created, second.withdrawn) == (0, 0, 0)
        last = source_server.requests_to(FIRST)[-1]
        assert last.headers["if-none-match"] == '"v1"'
        assert len(source_server.requests_to(SECOND)) == 1

    def test_failed_run_stores_no_validators(self, source_server, committed, importer_settings):
        source_server.route(FIRST, Reply.file("pios_page1.json", headers={"ETag": '"v1"'}))
        source_server.route(SECOND, Reply(status=500))
        assert run_pios(source_server, committed, importer_settings).status == "failed"
        source_server.route(SECOND, Reply.file("pios_page2.json"))
        assert run_pios(source_server, committed, importer_settings).status == "succeeded"
        assert "if-none-match" not in source_server.requests_to(FIRST)[-1].headers

    def test_dry_run_asks_unconditionally(self, source_server, committed, importer_settings):
        source_server.route(FIRST, Reply.file("pios_page1.json", headers={"ETag": '"v1"'}))
        source_server.route(SECOND, Reply.file("pios_page2.json"))
        run_pios(source_server, committed, importer_settings)
        dry = run_pios(source_server, committed, importer_settings, is_dry_run=True)
        assert (dry.status, dry.unchanged) == ("succeeded", 4)
        assert "if-none-match" not in source_server.requests_to(FIRST)[-1].headers


class TestIncremental:
    def test_since_asks_for_changes_only_and_withdraws_nothing(self, source_server, committed, importer_settings):
        serve_both_pages(source_server)
        run_pios(source_server, committed, importer_settings)
        source_server.route(FIRST + "?updated_since=2025-04-01", Reply.file("pios_page2.json"))
        run = run_pios(source_server, committed, importer_settings, since=date(2025, 4, 1))
        assert (run.status, run.fetched, run.unchanged, run.withdrawn) == ("succeeded", 2, 1, 0)
        assert run.parameters["since"] == "2025-04-01"

    def test_full_run_withdraws_records_the_source_dropped(self, source_server, committed, importer_settings):
        serve_both_pages(source_server)
        run_pios(source_server, committed, importer_settings)
        source_server.route(SECOND, Reply(body=b'{"data": [], "links": {"next": null}}'))
        run = run_pios(source_server, committed, importer_settings)
        assert (run.withdrawn, run.unchanged) == (1, 3)
        assert pios_initiatives(committed)["P-2025-0101"].is_withdrawn_at_source


class TestFormatChange:
    def test_records_without_ids_withdraw_nothing(self, source_server, committed, importer_settings):
        serve_both_pages(source_server)
        run_pios(source_server, committed, importer_settings)
        renamed = (DATA / "pios_page1.json").read_bytes().replace(b'"id":', b'"identifier":')
        source_server.route(FIRST, Reply(body=renamed.replace(b'"/api/v1/initiatives?page=2"', b"null")))
        run = run_pios(source_server, committed, importer_settings)
        assert run.status == "failed" and "Has the source's format changed?" in run.error
        assert run.rejected == 3
        assert not any(i.is_withdrawn_at_source for i in pios_initiatives(committed).values())


class Recorder:
    """A progress display that remembers what it was told."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def start(self, description: str, total: int | None) -> None:
        self.events.append(("start", description, total))

    def advance(self, count: int) -> None:
        self.events.append(("advance", count))


class TestProgress:
    def test_pages_are_shown_as_they_arrive_then_the_records_as_they_are_written(
        self, source_server, committed, importer_settings
    ):
        serve_both_pages(source_server)
        progress = Recorder()
        options = ImportOptions(url=source_server.url(FIRST))
        run_import(committed, "pios", options, settings=importer_settings, progress=progress)
        assert progress.events == [
            ("start", "Fetching pios", None),
            ("advance", 1),
            ("advance", 1),
            ("start", "Importing pios", 4),
            ("advance", 2),
            ("advance", 2),
        ]
