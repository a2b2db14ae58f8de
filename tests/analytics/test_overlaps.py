"""Overlaps read from the tables the indexer keeps: lists, explanations in the public's words,
and people's judgements."""

import uuid

import pytest
from sqlmodel import select

from app.adoptions import service as adoption_service
from app.adoptions.schemas import AdoptionCreate, AdoptionUpdate
from app.analytics.context import AnalyticsContext
from app.analytics.overlaps import judgements, thresholds
from app.analytics.overlaps import service as overlap_service
from app.analytics.overlaps.models import OverlapPair
from app.analytics.overlaps.schemas import JudgementWrite, OverlapMatchList, SimilarQuery
from app.changes import service as change_service
from app.core.caller import ADMIN, Caller
from app.core.enums import ActorKind
from app.core.problems import Forbidden, NotFound, ValidationFailed
from app.initiatives import service as initiative_service
from app.initiatives.schemas import InitiativeUpdate
from app.organisations.models import Organisation
from tests.factories import confirm_participation, make_initiative

NIGHT = "Digital nattillsyn med kamera i hemtjänsten"
NIGHT_AGAIN = "Nattillsyn via kameror hos brukare i hemtjänsten"
SIGNING = "Elektronisk signering av avtal och beslut"
ALARMS = "Digitala trygghetslarm i hemtjänsten"


def make(session, title: str, owner: str, **overrides):
    fields = {"summary": None, "tags": [], "budget_sek": None, **overrides}
    return make_initiative(session, title=title, owner=owner, **fields)


def found(session, initiative, **options):
    """The overlap list as the route writes it, validated into models."""
    written = overlap_service.overlaps_json(AnalyticsContext(session), initiative.id, **options)
    return OverlapMatchList.model_validate_json(written).items


def as_org(code: str) -> Caller:
    return Caller(ActorKind.organisation, organisation_code=code)


class TestFindOverlaps:
    def test_other_organisations_same_work_with_an_explanation_in_their_words(self, session, index):
        target = make(session, NIGHT, "2281", summary="Kameran ersätter nattliga besök.")
        make(session, NIGHT_AGAIN, "0180", summary="Kamerorna ersätter besöken på natten.")
        make(session, NIGHT_AGAIN, "2281")  # the same owner's: never an overlap
        make(session, SIGNING, "1480")
        index()
        matches = found(session, target)
        assert [match.initiative.owner for match in matches] == ["0180"]
        explanation = matches[0].explanation
        assert "digital-nattillsyn" in [concept.id for concept in explanation.concepts]
        assert "digital nattillsyn" in [concept.label for concept in explanation.concepts]
        words = {(word.word, word.other_word) for word in explanation.shared_words}
        assert ("kamera", "kameror") in words  # each side's own form as it first writes it, never a stem
        assert explanation.same_category and not explanation.same_solution and not explanation.is_coordinated
        assert explanation.verdict is None and explanation.judgements == []

    def test_without_min_score_only_the_same_work_with_it_weaker_matches_too(self, session, index):
        target = make(session, NIGHT, "2281")
        make(session, ALARMS, "0180")
        index()
        assert found(session, target) == []
        weaker = found(session, target, min_score=0.1)
        assert [match.initiative.owner for match in weaker] == ["0180"]
        assert weaker[0].score < 0.3

    def test_a_weaker_pair_is_the_same_work_while_each_is_among_the_others_closest(self, session, index):
        target = make(session, "Fakturarobot", "2281", summary="Robot för leverantörsreskontra och fakturamatchning.")
        described = (
            "Robotiserad processautomatisering i ekonomiavdelningen",
            "Fakturor och attestflöden automatiseras.",
        )
        other = make(session, described[0], "0180", summary=described[1])
        index()
        [match] = found(session, target)
        assert match.initiative.id == other.id
        assert thresholds.MUTUAL_SCORE <= match.score < thresholds.SAME_WORK_SCORE
        # Five others write it closer to `other`'s words: `target` is no longer among its closest.
        for code in ("1480", "0380", "1280", "0580", "1880"):
            make(session, described[0], code, summary=described[1])
        index()
        assert found(session, target) == []
        weaker = found(session, target, min_score=0.1)
        assert other.id in {m.initiative.id for m in weaker} and {m.score for m in weaker} == {match.score}

    def test_same_named_solution_and_coordination_are_explained(self, session, index):
        target = make(session, NIGHT, "2281", solution={"name": "Tillsynskamera"})
        other = make(session, NIGHT_AGAIN, "0180", solution={"name": " tillsynskamera "})
        adoption_service.create(session, other.id, AdoptionCreate(organisation="2281", status="piloting"), ADMIN)
        index()
        explanation = found(session, target)[0].explanation
        assert explanation.same_solution and explanation.is_coordinated

    def test_an_abandoned_adoption_is_no_coordination(self, session, index):
        # The same rule as for proven matches: who gave an initiative up no longer works with it.
        target = make(session, NIGHT, "2281")
        other = make(session, NIGHT_AGAIN, "0180")
        adoption = adoption_service.create(
            session, other.id, AdoptionCreate(organisation="2281", status="piloting"), ADMIN
        )
        index()
        assert found(session, target)[0].explanation.is_coordinated
        adoption_service.update(session, adoption, AdoptionUpdate(status="abandoned"), ADMIN)
        index()
        assert not found(session, target)[0].explanation.is_coordinated

    def test_a_change_of_text_is_indexed_in_the_next_batch(self, session, index):
        target = make(session, NIGHT, "2281")
        other = make(session, SIGNING, "0180")
        index()
        assert found(session, target) == []
        initiative_service.update(session, other.id, InitiativeUpdate(title=NIGHT_AGAIN), ADMIN, other.version)
        assert found(session, target) == []  # the tables wait for the indexer
        index()
        assert [match.initiative.id for match in found(session, target)] == [other.id]

    def test_archived_and_withdrawn_initiatives_are_left_out(self, session, index):
        target = make(session, NIGHT, "2281")
        archived = make(session, NIGHT, "0180")
        index()
        initiative_service.archive(session, archived.id, "Ersatt", ADMIN)
        index()
        assert found(session, target) == [] and found(session, archived) == []

    def test_the_web_list_is_the_same_in_brief(self, session, index):
        target = make(session, NIGHT, "2281")
        make(session, NIGHT_AGAIN, "0180")
        make(session, NIGHT, "1480")
        index()
        brief = overlap_service.list_similar(AnalyticsContext(session), target.id, SimilarQuery(limit=1))
        assert [item.initiative.owner for item in brief] == ["1480"] and brief[0].score == 1.0


class TestAnInitiativeManyListsHold:
    """A text many organisations wrote is in hundreds of lists; its read takes only the best of
    the pairs those lists hold, and must list what reading every pair would."""

    def test_each_limit_lists_the_best_of_every_pair_judgements_included(self, session):
        target, rows = self._held_by_many(session)
        self._assert_lists(session, target, rows, different=None, pinned=None)
        top = rows[0][0]
        low = next(other for other, score, same_work in reversed(rows) if not same_work and score < 0.3)
        judgements.judge(session, top, target.id, JudgementWrite(verdict="different"), ADMIN)
        judgements.judge(session, low, target.id, JudgementWrite(verdict="same"), ADMIN)
        self._assert_lists(session, target, rows, different=top, pinned=low)

    @staticmethod
    def _assert_lists(session, target, rows, different, pinned):
        for min_score in (None, 0.3):
            expected = [
                other
                for other, score, same_work in rows
                if other != different and (other == pinned or (same_work if min_score is None else score >= min_score))
            ]
            for limit in range(1, len(rows) + 2):
                listed = found(session, target, limit=limit, min_score=min_score)
                assert [match.initiative.id for match in listed] == expected[:limit], (min_score, limit)

    @staticmethod
    def _held_by_many(session):
        """An initiative whose own list holds three of its weaker pairs, and 24 lists of others
        that hold it, at scores from 0.97 down to 0.19 (two at each score), a third of them not
        the same work. The pairs best first, ties by id, as the read orders them."""
        owners = (
            code for code in session.exec(select(Organisation.code).order_by(Organisation.code)) if code != "2281"
        )
        target = make(session, NIGHT, "2281")
        others = [make(session, NIGHT_AGAIN, next(owners)) for _ in range(27)]
        rows = [
            (other.id, round(0.97 - 0.06 * (number // 2), 4), number % 3 != 1) for number, other in enumerate(others)
        ]
        session.add_all(
            OverlapPair(initiative_id=target.id, other_id=other, score=score, same_work=same)
            if 21 <= number < 24
            else OverlapPair(initiative_id=other, other_id=target.id, score=score, same_work=same)
            for number, (other, score, same) in enumerate(rows)
        )
        session.flush()
        return target, sorted(rows, key=lambda row: (-row[1], str(row[0])))


class TestJudgements:
    def test_an_owner_judges_the_pair_and_both_histories_and_the_feed_record_it(self, session, index):
        one, other = make(session, NIGHT, "2281"), make(session, NIGHT_AGAIN, "0180")
        read = judgements.judge(
            session, one.id, other.id, JudgementWrite(verdict="related", note="Olika"), as_org("2281")
        )
        assert (read.judge, read.verdict, read.other_id) == ("2281", "related", other.id)
        for side in (one, other):
            entries = [c for c in change_service.history(session, side.id) if c.entity == "judgement"]
            assert [(c.action, c.snapshot["verdict"], c.actor_organisation_code) for c in entries] == [
                ("create", "related", "2281")
            ]

    def test_different_removes_the_pair_same_pins_one_below_the_threshold(self, session, index):
        target = make(session, NIGHT, "2281")
        twin = make(session, NIGHT_AGAIN, "0180")
        alarms = make(session, ALARMS, "1480")
        judgements.judge(session, target.id, twin.id, JudgementWrite(verdict="different"), as_org("0180"))
        judgements.judge(session, alarms.id, target.id, JudgementWrite(verdict="same"), ADMIN)
        index()
        matches = found(session, target)
        assert [match.initiative.id for match in matches] == [alarms.id]
        assert matches[0].explanation.verdict == "same" and matches[0].score < 0.3
        assert [j.judge for j in matches[0].explanation.judgements] == ["admin"]

    def test_disagreeing_owners_leave_the_pair_unjudged_and_both_verdicts_shown(self, session, index):
        target, twin = make(session, NIGHT, "2281"), make(session, NIGHT_AGAIN, "0180")
        judgements.judge(session, target.id, twin.id, JudgementWrite(verdict="different"), as_org("2281"))
        judgements.judge(session, twin.id, target.id, JudgementWrite(verdict="same"), as_org("0180"))
        index()
        explanation = found(session, target)[0].explanation
        assert explanation.verdict is None
        assert sorted((j.judge, j.verdict) for j in explanation.judgements) == [("0180", "same"), ("2281", "different")]

    def test_a_judge_changes_and_withdraws_only_its_own(self, session, index):
        target, twin = make(session, NIGHT, "2281"), make(session, NIGHT_AGAIN, "0180")
        judgements.judge(session, target.id, twin.id, JudgementWrite(verdict="different"), as_org("2281"))
        judgements.judge(session, target.id, twin.id, JudgementWrite(verdict="same"), as_org("2281"))
        assert [(j.judge, j.verdict) for j in judgements.of_pair(session, target.id, twin.id)] == [("2281", "same")]
        with pytest.raises(NotFound):
            judgements.withdraw(session, target.id, twin.id, as_org("0180"))
        judgements.withdraw(session, target.id, twin.id, as_org("2281"))
        assert judgements.of_pair(session, target.id, twin.id) == []
        actions = [c.action for c in change_service.history(session, target.id) if c.entity == "judgement"]
        assert actions == ["create", "update", "delete"]

    def test_only_owners_participants_and_the_admin_may_judge(self, session):
        target = make(session, NIGHT, "2281", participants=[{"organisation": "2262", "role": "partner"}])
        twin = make(session, NIGHT_AGAIN, "0180")
        with pytest.raises(Forbidden):
            judgements.judge(session, target.id, twin.id, JudgementWrite(verdict="same"), as_org("1480"))
        with pytest.raises(Forbidden):  # a participation the owner only claims gives no say
            judgements.judge(session, target.id, twin.id, JudgementWrite(verdict="same"), as_org("2262"))
        confirm_participation(session, target, "2262")
        assert (
            judgements.judge(session, target.id, twin.id, JudgementWrite(verdict="same"), as_org("2262")).judge
            == "2262"
        )

    def test_an_initiative_is_not_judged_against_itself_or_nothing(self, session):
        target = make(session, NIGHT, "2281")
        with pytest.raises(ValidationFailed):
            judgements.judge(session, target.id, target.id, JudgementWrite(verdict="same"), ADMIN)
        with pytest.raises(NotFound):
            judgements.judge(session, target.id, uuid.uuid4(), JudgementWrite(verdict="same"), ADMIN)
