"""Reading pages as a browser would: a strict HTML5 parse, visible text, forms and their labels."""

import re
import xml.etree.ElementTree as ET

import html5lib

FIELD_TAGS = ("input", "select", "textarea")
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}
PAGE_BUDGET_BYTES = 300 * 1024


def parse(markup: str) -> ET.Element:
    """The document, or html5lib's ParseError on anything a conforming parser would have to repair."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(markup)


def named(document: ET.Element, name: str) -> list[ET.Element]:
    """Elements by local name, also inside inline SVG (which keeps its own namespace)."""
    return [element for element in document.iter() if element.tag.rsplit("}", 1)[-1] == name]


def column_charts(document: ET.Element) -> list[ET.Element]:
    """The column charts (KPIs over the years), not the bars of bar-chart tables."""
    return [svg for svg in named(document, "svg") if svg.get("class") == "column-chart"]


def text(element: ET.Element) -> str:
    """All text inside, with whitespace collapsed, as a reader would see it."""
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def main_text(markup: str) -> str:
    return text(parse(markup).find(".//main"))


def fields(document: ET.Element) -> list[ET.Element]:
    return [
        element
        for element in document.iter()
        if element.tag in FIELD_TAGS and element.get("type", "text") not in UNLABELLED_INPUT_TYPES
    ]


def unlabelled_fields(document: ET.Element) -> list[str]:
    """Names of the form fields that no <label for> (or aria-label) names."""
    labelled = {label.get("for") for label in document.iter("label")}
    return [
        element.get("name") or element.tag
        for element in fields(document)
        if element.get("id") not in labelled and not element.get("aria-label")
    ]


def hidden_value(markup: str, name: str) -> str:
    element = next(e for e in parse(markup).iter("input") if e.get("name") == name)
    return element.get("value")


def field_error(markup: str, name: str) -> str | None:
    element = parse(markup).find(f".//*[@id='{name}-fel']")
    return None if element is None else text(element)


def table_rows(document: ET.Element) -> list[list[str]]:
    """Each body row of every table as its cells' text."""
    return [
        [text(cell) for cell in row if cell.tag in ("td", "th")]
        for body in document.iter("tbody")
        for row in body.iter("tr")
    ]


def check_page(response) -> str:
    """Every page: HTML, Swedish, well-formed, labelled form fields, within the size budget."""
    assert response.headers["content-type"].startswith("text/html")
    document = parse(response.text)
    assert document.get("lang") == "sv"
    assert unlabelled_fields(document) == []
    assert len(response.content) < PAGE_BUDGET_BYTES
    loaded = [e.get("src", "") + e.get("href", "") for e in document.iter() if e.tag in ("script", "link", "img")]
    assert not any(url.startswith(("http:", "https:", "//")) for url in loaded)
    return main_text(response.text)
