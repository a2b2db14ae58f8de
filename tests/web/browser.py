"""What every browser test uses: Debian's headless Chromium driven by Playwright, a page of the app
served on 127.0.0.1 that may not reach other hosts, and `screenshot`, which saves a page at a
desktop and a phone width and checks both with axe-core. tests/web/conftest.py registers the
fixtures; test modules take `BROWSER_MARKS` as their `pytestmark`."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Another path (one that does not exist) shows what `make test` says on a machine without Chromium.
CHROMIUM = Path(os.environ.get("REGISTRY_TEST_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server: str):
    context = browser.new_context(base_url=live_server, viewport=VIEWPORTS["desktop"], locale="sv-SE")
    outside = []
    context.route(
        "**/*",
        lambda route: (
            (outside.append(route.request.url), route.abort())
            if not route.request.url.startswith(live_server)
            else route.continue_()
        ),
    )
    tab = context.new_page()
    yield tab
    context.close()
    assert outside == [], f"the page requested other hosts: {outside}"


def shown(locator) -> str:
    """Visible text with non-breaking spaces (used in sums: 1 200 000 kr) as plain ones."""
    return locator.inner_text().replace("\u00a0", " ")


def screenshot(tab, name: str) -> None:
    """The page at both widths, each checked by axe-core; at phone width nothing may be wider
    than the screen."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width_name, viewport in VIEWPORTS.items():
        tab.set_viewport_size(viewport)
        tab.screenshot(path=ARTIFACTS / f"{name}-{width_name}.png", full_page=True)
        assert_accessible(tab, f"{name} at {width_name} width")
        if width_name == "phone":
            overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{name} is {overflow}px wider than a phone screen"
    tab.set_viewport_size(VIEWPORTS["desktop"])


def assert_accessible(tab, where: str) -> None:
    """No serious or critical axe-core violation (WCAG 2.1 A and AA rules and best practices)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab)
    grave = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}" for v in grave)
    assert not grave, f"axe-core on {where}:\n{report}"
