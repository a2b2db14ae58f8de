import pytest

from app.core.text import UnstorableValue, refuse_unstorable


class TestRefuseUnstorable:
    @pytest.mark.parametrize("text", ["Nattillsyn", "Åre–Östersund", "e\u0301", "emoji 🚑", "a\u00a0b", ""])
    def test_ordinary_text_passes(self, text: str):
        refuse_unstorable(text)

    @pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\t", "\n", "\r"])
    def test_a_control_character_in_one_line_is_refused(self, character: str):
        with pytest.raises(UnstorableValue, match=f"U\\+{ord(character):04X}"):
            refuse_unstorable(f"a{character}b")

    def test_a_long_text_may_hold_tabs_and_line_breaks_but_not_nul(self):
        refuse_unstorable("Rad ett\r\nRad\ttvå\n", multiline=True)
        with pytest.raises(UnstorableValue, match="U\\+0000 \\(tab and line breaks are\\)"):
            refuse_unstorable("Rad\x00", multiline=True)

    def test_a_lone_surrogate_is_refused(self):
        with pytest.raises(UnstorableValue, match="lone surrogate"):
            refuse_unstorable("a\ud800")

    @pytest.mark.parametrize("number", [float("nan"), float("inf"), float("-inf")])
    def test_non_finite_numbers_are_refused(self, number: float):
        with pytest.raises(UnstorableValue, match="finite number"):
            refuse_unstorable(number)

    def test_nested_values_and_keys_are_searched(self):
        refuse_unstorable({"a": [1, 2.5, {"b": "ok"}]})
        with pytest.raises(UnstorableValue):
            refuse_unstorable({"a": [1, {"b": float("nan")}]})
        with pytest.raises(UnstorableValue):
            refuse_unstorable({"a\x00": 1})
