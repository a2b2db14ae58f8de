"""The page checks themselves must catch what they claim to catch."""

import pytest
from html5lib.html5parser import ParseError

from tests.web.html import parse, unlabelled_fields

PAGE = "<!DOCTYPE html><html lang=sv><title>t</title><body>{}</body></html>"


class TestParse:
    @pytest.mark.parametrize("body", ["<p><div></p>", "<table><tr><td>x</table></td>", "<p>a</b>"])
    def test_markup_a_browser_must_repair_is_refused(self, body):
        with pytest.raises(ParseError):
            parse(PAGE.format(body))

    def test_well_formed_markup_with_inline_svg_passes(self):
        parse(PAGE.format('<svg viewBox="0 0 1 1" role="img" aria-label="x"><rect width="1" height="1"></rect></svg>'))


class TestUnlabelledFields:
    def test_finds_a_field_without_a_label(self):
        document = parse(PAGE.format('<label for="a">A</label><input id="a" name="a"><select name="b"></select>'))
        assert unlabelled_fields(document) == ["b"]

    def test_hidden_inputs_and_aria_labels_pass(self):
        document = parse(PAGE.format('<input type="hidden" name="csrf"><input name="q" aria-label="Sök">'))
        assert unlabelled_fields(document) == []
