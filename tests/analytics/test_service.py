from datetime import date

from app.adoptions import service as adoption_service
from app.adoptions.schemas import AdoptionCreate
from app.analytics.clusters import service as cluster_service
from app.analytics.clusters.schemas import ClusterQuery
from app.analytics.context import AnalyticsContext
from app.analytics.flags import service as flag_service
from app.analytics.kpis import service as kpi_service
from app.analytics.kpis.schemas import KpiReportList
from app.analytics.overlaps import judgements
from app.analytics.overlaps.schemas import JudgementWrite
from app.analytics.scaling import service as scaling_service
from app.analytics.scaling.schemas import CandidateQuery, NationalCandidateQuery
from app.core.caller import ADMIN
from app.initiatives import reads as initiative_reads
from app.initiatives import service as initiative_service
from app.initiatives.schemas import InitiativeUpdate
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite
from tests.factories import confirm_participation, make_initiative

# Populations in the reference data (SCB, 31 December 2023).
SUNDSVALL, STOCKHOLM, GOTHENBURG = 99_213, 988_943, 604_616
NIGHT = "Digital nattillsyn med kamera i hemtjänsten"
NIGHT_AGAIN = "Nattillsyn via kamera i hemtjänsten"
SIGNING = "Elektronisk signering av avtal och beslut"
ALARMS = "Digitala trygghetslarm i ordinärt boende"


def make(session, title: str, owner: str, **overrides):
    fields = {"summary": None, "tags": [], "budget_sek": None, **overrides}
    return make_initiative(session, title=title, owner=owner, **fields)


def adopt(session, initiative, organisation: str, status: str = "in_operation") -> None:
    adoption_service.create(session, initiative.id, AdoptionCreate(organisation=organisation, status=status), ADMIN)


def cluster_titles(session, **filters) -> list[list[str]]:
    """Each cluster's member titles, sorted."""
    page = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(**filters))
    return [sorted(member.title for member in item.members) for item in page.items]


def proven(session, title: str, owner: str, benefit: int = 1_000_000, **overrides):
    return make(session, title, owner, status="in_operation", realised_benefit_sek_per_year=benefit, **overrides)


class TestListClusters:
    def test_groups_same_work_across_organisations_by_combined_budget(self, session, index):
        make(session, NIGHT, "2281", budget_sek=100)
        make(session, NIGHT_AGAIN, "0180", budget_sek=200)
        make(session, NIGHT, "1480", budget_sek=None)
        make(session, SIGNING, "2281", budget_sek=5_000)
        make(session, SIGNING, "0580", budget_sek=1_000)
        index()
        page = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery())
        assert [item.combined_budget_sek for item in page.items] == [6_000, 300]
        assert (page.total_count, page.total_budget_sek, page.next) == (2, 6_300, None)
        night = page.items[1]
        assert night.organisation_count == 3 and [m.owner for m in night.members] == ["0180", "2281", "1480"]
        assert night.label == "Digital nattillsyn" and night.id == min(member.id for member in night.members)

    def test_one_initiative_like_two_topics_does_not_merge_them(self, session, index):
        for owner in ("2281", "0180", "1480"):
            make(session, NIGHT, owner, tags=["nattillsyn"])
        for owner in ("0580", "1280", "1281"):
            make(session, ALARMS, owner, tags=["trygghetslarm"])
        make(session, f"{NIGHT} och {ALARMS}", "2262", tags=["nattillsyn", "trygghetslarm"])
        index()
        clusters = cluster_titles(session)
        assert len(clusters) == 2
        assert all(len({title for title in cluster if title != f"{NIGHT} och {ALARMS}"}) == 1 for cluster in clusters)

    def test_filters_by_county_and_category(self, session, index):
        make(session, NIGHT, "2281")
        make(session, NIGHT, "2262")
        make(session, NIGHT, "0180", category="health")
        index()
        in_county = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(county="22")).items
        assert [sorted(m.owner for m in item.members) for item in in_county] == [["2262", "2281"]]
        in_health = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(category="health")).items
        assert in_health == []

    def test_pages_of_groups(self, session, index):
        for title in (NIGHT, SIGNING, "Gemensam e-arkivlösning för kommunerna"):
            make(session, title, "2281")
            make(session, title, "0180")
        index()
        first = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(limit=2))
        rest = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(limit=2, cursor=first.next))
        ids = [item.id for item in first.items + rest.items]
        assert len(first.items) == 2 and len(rest.items) == 1 and rest.next is None and len(set(ids)) == 3

    def test_a_pair_judged_different_is_cut_and_one_judged_same_is_joined(self, session, index):
        night, twin = make(session, NIGHT, "2281"), make(session, NIGHT_AGAIN, "0180")
        signing = make(session, SIGNING, "1480")
        judgements.judge(session, night.id, twin.id, JudgementWrite(verdict="different"), ADMIN)
        judgements.judge(session, night.id, signing.id, JudgementWrite(verdict="same"), ADMIN)
        index()
        assert cluster_titles(session) == [sorted([NIGHT, SIGNING])]


class TestFlags:
    def test_pilot_of_something_proven_elsewhere_points_to_it(self, session, index):
        pilot = make(
            session,
            NIGHT,
            "2281",
            status="pilot",
            strategy_refs=["Strategi"],
            solution={"name": "Kamera"},
            has_benefit_realisation_plan=True,
        )
        elsewhere = proven(session, NIGHT_AGAIN, "0180")
        index()
        found = initiative_reads.read(session, pilot.id).flags
        assert [(flag.flag, flag.proven_initiative_id) for flag in found] == [("pilot_of_proven", elsewhere.id)]

    def test_planned_and_building_duplicates_of_something_proven_are_flagged(self, session, index):
        planned = make(session, NIGHT, "2281", status="planned")
        building = make(session, NIGHT, "1480", status="implementation")
        elsewhere = proven(session, NIGHT_AGAIN, "0180")
        index()
        for initiative in (planned, building):
            flags = {
                flag.flag: flag.proven_initiative_id for flag in initiative_reads.read(session, initiative.id).flags
            }
            assert flags["duplicate_of_proven"] == elsewhere.id and "pilot_of_proven" not in flags

    def test_no_proven_flag_where_the_owner_adopts_or_takes_part_or_people_judged_it_different(self, session, index):
        elsewhere = proven(session, NIGHT_AGAIN, "0180", participants=[{"organisation": "1480", "role": "partner"}])
        confirm_participation(session, elsewhere, "1480")
        adopting = make(session, NIGHT, "2281", status="pilot")
        adopt(session, elsewhere, "2281", "piloting")
        partner = make(session, NIGHT, "1480", status="pilot")
        judged = make(session, NIGHT, "0580", status="planned")
        judgements.judge(session, judged.id, elsewhere.id, JudgementWrite(verdict="different"), ADMIN)
        index()
        for initiative in (adopting, partner, judged):
            flags = [flag.flag for flag in initiative_reads.read(session, initiative.id).flags]
            assert "pilot_of_proven" not in flags and "duplicate_of_proven" not in flags

    def test_a_participation_only_claimed_by_the_proven_owner_keeps_the_flag(self, session, index):
        elsewhere = proven(session, NIGHT_AGAIN, "0180", participants=[{"organisation": "1480", "role": "partner"}])
        partner = make(session, NIGHT, "1480", status="pilot")
        index()
        flags = {flag.flag: flag.proven_initiative_id for flag in initiative_reads.read(session, partner.id).flags}
        assert flags["pilot_of_proven"] == elsewhere.id
        confirm_participation(session, elsewhere, "1480")
        index()
        assert "pilot_of_proven" not in [flag.flag for flag in initiative_reads.read(session, partner.id).flags]

    def test_a_pilot_of_something_unproven_is_not_flagged_so(self, session, index):
        pilot = make(session, NIGHT, "2281", status="pilot")
        make(session, NIGHT_AGAIN, "0180", status="in_operation")  # no realised benefit
        index()
        assert "pilot_of_proven" not in [flag.flag for flag in initiative_reads.read(session, pilot.id).flags]

    def test_portfolio_lists_live_initiatives_with_flags_and_sums_them(self, session):
        make(
            session,
            "Bra grundat",
            "2281",
            status="implementation",
            strategy_refs=["Strategi"],
            solution={"name": "System"},
            has_benefit_realisation_plan=True,
            budget_sek=1_000,
        )
        make(session, "Löst förankrat", "2281", status="planned", budget_sek=300)
        make(session, "Utan budget", "2281", status="idea", strategy_refs=["Strategi"])
        initiative_service.archive(session, make(session, "Arkiverat", "2281", budget_sek=9_999).id, None, ADMIN)
        read = flag_service.portfolio(AnalyticsContext(session), profile(session, "2281"))
        assert (read.initiative_count, read.total_budget_sek) == (3, 1_300)
        assert [item.title for item in read.initiatives] == ["Bra grundat", "Löst förankrat", "Utan budget"]
        assert [(s.flag, s.count, s.budget_sek) for s in read.flags] == [
            ("no_benefit_realisation", 2, 300),
            ("no_solution", 1, 300),
            ("decoupled_from_strategy", 1, 300),
        ]


def candidates(session, code: str, basis: str | None = "known_need"):
    organisation = profile(session, code)
    found, _ = scaling_service.candidates_for(AnalyticsContext(session), organisation, CandidateQuery(basis=basis))
    return found


def national(session, **filters):
    return scaling_service.national_candidates(AnalyticsContext(session), NationalCandidateQuery(**filters))


class TestScalingCandidates:
    def test_a_known_need_costs_the_benefit_scaled_by_population(self, session, index):
        elsewhere = proven(session, NIGHT_AGAIN, "0180", benefit=1_200_000)
        own = make(session, NIGHT, "2281", status="pilot")
        index()
        [item] = candidates(session, "2281")
        expected = 1_200_000 * SUNDSVALL / STOCKHOLM
        assert item.initiative.id == elsewhere.id and item.basis == "known_need"
        assert (item.cost.annual_sek, item.cost.monthly_sek) == (round(expected), round(expected / 12))
        assert item.evidence.own_initiative_id == own.id and not item.evidence.judged_same and item.missing == []

    def test_absence_of_a_record_is_not_a_need(self, session, index):
        proven(session, NIGHT_AGAIN, "0180")
        index()
        assert candidates(session, "2281", basis=None) == []  # Sundsvall reports nothing: no candidate at all
        make(session, "Bygglov digitalt", "2281", status="idea")
        index()
        [item] = candidates(session, "2281", basis=None)
        assert item.basis == "potential" and "does not know" in item.evidence.note

    def test_what_it_runs_adopts_or_takes_part_in_is_no_candidate(self, session, index):
        make(session, "Bygglov digitalt", "2281", status="idea")  # Sundsvall reports
        adopted = proven(session, "Antaget", "0180")
        adopt(session, adopted, "2281", "considering")
        abandoned = proven(session, "Övergivet", "0180")
        adopt(session, abandoned, "2281", "abandoned")
        confirmed = proven(session, "Deltar", "0180", participants=[{"organisation": "2281", "role": "partner"}])
        confirm_participation(session, confirmed, "2281")
        proven(session, "Påstås delta", "0180", participants=[{"organisation": "2281", "role": "funder"}])
        proven(session, NIGHT_AGAIN, "0180")
        proven(session, NIGHT, "2281")  # runs the same work itself
        index()
        found = sorted(item.initiative.title for item in candidates(session, "2281", basis=None))
        assert found == ["Påstås delta", "Övergivet"]  # a claimed participation is not "already cooperating"

    def test_people_judging_its_work_different_end_the_candidacy(self, session, index):
        elsewhere = proven(session, NIGHT_AGAIN, "0180")
        own = make(session, NIGHT, "2281", status="pilot")
        judgements.judge(session, own.id, elsewhere.id, JudgementWrite(verdict="different"), ADMIN)
        index()
        assert candidates(session, "2281", basis=None) == []

    def test_nationally_known_need_and_potential_are_summed_apart(self, session, index):
        proven(session, NIGHT_AGAIN, "0180", benefit=1_000_000)
        make(session, NIGHT, "2281", status="planned")
        make(session, "Bygglov digitalt", "1480", status="idea")
        index()
        [item] = national(session)
        assert (item.known_need_count, item.potential_count, item.organisations_without) == (1, 1, 2)
        assert item.known_need_cost.annual_sek == round(1_000_000 * SUNDSVALL / STOCKHOLM)
        assert item.potential_cost.annual_sek == round(1_000_000 * GOTHENBURG / STOCKHOLM)

    def test_regions_initiatives_are_potential_only_for_regions(self, session, index):
        proven(session, NIGHT_AGAIN, "22", benefit=1_000_000)
        make(session, "Bygglov digitalt", "2281", status="idea")
        make(session, "Vårdplatser digitalt", "01", status="idea")
        index()
        [item] = national(session)
        assert (item.known_need_count, item.potential_count) == (0, 1)
        assert candidates(session, "2281", basis=None) == [] and len(candidates(session, "01", basis=None)) == 1

    def test_most_costly_first_and_paged(self, session, index):
        make(session, "Bygglov digitalt", "2281", status="idea")
        for benefit in (100_000, 300_000, 200_000):
            proven(session, f"Nytta {benefit}", "0180", benefit=benefit)
        index()
        organisation, context = profile(session, "2281"), AnalyticsContext(session)
        first, cursor = scaling_service.candidates_for(context, organisation, CandidateQuery(basis=None, limit=2))
        rest, end = scaling_service.candidates_for(context, organisation, CandidateQuery(basis=None, cursor=cursor))
        assert [item.initiative.title for item in first + rest] == ["Nytta 300000", "Nytta 200000", "Nytta 100000"]
        assert end is None


def profile(session, code: str):
    return AnalyticsContext(session).organisations.profiles[code]


def kpi_reports(session, code: str, today: date):
    return KpiReportList(items=kpi_service.kpi_history(AnalyticsContext(session), profile(session, code), today))


def record(session, code: str, year: int, **figures) -> None:
    organisation_service.record_figures(session, code, year, FiguresWrite(**figures), ADMIN)


def kpi(report, key: str):
    return next(value for value in report.kpis if value.key == key)


class TestKpiReports:
    def test_one_report_per_year_with_figures(self, session):
        record(session, "2281", 2025, total_turnover_sek=10_000, datasets_held=10, datasets_used=4)
        make(
            session,
            "Pågår",
            "2281",
            budget_sek=1_000,
            budget_by_year={2025: 1_000},
            digital_share=0.5,
            start_date=date(2024, 1, 1),
            status="in_operation",
            status_date=date(2025, 3, 1),
        )
        make(session, "Avslutat", "2281", budget_sek=9_000, start_date=date(2020, 1, 1), end_date=date(2024, 6, 30))
        read = kpi_reports(session, "2281", date(2026, 2, 1))
        assert [report.year for report in read.items] == [2023, 2025]  # 2023: the reference population
        report = read.items[1]
        assert kpi(report, "development_intensity").value == 0.1
        assert kpi(report, "development_effect").value == 1.0 and kpi(report, "digitalisation").value == 0.5
        assert kpi(report, "productivity").value == round(1 / 12, 6)
        assert kpi(report, "data_utilisation").value == 0.4
        assert kpi(report, "kpi_turnover").missing_inputs == ["kpis_added", "kpis_retired", "kpi_set_size"]

    def test_productivity_counts_only_the_first_entry_into_operation_in_this_year(self, session):
        record(session, "2281", 2026, kpi_set_size=1)
        first = make(session, "Tidigt", "2281", status="in_operation", status_date=date(2025, 5, 1))
        initiative_service.update(
            session, first.id, InitiativeUpdate(status="scaled", status_date=date(2026, 1, 10)), ADMIN, first.version
        )
        make(session, "Nytt", "2281", digital_share=0.5, status="scaled", status_date=date(2026, 2, 1))
        read = kpi_reports(session, "2281", date(2026, 4, 9))
        productivity = kpi(read.items[-1], "productivity")
        assert productivity.inputs == {
            "digital_services_put_into_operation": 1,
            "months": 4,
            "services_without_digital_share": 0,
        }

    def test_opportunity_cost_sums_its_known_needs(self, session, index):
        proven(session, NIGHT_AGAIN, "0180", benefit=1_200_000, status_date=date(2023, 1, 1))
        make(session, NIGHT, "2281", status="pilot", status_date=date(2023, 1, 1))
        index()
        read = kpi_reports(session, "2281", date(2026, 2, 1))
        assert kpi(read.items[0], "opportunity_cost").value == round(1_200_000 * SUNDSVALL / STOCKHOLM)

    def test_without_a_population_the_opportunity_cost_is_missing(self, session):
        record(session, "sambruk", 2025, datasets_held=1)  # an association without known members
        read = kpi_reports(session, "sambruk", date(2026, 2, 1))
        cost = kpi(read.items[0], "opportunity_cost")
        assert (cost.value, cost.missing_inputs) == (None, ["population"])

    def test_no_figures_no_reports(self, session):
        read = kpi_reports(session, "gr", date(2026, 2, 1))
        assert read.items == []
