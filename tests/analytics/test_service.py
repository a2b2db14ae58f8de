import threading
from datetime import date

import pytest

from app.adoptions import service as adoption_service
from app.adoptions.schemas import AdoptionCreate
from app.analytics.clusters import service as cluster_service
from app.analytics.clusters.schemas import ClusterQuery
from app.analytics.context import AnalyticsContext
from app.analytics.flags import service as flag_service
from app.analytics.kpis import service as kpi_service
from app.analytics.kpis.schemas import KpiReportList
from app.analytics.overlaps import corpus as corpus_module
from app.analytics.overlaps import scoring
from app.analytics.overlaps import service as overlap_service
from app.analytics.overlaps.corpus import CORPUS
from app.analytics.overlaps.schemas import SimilarQuery
from app.analytics.scaling import service as scaling_service
from app.analytics.scaling.schemas import CandidateQuery
from app.core.caller import ADMIN
from app.core.db import session_scope
from app.core.problems import ValidationFailed
from app.initiatives import reads as initiative_reads
from app.initiatives import service as initiative_service
from app.initiatives.schemas import InitiativeUpdate
from app.organisations import service as organisation_service
from app.organisations.schemas import FiguresWrite
from tests.factories import make_initiative

# Populations in the reference data (SCB, 31 December 2023).
SUNDSVALL, STOCKHOLM, SWEDEN = 99_213, 988_943, 10_551_707
NIGHT = "Digital nattillsyn med kamera i hemtjänsten"
NIGHT_AGAIN = "Nattillsyn via kamera i hemtjänsten"
SIGNING = "Elektronisk signering av avtal och beslut"
# Other work in the same registry, so that document frequencies mean something.
BACKGROUND = [
    ("Ruttplanering i hemtjänsten", "1480"),
    ("Nyckelfri hemtjänst med digitala lås", "0580"),
    ("Digital matsvinnsmätning i skolan", "1280"),
    ("Digital lokalbokning", "1281"),
]


def make(session, title: str, owner: str, **overrides):
    fields = {"summary": None, "tags": [], "budget_sek": None, **overrides}
    return make_initiative(session, title=title, owner=owner, **fields)


def adopt(session, initiative, organisation: str, status: str = "in_operation") -> None:
    adoption_service.create(session, initiative.id, AdoptionCreate(organisation=organisation, status=status), ADMIN)


def cluster_titles(session, **filters) -> list[list[str]]:
    page = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(**filters))
    return [sorted(member.title for member in item.members) for item in page.items]


class TestFindOverlaps:
    def test_other_organisations_initiatives_with_an_explanation(self, session):
        target = make(session, NIGHT, "2281", tags=["nattillsyn"])
        make(session, NIGHT_AGAIN, "0180", tags=["nattillsyn"], solution={"name": "Tillsynskamera"})
        make(session, NIGHT_AGAIN, "2281")
        make(session, SIGNING, "1480")
        found = overlap_service.find_overlaps(AnalyticsContext(session), target.id)
        assert [match.initiative.owner_name for match in found] == ["Stockholm"]
        explanation = found[0].explanation
        assert explanation.shared_terms[0] == "nattillsyn" and "kamer" in explanation.shared_terms
        assert explanation.same_category and not explanation.same_solution and not explanation.is_coordinated
        assert 0.3 <= found[0].score <= 1 and found[0].initiative.flags

    def test_without_min_score_only_the_same_work_with_it_weaker_matches_too(self, session):
        target = make(session, NIGHT, "2281")
        make(session, "Digitala trygghetslarm i hemtjänsten", "0180")
        for title, owner in BACKGROUND:
            make(session, title, owner)
        assert overlap_service.find_overlaps(AnalyticsContext(session), target.id) == []
        weaker = overlap_service.find_overlaps(AnalyticsContext(session), target.id, min_score=0.05)
        assert "0180" in [match.initiative.owner for match in weaker]
        assert all(match.score < scoring.SAME_WORK_SCORE for match in weaker)

    def test_same_named_solution_is_explained(self, session):
        target = make(session, NIGHT, "2281", solution={"name": "Tillsynskamera"})
        make(session, NIGHT_AGAIN, "0180", solution={"name": "tillsynskamera"})
        assert overlap_service.find_overlaps(AnalyticsContext(session), target.id)[0].explanation.same_solution

    def test_an_adoption_marks_the_match_coordinated(self, session):
        target = make(session, NIGHT, "2281")
        make(session, NIGHT_AGAIN, "0180")
        adopt(session, target, "0180", "piloting")
        assert overlap_service.find_overlaps(AnalyticsContext(session), target.id)[0].explanation.is_coordinated

    def test_a_change_of_text_is_seen_at_once(self, session):
        target = make(session, NIGHT, "2281")
        other = make(session, SIGNING, "0180")
        assert overlap_service.find_overlaps(AnalyticsContext(session), target.id) == []
        initiative_service.update(session, other.id, InitiativeUpdate(title=NIGHT_AGAIN), ADMIN, other.version)
        assert [
            match.initiative.id for match in overlap_service.find_overlaps(AnalyticsContext(session), target.id)
        ] == [other.id]

    def test_archived_initiatives_are_left_out(self, session):
        target = make(session, NIGHT, "2281")
        archived = make(session, NIGHT, "0180")
        initiative_service.archive(session, archived.id, "Ersatt", ADMIN)
        assert overlap_service.find_overlaps(AnalyticsContext(session), target.id) == []
        assert overlap_service.find_overlaps(AnalyticsContext(session), archived.id) == []


class TestListSimilar:
    def test_other_owners_best_first(self, session):
        target = make(session, NIGHT, "2281", tags=["kamera"])
        make(session, NIGHT_AGAIN, "0180", tags=["kamera"])
        make(session, NIGHT, "1480", tags=["kamera"])
        make(session, NIGHT, "2281")
        make(session, SIGNING, "0580")
        found = overlap_service.list_similar(AnalyticsContext(session), target.id, SimilarQuery())
        assert [item.initiative.owner for item in found] == ["1480", "0180"]
        assert found[0].score == 1.0 and found[0].shared_tags == ["kamera"]

    def test_limit_keeps_the_best(self, session):
        target = make(session, NIGHT, "2281")
        make(session, NIGHT_AGAIN, "0180")
        make(session, NIGHT, "1480")
        found = overlap_service.list_similar(AnalyticsContext(session), target.id, SimilarQuery(limit=1))
        assert [item.initiative.owner for item in found] == ["1480"]


class TestCorpusCache:
    def test_reused_until_the_registry_changes_then_updated_not_rebuilt(self, session, monkeypatch):
        monkeypatch.setattr(corpus_module, "REBUILD_SHARE", 10_000)
        make(session, NIGHT, "2281")
        first = CORPUS.get(session)
        assert CORPUS.get(session) is first
        make(session, NIGHT_AGAIN, "0180")
        updated = CORPUS.get(session)
        assert updated is not first and len(updated.index.keys) == len(first.index.keys) + 1
        assert updated.index.vectoriser is first.index.vectoriser and updated.drift == first.drift + 1

    def test_large_drift_rebuilds(self, session, monkeypatch):
        make(session, NIGHT, "2281")
        first = CORPUS.get(session)
        make(session, NIGHT_AGAIN, "0180")  # a change to more than a fifth of the corpus
        assert CORPUS.get(session).index.vectoriser is not first.index.vectoriser

    def test_what_a_rolled_back_transaction_showed_is_undone(self, session, monkeypatch):
        monkeypatch.setattr(corpus_module, "REBUILD_SHARE", 10_000)
        make(session, NIGHT, "2281")
        with session.begin_nested() as savepoint:
            make(session, NIGHT_AGAIN, "0180")
            assert len(CORPUS.get(session).pairs) == 1
            savepoint.rollback()
        make(session, SIGNING, "1480")
        corpus = CORPUS.get(session)
        assert len(corpus.pairs) == 0 and sum(corpus.facts.is_live) == 2

    def test_another_workers_write_is_seen_on_the_next_request(self, committed):
        first_worker, second_worker = corpus_module.CorpusCache(), corpus_module.CorpusCache()
        with session_scope(committed) as session:
            target = make(session, NIGHT, "2281")
            for title, owner in BACKGROUND:
                make(session, title, owner)
        with session_scope(committed, write=False) as session:
            assert len(second_worker.get(session).pairs) == 0
        with session_scope(committed) as session:
            make(session, NIGHT_AGAIN, "0180")
            first_worker.get(session)
        with session_scope(committed, write=False) as session:
            corpus = second_worker.get(session)
        partner = (
            corpus.index.keys[corpus.pairs.second[0]]
            if corpus.pairs.first[0] == corpus.index.position(str(target.id))
            else corpus.index.keys[corpus.pairs.first[0]]
        )
        assert len(corpus.pairs) == 1 and partner != str(target.id)

    def test_after_much_drift_a_rebuild_runs_in_the_background(self, committed, monkeypatch):
        monkeypatch.setattr(corpus_module, "REBUILD_SHARE", 0.3)
        cache = corpus_module.CorpusCache()
        with session_scope(committed) as session:
            for title, owner in [*BACKGROUND, (NIGHT, "2281")]:
                make(session, title, owner)
        with session_scope(committed, write=False) as session:
            built = cache.get(session)
        for owner in ("0180", "0580"):
            with session_scope(committed) as session:
                make(session, NIGHT_AGAIN, owner)
            with session_scope(committed, write=False) as session:
                answered = cache.get(session)
        assert answered.index.vectoriser is built.index.vectoriser and len(answered.pairs) == 3
        for thread in threading.enumerate():
            if thread.name == "overlap-rebuild":
                thread.join(timeout=30)
        with session_scope(committed, write=False) as session:
            rebuilt = cache.get(session)
        assert rebuilt.index.vectoriser is not built.index.vectoriser and len(rebuilt.pairs) == 3

    def test_an_adoption_updates_who_runs_it(self, session):
        original = make(session, NIGHT, "2281")
        adopt(session, original, "0180")
        assert CORPUS.get(session).running[str(original.id)] == {"0180"}


def proven(session, title: str, owner: str, benefit: int = 1_000_000, **overrides):
    return make(session, title, owner, status="in_operation", realised_benefit_sek_per_year=benefit, **overrides)


class TestListClusters:
    def test_groups_same_work_across_organisations_by_combined_budget(self, session):
        make(session, NIGHT, "2281", budget_sek=100)
        make(session, NIGHT_AGAIN, "0180", budget_sek=200)
        make(session, NIGHT, "1480", budget_sek=None)
        make(session, SIGNING, "2281", budget_sek=5_000)
        make(session, SIGNING, "0580", budget_sek=1_000)
        page = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery())
        assert [item.combined_budget_sek for item in page.items] == [6_000, 300]
        assert (page.total_count, page.total_budget_sek, page.next) == (2, 6_300, None)
        night = page.items[1]
        assert night.organisation_count == 3 and [m.owner for m in night.members] == ["0180", "2281", "1480"]
        assert "nattillsyn" in " ".join(night.label_terms) or "kamer" in night.label_terms
        assert night.id == min(member.id for member in night.members)

    def test_filters_by_county_and_category(self, session):
        make(session, NIGHT, "2281")
        make(session, NIGHT, "2262")
        make(session, NIGHT, "0180", category="health")
        in_county = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(county="22")).items
        assert [sorted(m.owner for m in item.members) for item in in_county] == [["2262", "2281"]]
        in_health = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(category="health")).items
        assert in_health == []

    def test_pages_of_groups(self, session):
        for title in (NIGHT, SIGNING, "Gemensam e-arkivlösning för kommunerna"):
            make(session, title, "2281")
            make(session, title, "0180")
        first = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(limit=2))
        rest = cluster_service.list_clusters(AnalyticsContext(session), ClusterQuery(limit=2, cursor=first.next))
        ids = [item.id for item in first.items + rest.items]
        assert len(first.items) == 2 and len(rest.items) == 1 and rest.next is None and len(set(ids)) == 3


class TestFlags:
    def test_pilot_of_something_proven_elsewhere_points_to_it(self, session):
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
        found = initiative_reads.read(session, pilot.id).flags
        assert [(flag.flag, flag.proven_initiative_id) for flag in found] == [("pilot_of_proven", elsewhere.id)]

    def test_a_pilot_of_something_unproven_is_not_flagged_so(self, session):
        pilot = make(session, NIGHT, "2281", status="pilot")
        make(session, NIGHT_AGAIN, "0180", status="in_operation")  # no realised benefit
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


class TestListCandidates:
    def test_for_an_organisation_benefit_scales_by_population(self, session):
        elsewhere = proven(session, NIGHT_AGAIN, "0180", benefit=1_200_000)
        items, cursor = scaling_service.list_candidates(
            AnalyticsContext(session), CandidateQuery(for_organisation="2281")
        )
        assert [item.initiative.id for item in items] == [elsewhere.id] and cursor is None
        item = items[0]
        expected = 1_200_000 * SUNDSVALL / STOCKHOLM
        assert item.estimated_annual_benefit_sek == round(expected)
        assert item.monthly_opportunity_cost_sek == round(expected / 12)
        assert (item.lacking_count, item.missing, item.own_related_initiative_id) == (1, [], None)

    def test_names_the_organisations_own_related_initiative(self, session):
        proven(session, NIGHT_AGAIN, "0180")
        own = make(session, NIGHT, "2281", status="pilot")
        items, _ = scaling_service.list_candidates(AnalyticsContext(session), CandidateQuery(for_organisation="2281"))
        assert items[0].own_related_initiative_id == own.id

    def test_what_it_has_is_no_candidate(self, session):
        adopted = proven(session, "Antaget", "0180")
        adopt(session, adopted, "2281", "abandoned")
        proven(session, "Deltar", "0180", participants=[{"organisation": "2281", "role": "partner"}])
        proven(session, "Eget", "2281")
        proven(session, "Förbundets", "itsam")  # Sundsvall is not a member: a candidate
        make(session, "Inte beprövat", "0180", status="in_operation")
        make(session, "Pilot", "0180", status="pilot", realised_benefit_sek_per_year=5)
        items, _ = scaling_service.list_candidates(AnalyticsContext(session), CandidateQuery(for_organisation="2281"))
        assert sorted(item.initiative.title for item in items) == ["Antaget", "Förbundets"]  # abandoned: still lacking
        members_have_it, _ = scaling_service.list_candidates(
            AnalyticsContext(session), CandidateQuery(for_organisation="0509")
        )
        assert "Förbundets" not in [item.initiative.title for item in members_have_it]

    def test_nationally_the_cost_sums_over_every_municipality_lacking_it(self, session):
        proven(session, NIGHT_AGAIN, "0180", benefit=1_000_000)
        items, _ = scaling_service.list_candidates(AnalyticsContext(session), CandidateQuery())
        assert items[0].lacking_count == 289
        assert items[0].estimated_annual_benefit_sek == round(1_000_000 * (SWEDEN - STOCKHOLM) / STOCKHOLM)

    def test_regions_initiatives_are_for_regions(self, session):
        proven(session, NIGHT_AGAIN, "22", benefit=1_000_000)
        items, _ = scaling_service.list_candidates(AnalyticsContext(session), CandidateQuery())
        assert items[0].lacking_count == 20
        assert (
            scaling_service.list_candidates(AnalyticsContext(session), CandidateQuery(for_organisation="2281"))[0] == []
        )

    def test_most_costly_first_and_paged(self, session):
        for benefit in (100_000, 300_000, 200_000):
            proven(session, f"Nytta {benefit}", "0180", benefit=benefit)
        first, cursor = scaling_service.list_candidates(
            AnalyticsContext(session), CandidateQuery(for_organisation="2281", limit=2)
        )
        rest, end = scaling_service.list_candidates(
            AnalyticsContext(session), CandidateQuery(for_organisation="2281", cursor=cursor)
        )
        assert [item.initiative.title for item in first + rest] == ["Nytta 300000", "Nytta 200000", "Nytta 100000"]
        assert end is None

    def test_unknown_organisation_is_a_validation_problem(self, session):
        with pytest.raises(ValidationFailed) as raised:
            scaling_service.list_candidates(AnalyticsContext(session), CandidateQuery(for_organisation="9999"))
        assert raised.value.invalid_parameters[0].property == "for_organisation"


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
        make(session, "Nytt", "2281", status="scaled", status_date=date(2026, 2, 1))
        read = kpi_reports(session, "2281", date(2026, 4, 9))
        productivity = kpi(read.items[-1], "productivity")
        assert productivity.inputs == {"services_put_into_operation": 1, "months": 4}

    def test_opportunity_cost_sums_what_it_lacks(self, session):
        proven(session, NIGHT_AGAIN, "0180", benefit=1_200_000)
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
