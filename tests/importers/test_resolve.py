import pytest

from importers.resolve import OrganisationResolver, Unresolved, name_key


@pytest.fixture
def resolver(session) -> OrganisationResolver:
    return OrganisationResolver.load(session)


class TestResolve:
    @pytest.mark.parametrize(
        ("reference", "code"),
        [
            ("Sundsvalls kommun", "2281"),
            ("Region Västernorrland", "22"),
            ("Göteborgs Stad", "1480"),
            ("2281", "2281"),
            (2281, "2281"),
            (2281.0, "2281"),
            ("114", "0114"),
            ("0022", "22"),
            ("Sundsvall", "2281"),
            ("SUNDSVALLS KOMMUN", "2281"),
            ("Falu kommun", "2080"),
            ("Borås stad", "1490"),
            ("Stockholms stad", "0180"),
            ("Upplands-Bro kommun", "0139"),
            ("upplands bro", "0139"),
            ("Region Jönköping", "06"),
            ("Region Jönköpings län", "06"),
            ("Region Västra Götaland", "14"),
            ("Västra Götalandsregionen", "14"),
            ("GR", "gr"),
            ("Göteborgsregionens kommunalförbund", "gr"),
            ("222000-2188", "222000-2188"),
            ("Gotlands kommun", "0980"),
            ("Region Gotland", "09"),
        ],
    )
    def test_codes_exact_and_normalised_names(self, resolver, reference, code):
        assert resolver.resolve(reference) == code

    @pytest.mark.parametrize(
        "reference", ["Atlantis kommun", "Sundsvalls", "Västernorrland", "9999", "Sundsval kommun"]
    )
    def test_unknown_is_reported_never_guessed(self, resolver, reference):
        with pytest.raises(Unresolved, match="no organisation in the registry"):
            resolver.resolve(reference)

    def test_empty_reference_says_none_was_given(self, resolver):
        with pytest.raises(Unresolved, match="no organisation given"):
            resolver.resolve("  ")

    def test_a_name_shared_by_two_organisations_is_ambiguous(self):
        resolver = OrganisationResolver(names={"mitt": {"0001", "0002"}})
        with pytest.raises(Unresolved, match="several organisations"):
            resolver.resolve("Mitt")

    def test_no_alias_of_the_reference_data_is_ambiguous(self, resolver):
        assert {alias: codes for alias, codes in resolver.names.items() if len(codes) > 1} == {}


class TestNameKey:
    def test_case_hyphens_and_spacing_do_not_matter(self):
        assert name_key(" Upplands-Bro  Kommun ") == name_key("upplands bro kommun")
