"""The interactive maps in a real browser (Debian's headless Chromium driven by Playwright), served
by a real `kg serve` on a loopback port: the map renders, hover shows the claim's text, the wheel
zooms, a click on a node opens that claim's page, and a resource page shows its neighbourhood.
Screenshots go to test-artifacts/."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, make_project
from kg.config import load_config
from kg.pipeline import build

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed "
                                "(/usr/bin/chromium); `bash scripts/test` installs it when run as root")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The map fixture, built and served by `kg serve` (or, where the server is not there, by a
    static file server over output/site: the site is plain files either way)."""
    root = make_project(tmp_path_factory.mktemp("maps-browser") / "project", "maps")
    build(load_config(root))
    try:
        from serverutil import running_server
    except ImportError:
        running_server = None
    if running_server is not None:
        with running_server(root) as base:
            yield base
        return
    from serverutil import static_server

    with static_server(root / "output" / "site") as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from serverutil import chromium

    with chromium() as b:  # Playwright gives each launch a fresh temporary profile
        yield b


@pytest.fixture
def page(browser):  # noqa: ANN001, ANN201
    from serverutil import browser_tab

    with browser_tab(browser, 1400, 1000) as pg:
        yield pg


def shot(pg, name: str) -> None:  # noqa: ANN001
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / name))


def test_argument_map_renders_hovers_zooms_and_opens_a_claim(site: str, page) -> None:  # noqa: ANN001
    page.goto(site + "/maps/argument.html")
    page.wait_for_selector(".map-viewport[data-ready=true]")
    assert page.locator("svg.map .node-claim").count() == 10
    assert page.locator("svg.map .node-quotation").count() == 4
    assert page.is_visible(".map-toolbar")
    box = page.locator("svg.map").bounding_box()
    assert box["width"] > 1000 and box["height"] > 500
    node = page.locator('svg.map .node-claim[data-iri$="/claim/workers-state"]')
    node.hover()
    tip = page.locator(".map-tip")
    assert tip.is_visible()
    assert "The Soviet Union is a Workers' State because property is nationalised." in tip.text_content()
    assert "hl" in (page.locator('.edge[data-source$="/claim/caste-not-class"][data-target$="/claim/workers-state"]')
                    .get_attribute("class"))
    shot(page, "argument-map.png")
    before = page.locator("svg.map").get_attribute("viewBox")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    page.wait_for_function(f"document.querySelector('svg.map').getAttribute('viewBox') !== {before!r}")
    after = [float(v) for v in page.locator("svg.map").get_attribute("viewBox").split()]
    assert after[2] < float(before.split()[2])  # zoomed in
    page.click("[data-zoom=reset]")
    with page.expect_navigation():
        page.locator('svg.map .node-claim[data-iri$="/claim/caste-not-class"] text').first.click()
    assert page.url.endswith("/id/claim/caste-not-class.html")
    assert page.locator("h1").text_content() == "The bureaucracy is a caste, not a class"
    assert not page.errors


def test_dragging_pans_without_opening_a_page(site: str, page) -> None:  # noqa: ANN001
    page.goto(site + "/maps/argument.html")
    page.wait_for_selector(".map-viewport[data-ready=true]")
    target = page.locator('svg.map .node-claim[data-iri$="/claim/transition-open"] text').first.bounding_box()
    before = page.locator("svg.map").get_attribute("viewBox")
    page.mouse.move(target["x"] + 5, target["y"] + 5)
    page.mouse.down()
    page.mouse.move(target["x"] + 120, target["y"] + 60, steps=6)
    page.mouse.up()
    assert page.url.endswith("/maps/argument.html")
    assert page.locator("svg.map").get_attribute("viewBox") != before


def test_search_and_address_focus_a_node(site: str, page) -> None:  # noqa: ANN001
    page.goto(site + "/maps/argument.html#new-ruling-class")
    page.wait_for_selector(".map-viewport[data-ready=true]")
    assert "focus" in page.locator('.node[data-iri$="/claim/new-ruling-class"]').get_attribute("class")
    page.fill(".map-toolbar input[type=search]", "scarcity")
    assert page.locator("svg.map .node.match").count() == 1


def test_concept_map_renders(site: str, page) -> None:  # noqa: ANN001
    page.goto(site + "/maps/concept.html")
    page.wait_for_selector(".map-viewport[data-ready=true]")
    assert page.locator("svg.map .node-concept").count() == 8
    assert page.locator("svg.map .edge-broader").count() == 4
    page.locator('svg.map .node-concept[data-iri$="/concept/bureaucracy"]').hover()
    assert "The ruling stratum of officials." in page.locator(".map-tip").text_content()
    shot(page, "concept-map.png")
    assert not page.errors


def test_claim_page_shows_its_neighbourhood_and_links_to_the_whole_map(site: str, page) -> None:  # noqa: ANN001
    page.goto(site + "/id/claim/workers-state.html")
    obj = page.locator("section.neighbourhood object")
    obj.scroll_into_view_if_needed()
    page.wait_for_function("() => { const o = document.querySelector('section.neighbourhood object');"
                           " return o.contentDocument && o.contentDocument.querySelectorAll('.node').length > 0 }")
    count = page.evaluate("document.querySelector('section.neighbourhood object').contentDocument"
                          ".querySelectorAll('.node-claim').length")
    assert count == 5  # the claim, what it supports, and what supports, opposes or qualifies it
    shot(page, "claim-neighbourhood.png")
    with page.expect_navigation():
        page.click("a.full-map")
    assert page.url.endswith("/maps/argument.html#workers-state")


def test_the_lists_work_without_javascript(site: str, browser) -> None:  # noqa: ANN001
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(site + "/maps/argument.html")
        assert pg.locator("ol.claims > li").count() == 10
        assert not pg.is_visible(".map-toolbar")
        assert pg.locator("svg.map .node-claim").count() == 10  # the map is still there, as a plain SVG
        with pg.expect_navigation():
            pg.click("#transition-open > a")
        assert pg.url.endswith("/id/claim/transition-open.html")
    finally:
        context.close()


def test_who_talks_to_whom_renders(site: str, page) -> None:  # noqa: ANN001
    page.goto(site + "/maps/people.html")
    page.wait_for_selector(".map-viewport[data-ready=true]")
    assert page.locator("svg.map .node-work").count() == 1
    assert page.locator("svg.map .node-person").count() == 2
    page.locator('svg.map .node-work[data-iri$="/work/the-revolution-betrayed"]').hover()
    assert "discusses" in page.locator(".map-tip").text_content()
    shot(page, "people-map.png")
    assert not page.errors
