from app.initiatives.models import Initiative
from importers.runner import ImportOptions, run_import
from tests.importers.conftest import Reply, stored_initiatives

EXPORT = "/export/initiativ.csv"
LISTING = "/initiativ"


def uttc_initiatives(engine) -> dict[str, Initiative]:
    return {i.external_id: i for i in stored_initiatives(engine, "uttc")}


def run_uttc(server, engine, settings, path: str):
    return run_import(engine, "uttc", ImportOptions(url=server.url(path)), settings=settings)


def assert_imported(engine) -> None:
    found = uttc_initiatives(engine)
    archive = found["U-2024-017"]
    assert archive.title == "Gemensam e-arkivtjänst för länet"
    assert (archive.owner, archive.status) == ("22", "implementation")
    assert sorted(p.organisation for p in archive.participants) == ["2262", "2281"]
    assert (archive.budget_sek, archive.category) == (3_400_000, "infrastructure")
    assert [link.model_dump(mode="json") for link in archive.links] == [
        {"title": "uttc.se", "url": "https://uttc.se/projekt/U-2024-017"}
    ]
    ange = found["U-2024-018"]
    assert (ange.owner, ange.status, ange.budget_sek, ange.end_date) == ("2260", "planned", 950_000, None)


class TestCsvExport:
    def test_windows_1252_export_labelled_utf_8_imports_with_swedish_letters(
        self, source_server, committed, importer_settings
    ):
        source_server.route(EXPORT, Reply.file("uttc.csv", content_type="text/csv; charset=utf-8"))
        run = run_uttc(source_server, committed, importer_settings, EXPORT)
        assert (run.status, run.fetched, run.created, run.rejected) == ("succeeded", 3, 2, 1)
        assert run.parameters["format"] == "csv"
        assert run.parameters["ignored_columns"] == ["handläggare"]
        assert_imported(committed)

    def test_unchanged_export_is_not_read_again(self, source_server, committed, importer_settings):
        source_server.route(
            EXPORT,
            Reply.file("uttc.csv", content_type="text/csv", headers={"Last-Modified": "Wed, 01 Oct 2025 08:00:00 GMT"}),
            Reply(status=304),
        )
        run_uttc(source_server, committed, importer_settings, EXPORT)
        again = run_uttc(source_server, committed, importer_settings, EXPORT)
        assert again.status == "not_modified"
        assert source_server.requests_to(EXPORT)[-1].headers["if-modified-since"] == "Wed, 01 Oct 2025 08:00:00 GMT"


class TestHtmlListing:
    def test_listing_table_imports_the_same_records(self, source_server, committed, importer_settings):
        source_server.route(LISTING, Reply.file("uttc.html", content_type="text/html; charset=utf-8"))
        run = run_uttc(source_server, committed, importer_settings, LISTING)
        assert (run.status, run.created, run.rejected, run.parameters["format"]) == ("succeeded", 2, 1, "html")
        assert_imported(committed)

    def test_csv_then_html_of_the_same_records_changes_nothing(self, source_server, committed, importer_settings):
        source_server.route(EXPORT, Reply.file("uttc.csv", content_type="text/csv"))
        source_server.route(LISTING, Reply.file("uttc.html", content_type="text/html"))
        run_uttc(source_server, committed, importer_settings, EXPORT)
        run = run_uttc(source_server, committed, importer_settings, LISTING)
        assert (run.created, run.updated, run.unchanged) == (0, 0, 2)
