import pytest

from app.core.problems import InvalidParameter
from app.initiatives import reads as initiative_reads
from app.initiatives.schemas import InitiativeRead
from app.web import forms
from tests.factories import make_initiative


def values(**overrides: str) -> dict[str, str]:
    return forms.empty_values("2281") | {"title": "Digital nattillsyn", "category": "welfare_technology"} | overrides


def none_missing(codes: set[str]) -> set[str]:
    return set()


def errors_for(**overrides: str) -> dict[str, str]:
    with pytest.raises(forms.FormInvalid) as raised:
        forms.read_create(values(**overrides), none_missing)
    return raised.value.errors


class TestReadCreate:
    def test_reads_swedish_amounts_and_percent(self):
        data = forms.read_create(
            values(budget_sek="1 200 000 kr", digital_share="37,5 %", expected_benefit_sek_per_year="300\u00a0000"),
            none_missing,
        )
        assert data.budget_sek == 1_200_000 and data.digital_share == 0.375
        assert data.expected_benefit_sek_per_year == 300_000

    def test_splits_tags_and_strategy_lines(self):
        data = forms.read_create(
            values(tags="nattillsyn, hemtjänst ,", strategy_refs="Strategi A\n\n Strategi B "), none_missing
        )
        assert data.tags == ["nattillsyn", "hemtjänst"] and data.strategy_refs == ["Strategi A", "Strategi B"]

    def test_empty_solution_and_contact_are_none(self):
        data = forms.read_create(values(), none_missing)
        assert data.solution is None and data.contact is None and data.budget_sek is None

    def test_the_checkbox_is_a_boolean(self):
        assert (
            forms.read_create(values(has_benefit_realisation_plan="on"), none_missing).has_benefit_realisation_plan
            is True
        )
        assert forms.read_create(values(), none_missing).has_benefit_realisation_plan is False


class TestErrorsFromValidation:
    def test_each_field_gets_a_swedish_message(self):
        errors = errors_for(
            title="x",
            budget_sek="mycket",
            digital_share="120",
            start_date="1 maj",
            contact_email="ingen",
            solution_url="www",
        )
        assert errors["title"] == "Skriv minst 3 tecken."
        assert errors["budget_sek"].startswith("Ange ett belopp i hela kronor")
        assert errors["digital_share"] == "Ange en andel mellan 0 och 100 %."
        assert errors["start_date"] == "Ange ett datum som ÅÅÅÅ-MM-DD."
        assert errors["contact_email"].startswith("Ange en giltig e-postadress")
        assert errors["solution_name"].startswith("Ange lösningens namn")

    def test_required_and_list_items(self):
        errors = errors_for(title="", tags="ok, " + "x" * 51)
        assert errors["title"] == "Fältet måste fyllas i."
        assert errors["tags"] == "Värde 2: Skriv högst 50 tecken."

    def test_negative_money_is_refused(self):
        assert "0 eller mer" in errors_for(budget_sek="-5")["budget_sek"]

    def test_an_unknown_category_asks_for_a_choice(self):
        assert errors_for(category="rymdfart")["category"] == "Välj en kategori i listan."


class TestErrorsFromService:
    def test_known_reasons_are_translated(self):
        errors = forms.errors_from_service(
            [
                InvalidParameter(property="owner", reason="unknown organisation code", value="9999"),
                InvalidParameter(property="end_date", reason="must not be before start_date"),
            ],
            "detail",
            values(),
        )
        assert errors == {
            "owner": "Det finns ingen organisation med den koden i registret.",
            "end_date": "Slutdatum får inte vara före startdatum.",
        }

    def test_without_parameters_the_form_gets_a_general_message(self):
        expected = {forms.GENERAL: "Uppgifterna kunde inte sparas: Something"}
        assert forms.errors_from_service(None, "Something", values()) == expected


class TestReadUpdate:
    def stored(self) -> dict[str, str]:
        return values(budget_sek="1000", digital_share="12.3456789", solution_name="X", solution_url="https://x.se/")

    def test_sends_only_what_changed(self):
        update = forms.read_update(self.stored() | {"title": "Nytt namn"}, self.stored(), none_missing)
        assert update.model_fields_set == {"title"}

    def test_a_changed_nested_field_sends_the_whole_group(self):
        update = forms.read_update(self.stored() | {"solution_vendor": "Leverantör AB"}, self.stored(), none_missing)
        assert update.model_fields_set == {"solution"}
        assert update.solution.name == "X" and update.solution.vendor == "Leverantör AB"

    def test_status_date_only_goes_with_a_new_status(self):
        dated = self.stored() | {"status_date": "2026-01-01"}
        unchanged = forms.read_update(dated, self.stored(), none_missing)
        assert unchanged.model_fields_set == set()
        changed = forms.read_update(
            self.stored() | {"status": "pilot", "status_date": "2026-01-01"}, self.stored(), none_missing
        )
        assert changed.model_fields_set == {"status", "status_date"}

    def test_a_new_owner_is_sent_and_a_missing_one_is_no_change(self):
        # Whether the sender may move it is the service's decision (see the router's tests).
        assert forms.read_update(self.stored() | {"owner": "1480"}, self.stored(), none_missing).owner == "1480"
        assert (
            "owner"
            not in forms.read_update(self.stored() | {"owner": ""}, self.stored(), none_missing).model_fields_set
        )


class TestValuesFromInitiative:
    def test_round_trips_through_the_form_unchanged(self, session):
        initiative = make_initiative(
            session,
            digital_share=0.35,
            budget_sek=5,
            strategy_refs=["A", "B"],
            solution={"name": "S", "url": "https://s.se"},
            contact={"email": "a@b.se"},
            start_date="2026-01-02",
        )
        read: InitiativeRead = initiative_reads.read(session, initiative.id)
        shown = forms.values_from_initiative(read)
        assert shown["digital_share"] == "35" and shown["strategy_refs"] == "A\nB"
        assert shown["solution_url"] == "https://s.se/" and shown["contact_email"] == "a@b.se"
        assert forms.read_update(dict(shown), shown, none_missing).model_fields_set == set()
