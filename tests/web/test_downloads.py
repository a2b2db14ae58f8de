"""Downloads Swedish Excel opens correctly: `;`, UTF-8 with a byte-order mark, Swedish headers and
labels, or XLSX; formulas in the data never become formulas in the file."""

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from app.analytics.clusters import service as cluster_service
from app.analytics.clusters.schemas import ClusterQuery
from app.analytics.context import AnalyticsContext
from app.analytics.scaling import service as scaling_service
from app.analytics.scaling.schemas import NationalCandidateQuery
from app.demo.loader import load_demo
from app.web import downloads
from tests.factories import make_initiative
from tests.web.html import parse


def csv_rows(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == downloads.XLSX_MEDIA_TYPE
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


@pytest.fixture
def demo(session: Session, index) -> None:
    load_demo(session)
    index()


class TestInitiatives:
    def test_csv_has_swedish_headers_and_labels_and_no_formulas(self, client: TestClient, session: Session):
        initiative = make_initiative(
            session, title='=HYPERLINK("http://x";"klicka")', category="health", budget_sek=900_000
        )
        rows = csv_rows(client.get("/initiativ.csv?category=health"))
        assert rows == [
            {
                **{header: rows[0][header] for header in downloads.INITIATIVE_HEADERS},
                "Titel": '\'=HYPERLINK("http://x";"klicka")',
                "Ägare": "Sundsvall",
                "Ägarens kod": "2281",
                "Län": "Västernorrlands län",
                "Status": "pilot",
                "Kategori": "hälsa",
                "Budget (kr)": "900000",
                "Plan för nyttorealisering": "nej",
                "Arkiverad": "nej",
                "Adress": f"http://127.0.0.1:8000/initiativ/{initiative.id}",
            }
        ]

    def test_xlsx_keeps_the_title_as_text(self, client: TestClient, session: Session):
        make_initiative(session, title="@SUM(A1)", category="citizen_dialogue", budget_sek=1_000)
        rows = xlsx_rows(client.get("/initiativ.xlsx?category=citizen_dialogue"))
        assert rows[0] == downloads.INITIATIVE_HEADERS
        assert rows[1][:3] == ("@SUM(A1)", "Sundsvall", "2281") and rows[1][9] == 1_000

    def test_the_list_links_every_format(self, client: TestClient):
        hrefs = {a.get("href") for a in parse(client.get("/initiativ").text).iter("a")}
        assert {"/initiativ.xlsx?", "/initiativ.csv?", "/initiativ.jsonl?"} <= hrefs


class TestDuplication:
    def test_csv_and_xlsx_hold_every_cluster_member(self, client: TestClient, session: Session, demo):
        clusters = cluster_service.list_clusters(AnalyticsContext.of(session), ClusterQuery(limit=200)).items
        expected = [(c.label, m.title, m.owner_name) for c in clusters for m in c.members]
        assert expected
        rows = csv_rows(client.get("/dubbelarbete.csv"))
        assert [(r["Dubbelarbete"], r["Initiativ"], r["Ägare"]) for r in rows] == expected
        sheet = xlsx_rows(client.get("/dubbelarbete.xlsx"))
        assert sheet[0] == downloads.CLUSTER_HEADERS
        assert [(r[0], r[3], r[4]) for r in sheet[1:]] == expected

    def test_the_page_links_them(self, client: TestClient, demo):
        hrefs = {a.get("href") for a in parse(client.get("/dubbelarbete").text).iter("a")}
        assert {"/dubbelarbete.xlsx?", "/dubbelarbete.csv?"} <= hrefs

    def test_other_formats_are_a_swedish_404(self, client: TestClient):
        response = client.get("/dubbelarbete.pdf")
        assert response.status_code == 404 and "Excel (.xlsx)" in response.text


class TestOrganisationTables:
    def test_kpis_one_row_per_kpi_and_year(self, client: TestClient, demo):
        rows = csv_rows(client.get("/organisation/2281/nyckeltal.csv"))
        assert list(rows[0]) == list(downloads.KPI_HEADERS)
        assert {r["Nyckeltal"] for r in rows} >= {"Utvecklingsintensitet", "Datautnyttjande"}
        assert all(r["År"].isdigit() for r in rows)
        assert xlsx_rows(client.get("/organisation/2281/nyckeltal.xlsx"))[0] == downloads.KPI_HEADERS

    def test_candidates(self, client: TestClient, demo):
        page = client.get("/organisation/2281").text
        rows = csv_rows(client.get("/organisation/2281/att-ta-efter.csv"))
        assert rows and all(r["Grund"] in ("känt behov", "möjlighet") for r in rows)
        assert all(r["Initiativ"] in page for r in rows)
        assert 'href="/organisation/2281/att-ta-efter.xlsx"' in page

    def test_unknown_table_or_organisation_is_404(self, client: TestClient):
        assert client.get("/organisation/2281/hemligt.csv").status_code == 404
        assert client.get("/organisation/9999/nyckeltal.csv").status_code == 404


class TestNationalCandidates:
    def test_the_start_pages_ranking_with_known_needs_and_potential_apart(
        self, client: TestClient, session: Session, demo
    ):
        query = NationalCandidateQuery(limit=200)
        expected = scaling_service.national_candidates(AnalyticsContext.of(session), query)
        rows = csv_rows(client.get("/att-ta-efter.csv"))
        assert [r["Lösning (initiativ)"] for r in rows] == [c.initiative.title for c in expected]
        first = expected[0]
        assert rows[0]["Organisationer med känt behov"] == str(first.known_need_count)
        assert rows[0]["Kostnad per månad, kända behov (kr)"] == str(first.known_need_cost.monthly_sek or "")
        assert rows[0]["Organisationer med möjlighet"] == str(first.potential_count)
        assert xlsx_rows(client.get("/att-ta-efter.xlsx"))[1][0] == first.initiative.title
        assert 'href="/att-ta-efter.csv"' in client.get("/").text

    def test_other_formats_are_a_swedish_404(self, client: TestClient):
        response = client.get("/att-ta-efter.pdf")
        assert response.status_code == 404
        assert "Excel (.xlsx)" in response.text
