from datetime import date
from pathlib import Path

import pytest

from app.changes import service as change_service
from app.core.caller import ADMIN
from app.core.db import session_scope
from app.imports import service as import_service
from app.initiatives import reads as initiative_reads
from app.initiatives import service as initiative_service
from app.initiatives.models import Initiative
from app.initiatives.schemas import InitiativeUpdate
from importers import file
from importers.pipeline import ImportFailed
from importers.runner import ImportOptions, run_import
from tests.importers.conftest import DATA, stored_initiatives

PORTFOLIO_CSV = DATA / "portfolio.csv"


def imported(engine, source: str) -> dict[str, Initiative]:
    return {i.title: i for i in stored_initiatives(engine, source)}


def rejections(engine, run) -> list[tuple[str, str]]:
    with session_scope(engine, write=False) as session:
        return [(r.location, r.reason) for r in import_service.list_rejections(session, run.id)[0]]


def run_file(engine, settings, path: Path, **options):
    return run_import(engine, "file", ImportOptions(path=path, **options), settings=settings)


class TestSourceName:
    def test_a_given_name_names_the_source_so_a_renamed_file_updates_the_same_initiatives(self):
        assert file.source_name(Path("Portfölj 2025.xlsx"), "Portfölj") == "file-portfolj"

    def test_without_a_name_the_file_name_becomes_ascii(self):
        assert (
            file.source_name(Path("/tmp/Portfölj Västernorrland 2025.xlsx"), None)
            == "file-portfolj-vasternorrland-2025"
        )


class TestCsvImport:
    def test_swedish_headers_import_valid_rows_and_reject_the_rest(self, committed, importer_settings):
        run = run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        assert (run.status, run.error) == ("succeeded", None)
        assert (run.fetched, run.created, run.updated, run.unchanged, run.rejected) == (5, 3, 0, 0, 2)
        assert run.parameters["ignored_columns"] == ["ansvarig enhet"]
        found = imported(committed, "file-portfolio")
        night = found["Digital nattillsyn"]
        assert (night.owner, night.status, night.category) == ("2281", "in_operation", "welfare_technology")
        assert (night.budget_sek, night.expected_benefit_sek_per_year) == (1_200_000, 1_200_000)
        assert (night.start_date, night.end_date) == (date(2024, 1, 15), date(2025, 6, 30))
        assert sorted(night.tags) == ["hemtjänst", "trygghet"]
        assert [p.organisation for p in night.participants] == ["2262"]
        assert night.external_id == "digital nattillsyn"
        archive = found["Gemensamt e-arkiv"]
        assert (archive.owner, archive.status, archive.end_date) == ("22", "implementation", date(2026, 12, 31))
        chat = found["Chattbot för medborgarservice"]
        assert (chat.owner, chat.start_date, chat.budget_sek) == ("1480", date(2024, 1, 1), 500_000)

    def test_each_rejection_names_its_line_and_reason(self, committed, importer_settings):
        run = run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        assert rejections(committed, run) == [
            ("line 7", "organisation: no organisation in the registry is called or coded 'Atlantis kommun'"),
            (
                "line 8",
                "budget_sek: 'mycket pengar' is not an amount in kronor (e.g. 1 200 000 kr, 1,2 mnkr or 500 tkr)",
            ),
        ]

    def test_windows_1252_comma_file_reads_swedish_letters(self, committed, importer_settings):
        run = run_file(committed, importer_settings, DATA / "portfolio_cp1252.csv")
        assert (run.status, run.created, run.rejected) == ("succeeded", 2, 0)
        found = imported(committed, "file-portfolio-cp1252")
        school = found["Skolplattform för Härnösand"]
        assert (school.owner, school.status, school.category) == ("2280", "in_operation", "education")
        assert school.summary is None and school.description == "Lärplattform, gemensam för grundskolan."
        open_data = found["Växjö-samarbete om öppna data"]
        assert (open_data.owner, open_data.budget_sek, open_data.start_date) == (
            "0780",
            1_500_000,
            date(2025, 1, 1),
        )

    def test_budget_per_year_in_one_cell_and_a_wrong_year_rejected(self, committed, importer_settings, tmp_path):
        sheet = tmp_path / "arsbudget.csv"
        sheet.write_text(
            "Titel;Status;Budget (kr);Budget per år\n"
            'Digital signering;Pilot;2 mnkr;"2024: 1,2 mnkr; 2025: 800 tkr"\n'
            "E-arkiv;Idé;1 mnkr;1999: 1 mnkr\n",
            encoding="utf-8",
        )
        run = run_file(committed, importer_settings, sheet, owner="2281")
        assert (run.created, run.rejected) == (1, 1)
        signing = imported(committed, "file-arsbudget")["Digital signering"]
        assert (signing.budget_sek, signing.budget_by_year) == (2_000_000, {2024: 1_200_000, 2025: 800_000})
        [(location, reason)] = rejections(committed, run)
        assert location == "line 3"
        assert reason == "budget_by_year: '1999: 1 mnkr' names the year 1999; years 2000–2100 are accepted"

    def test_rows_without_owner_and_without_default_are_rejected(self, committed, importer_settings, tmp_path):
        sheet = tmp_path / "utan-agare.csv"
        sheet.write_text("Titel;Status\nDigital signering;Pilot\n", encoding="utf-8")
        run = run_file(committed, importer_settings, sheet)
        assert run.rejected == 1
        assert rejections(committed, run) == [("line 2", "organisation: no organisation given")]


class TestXlsxImport:
    def test_merged_headers_serial_dates_and_text_amounts(self, committed, importer_settings):
        run = run_file(committed, importer_settings, DATA / "portfolio.xlsx", owner="22")
        assert (run.status, run.fetched, run.created, run.rejected) == ("succeeded", 4, 3, 1)
        assert run.parameters["ignored_columns"] == ["kommentar"]
        found = imported(committed, "file-portfolio")
        platform = found["Gemensam e-tjänsteplattform"]
        assert (platform.start_date, platform.end_date) == (date(2024, 1, 1), date(2025, 12, 31))
        assert (platform.budget_sek, platform.expected_benefit_sek_per_year) == (1_200_000, 250_000)
        assert (platform.status, platform.category, platform.owner) == ("implementation", "e_service", "22")
        falls = found["Digital fallprevention"]
        assert (falls.start_date, falls.end_date, falls.budget_sek) == (date(2024, 3, 1), date(2025, 12, 31), 1_200_000)
        assert (falls.expected_benefit_sek_per_year, falls.owner) == (300_000, "2281")
        gotland = found["Besöksbokning på Gotland"]
        assert (gotland.owner, gotland.budget_sek, gotland.start_date) == ("0980", 95_000, date(2024, 4, 18))
        [(location, reason)] = rejections(committed, run)
        assert location == "row 7" and reason.startswith("status: 'Kanske' is not a known status")

    def test_a_file_that_is_not_a_workbook_fails_the_run(self, committed, importer_settings, tmp_path):
        broken = tmp_path / "trasig.xlsx"
        broken.write_bytes(b"not a zip file")
        run = run_file(committed, importer_settings, broken)
        assert run.status == "failed"
        assert "not a readable XLSX workbook" in run.error
        assert imported(committed, "file-trasig") == {}


class TestIdempotence:
    def test_rerun_changes_nothing_and_writes_no_change_feed_entries(self, committed, importer_settings):
        run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        with session_scope(committed, write=False) as session:
            sequence = change_service.latest_sequence(session)
        again = run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 2)
        with session_scope(committed, write=False) as session:
            assert change_service.latest_sequence(session) == sequence
        assert {i.version for i in imported(committed, "file-portfolio").values()} == {1}

    def test_fields_edited_in_the_registry_survive_the_next_import(self, committed, importer_settings):
        run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        night = imported(committed, "file-portfolio")["Digital nattillsyn"]
        with session_scope(committed) as session:
            initiative_service.update(session, night.id, InitiativeUpdate(budget_sek=2_000_000), ADMIN, 1)
        again = run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        assert (again.updated, again.unchanged) == (0, 3)
        with session_scope(committed, write=False) as session:
            kept = initiative_reads.get(session, night.id)
        assert (kept.budget_sek, kept.version, kept.registry_edited_fields) == (2_000_000, 2, ["budget_sek"])

    def test_changed_row_is_updated(self, committed, importer_settings, tmp_path):
        run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        changed = tmp_path / "portfolio.csv"
        changed.write_bytes(PORTFOLIO_CSV.read_bytes().replace(b"1 200 000 kr", b"1 300 000 kr"))
        again = run_file(committed, importer_settings, changed, owner="2281")
        assert (again.created, again.updated, again.unchanged) == (0, 1, 2)
        assert imported(committed, "file-portfolio")["Digital nattillsyn"].budget_sek == 1_300_000


class TestWithdrawal:
    def test_row_gone_from_the_file_is_withdrawn_not_deleted_and_comes_back(
        self, committed, importer_settings, tmp_path
    ):
        run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        shorter = tmp_path / "portfolio.csv"
        lines = PORTFOLIO_CSV.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        shorter.write_text("".join(line for line in lines if not line.startswith("Chattbot")), encoding="utf-8")
        run = run_file(committed, importer_settings, shorter, owner="2281")
        assert (run.withdrawn, run.unchanged) == (1, 2)
        chat = imported(committed, "file-portfolio")["Chattbot för medborgarservice"]
        assert chat.is_withdrawn_at_source and chat.version == 2
        back = run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        assert (back.updated, back.withdrawn) == (1, 0)
        assert not imported(committed, "file-portfolio")["Chattbot för medborgarservice"].is_withdrawn_at_source

    def test_rejected_row_is_not_withdrawn(self, committed, importer_settings, tmp_path):
        run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        broken = tmp_path / "portfolio.csv"
        broken.write_bytes(PORTFOLIO_CSV.read_bytes().replace(b"500 tkr", b"femhundra"))
        run = run_file(committed, importer_settings, broken, owner="2281")
        assert (run.rejected, run.withdrawn) == (3, 0)

    def test_empty_file_does_not_withdraw_everything(self, committed, importer_settings, tmp_path):
        run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        empty = tmp_path / "portfolio.csv"
        empty.write_text("Titel;Kommun;Status\n", encoding="utf-8")
        run = run_file(committed, importer_settings, empty, owner="2281")
        assert run.status == "failed" and "refusing" in run.error
        assert not any(i.is_withdrawn_at_source for i in imported(committed, "file-portfolio").values())


class TestOneSourcePerFile:
    def test_a_second_spreadsheet_of_the_same_owner_withdraws_nothing_of_the_first(
        self, committed, importer_settings, tmp_path
    ):
        first = run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        other = tmp_path / "investeringar.csv"
        other.write_text("Titel;Kategori\nNy växel;infrastruktur\n", encoding="utf-8")
        second = run_file(committed, importer_settings, other, owner="2281")
        assert (first.source, second.source) == ("file-portfolio", "file-investeringar")
        assert (second.created, second.withdrawn) == (1, 0)
        assert not any(i.is_withdrawn_at_source for i in imported(committed, "file-portfolio").values())
        again = run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281")
        assert (again.unchanged, again.withdrawn) == (3, 0)
        assert list(imported(committed, "file-investeringar")) == ["Ny växel"]

    def test_source_names_a_renamed_file_as_the_same_source(self, committed, importer_settings, tmp_path):
        run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281", source="portfolj")
        renamed = tmp_path / "Portfölj 2026.csv"
        lines = PORTFOLIO_CSV.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        renamed.write_text("".join(line for line in lines if not line.startswith("Chattbot")), encoding="utf-8")
        run = run_file(committed, importer_settings, renamed, owner="2281", source="portfolj")
        assert (run.source, run.created, run.unchanged, run.withdrawn) == ("file-portfolj", 0, 2, 1)


class TestDryRun:
    def test_counts_exactly_and_writes_nothing_but_the_run(self, committed, importer_settings):
        run = run_file(committed, importer_settings, PORTFOLIO_CSV, owner="2281", is_dry_run=True)
        assert (run.status, run.is_dry_run, run.created, run.rejected) == ("succeeded", True, 3, 2)
        assert imported(committed, "file-portfolio") == {}
        with session_scope(committed, write=False) as session:
            assert import_service.get_run(session, run.id).created == 3


class TestOwnerOption:
    def test_unknown_owner_is_refused_before_any_run(self, committed, importer_settings):
        with pytest.raises(ImportFailed, match="Atlantis"):
            run_file(committed, importer_settings, PORTFOLIO_CSV, owner="Atlantis")

    def test_owner_by_name_resolves_to_its_code(self, committed, importer_settings):
        run = run_file(committed, importer_settings, PORTFOLIO_CSV, owner="Sundsvalls kommun")
        assert run.source == "file-portfolio"
        assert {i.owner for i in imported(committed, "file-portfolio").values()} == {"2281", "22", "1480"}


class TestCustomMapping:
    def test_mapping_file_names_other_columns_and_words(self, committed, importer_settings, tmp_path):
        mapping = tmp_path / "mapping.toml"
        mapping.write_text(
            'source = "file"\nformat = "csv"\n\n[fields]\nexternal_id = "Löpnummer"\ntitle = "Vad"\n'
            'owner = "Vem"\nbudget_sek = "Pengar"\nstatus = "Läge"\n\n[defaults]\ncategory = "automation"\n'
            '\n[values.status]\n"på gång" = "implementation"\n',
            encoding="utf-8",
        )
        sheet = tmp_path / "egen.csv"
        sheet.write_text(
            "Löpnummer;Vad;Vem;Pengar;Läge\n17;Robot för fakturor;Timrå;2 mnkr;På gång\n", encoding="utf-8"
        )
        run = run_file(committed, importer_settings, sheet, mapping_path=mapping)
        assert (run.status, run.created) == ("succeeded", 1)
        robot = imported(committed, "file-egen")["Robot för fakturor"]
        assert (robot.external_id, robot.owner, robot.budget_sek) == ("17", "2262", 2_000_000)
        assert (robot.category, robot.status) == ("automation", "implementation")

    def test_mapping_with_an_unknown_field_fails_the_run_and_says_why(self, committed, importer_settings, tmp_path):
        mapping = tmp_path / "mapping.toml"
        mapping.write_text('source = "file"\nformat = "csv"\n[fields]\ncolour = "Färg"\n', encoding="utf-8")
        run = run_file(committed, importer_settings, PORTFOLIO_CSV, mapping_path=mapping)
        assert run.status == "failed"
        assert "unknown target fields colour" in run.error
