import pytest

from importers import mapping as mappings
from importers.mapping import MappingError


@pytest.fixture
def pios() -> mappings.Mapping:
    return mappings.load_named("pios")


class TestLoad:
    @pytest.mark.parametrize("name", ["pios", "uttc", "file"])
    def test_shipped_mappings_load(self, name):
        assert mappings.load_named(name).fields

    def test_unknown_target_is_named(self):
        with pytest.raises(MappingError, match="unknown target fields colour"):
            mappings.parse({"source": "x", "format": "csv", "fields": {"colour": "Färg"}}, "test")

    def test_unknown_format_is_refused(self):
        with pytest.raises(MappingError, match="format must be one of"):
            mappings.parse({"source": "x", "format": "pdf"}, "test")

    def test_tabular_keys_are_compared_as_headers(self):
        loaded = mappings.parse({"source": "x", "format": "csv", "fields": {"budget_sek": "Budget (KR):"}}, "t")
        assert loaded.fields["budget_sek"] == ("budget (kr)",)


class TestApply:
    def test_nested_paths_lists_and_compound_targets(self, pios):
        mapped = pios.apply(
            {
                "id": "P-1",
                "title": "E-arkiv",
                "organisation": {"name": "Timrå kommun"},
                "partners": [{"code": "2281"}, {"name": "Region Västernorrland"}],
                "status": "under genomförande",
                "budget": {"amount": "1,5 mnkr"},
                "solution": {"name": "Arkivet", "vendor": "Exempel AB"},
                "url": "https://pios.se/p/1",
            }
        )
        assert (mapped.external_id, mapped.owner, mapped.participants) == (
            "P-1",
            "Timrå kommun",
            ["2281", "Region Västernorrland"],
        )
        assert mapped.fields == {
            "title": "E-arkiv",
            "status": "implementation",
            "category": "other",
            "budget_sek": 1_500_000,
            "solution": {"name": "Arkivet", "vendor": "Exempel AB"},
            "links": [{"title": "pios.se", "url": "https://pios.se/p/1"}],
        }

    def test_first_path_with_a_value_wins(self, pios):
        mapped = pios.apply({"id": "P-2", "title": "x", "organisation": {"code": "", "name": "Sundsvall"}})
        assert mapped.owner == "Sundsvall"

    def test_every_wrong_field_is_named_in_one_reason(self, pios):
        with pytest.raises(ValueError) as error:
            pios.apply({"id": "P-3", "title": "x", "budget": {"amount": "mycket"}, "period": {"start": "snart"}})
        assert str(error.value).startswith("budget_sek: 'mycket' is not an amount")
        assert "; start_date: 'snart' is not a date" in str(error.value)

    def test_solution_without_a_name_is_refused(self, pios):
        with pytest.raises(ValueError, match="a solution needs a name"):
            pios.apply({"id": "P-4", "title": "x", "solution": {"vendor": "Exempel AB"}})


class TestIdentify:
    def test_spreadsheet_row_without_id_is_known_by_its_title(self):
        file_mapping = mappings.load_named("file")
        assert file_mapping.identify({"titel": "Digital  Nattillsyn"}) == "digital nattillsyn"

    def test_id_is_found_even_when_other_fields_are_wrong(self, pios):
        assert pios.identify({"id": "P-5", "budget": {"amount": "mycket"}}) == "P-5"
