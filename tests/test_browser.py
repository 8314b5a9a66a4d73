"""The pages in a real browser: Debian's headless Chromium driven by Playwright (the browser is the
system's; nothing is downloaded). Screenshots go to test-artifacts/."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest

from serverutil import running_server

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (Debian's chromium package); "
                                "scripts/test installs it when run as root")


@pytest.fixture(scope="module")
def browser_page(built_mini: Path):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    with running_server(built_mini) as url, tempfile.TemporaryDirectory() as profile, \
            playwright_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=ARGS,
            env={**os.environ, "HOME": profile})
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            yield url, page, errors
        finally:
            context.close()


def test_landing_page(browser_page) -> None:  # noqa: ANN001
    url, page, errors = browser_page
    page.goto(url + "/")
    assert page.locator("h1").first.inner_text()
    kinds = page.locator("ul.kinds li a").all_inner_texts()
    assert "person" in kinds and "claim" in kinds
    page.screenshot(path=str(ARTIFACTS / "landing.png"), full_page=True)
    page.locator("ul.kinds a", has_text="person").click()
    page.wait_for_load_state()
    assert page.url.endswith("/kinds/person.html")
    page.get_by_role("link", name="Leon Trotsky").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Leon Trotsky"
    assert not errors


def test_resource_page(browser_page) -> None:  # noqa: ANN001
    url, page, errors = browser_page
    page.goto(url + "/id/claim/still-not-superseded")
    assert page.locator("h1").inner_text() == "The Revolution Betrayed has not been superseded"
    assert page.locator("section.argument").is_visible()
    assert "has still not been" in page.locator("figure.passage mark").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "resource-claim.png"), full_page=True)
    page.goto(url + "/id/quotation/pupa")
    assert "The pupa is not a butterfly" in page.locator("figure.passage mark").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "resource-quotation.png"), full_page=True)
    assert not errors


def test_query_page_runs_an_example(browser_page) -> None:  # noqa: ANN001
    url, page, errors = browser_page
    page.goto(url + "/query")
    options = page.locator("#example option").all()
    values = [o.get_attribute("value") for o in options if o.get_attribute("value")]
    if values:
        page.select_option("#example", values[0])
        assert page.locator("#query").input_value().strip()
    page.fill("#query", "PREFIX schema: <https://schema.org/>\n"
                        "SELECT ?person ?name WHERE { ?person a schema:Person ; schema:name ?name } ORDER BY ?name")
    page.click("#run")
    page.wait_for_selector("#result-table tbody tr")
    rows = page.locator("#result-table tbody tr")
    assert rows.count() >= 2
    assert "Leon Trotsky" in page.locator("#result-table").inner_text()
    assert "rows" in page.locator("#status").inner_text()
    page.screenshot(path=str(ARTIFACTS / "query.png"), full_page=True)
    # a link in the results leads to the resource's page
    page.locator("#result-table a", has_text="kg:person/leon-trotsky").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Leon Trotsky"
    # an error is shown, not swallowed
    page.goto(url + "/query")
    page.fill("#query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    page.click("#run")
    page.wait_for_selector("#results .error")
    assert "SERVICE" in page.locator("#results .error").inner_text()
    assert not errors


def test_yasgui_page_runs_a_query(browser_page) -> None:  # noqa: ANN001
    url, page, errors = browser_page
    outside: list[str] = []
    page.on("request", lambda req: None if req.url.startswith(url) or req.url.startswith("data:")
            else outside.append(req.url))
    page.goto(url + "/yasgui.html")
    page.wait_for_function("window.kgYasgui && window.kgYasgui.getTab()")
    page.evaluate("""() => {
        const tab = window.kgYasgui.getTab();
        tab.setQuery('PREFIX schema: <https://schema.org/> SELECT ?name WHERE { ?p a schema:Person ; schema:name ?name }');
        tab.query();
    }""")
    page.wait_for_selector(".yasr table tbody tr", timeout=15000)
    assert "Leon Trotsky" in page.locator(".yasr").inner_text()
    page.screenshot(path=str(ARTIFACTS / "yasgui.png"), full_page=True)
    assert not outside, f"the YASGUI page made requests outside the site: {outside}"
    assert not errors


def test_the_browser_gets_html_404_and_the_query_page_at_sparql(browser_page) -> None:  # noqa: ANN001
    url, page, errors = browser_page
    response = page.goto(url + "/id/person/leon-trotksy")  # a typo
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Not found"
    page.screenshot(path=str(ARTIFACTS / "not-found.png"), full_page=True)
    page.get_by_role("link", name="Leon Trotsky").first.click()  # the suggestion
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Leon Trotsky"
    # /sparql opened in the browser with a query: the query page, pre-filled, and the query runs
    query = "PREFIX schema: <https://schema.org/> SELECT ?name WHERE { ?p a schema:Person ; schema:name ?name } ORDER BY ?name"
    page.goto(url + "/sparql?query=" + quote(query))
    page.wait_for_selector("#result-table tbody tr")
    assert page.locator("#query").input_value() == query
    assert "Leon Trotsky" in page.locator("#result-table").inner_text()
    page.screenshot(path=str(ARTIFACTS / "sparql-in-browser.png"), full_page=True)
    assert not errors


def test_query_permalink_and_downloads(browser_page) -> None:  # noqa: ANN001
    url, page, errors = browser_page
    page.goto(url + "/query")
    query = "PREFIX schema: <https://schema.org/> SELECT ?name WHERE { ?p a schema:Person ; schema:name ?name } ORDER BY ?name"
    page.fill("#query", query)
    page.click("#run")
    page.wait_for_selector("#result-table tbody tr")
    permalink = page.locator("#permalink").get_attribute("href")
    assert permalink == "query?query=" + quote(query, safe="~()*!.'")
    csv = page.locator("#download-csv").get_attribute("href")
    assert csv.endswith("&format=csv&download=results")
    page.goto(url + "/" + permalink)  # the permalink opens the page with the query, and runs it
    page.wait_for_selector("#result-table tbody tr")
    assert page.locator("#query").input_value() == query
    with page.expect_download() as download:
        page.click("#download-csv")
    assert download.value.suggested_filename == "results.csv"
    assert "Leon Trotsky" in Path(download.value.path()).read_text(encoding="utf-8")
    assert not errors
