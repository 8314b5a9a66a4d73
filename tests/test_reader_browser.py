"""The reader in a real browser (Debian's headless Chromium driven by Playwright), served by a real
`kg serve` over the real essay's build: a click on a highlighted quotation lands on its page, "read
in context" on a claim's page scrolls the reader to the passage, the side panel shows the claims of
that paragraph and the switch shows the printed text. Screenshots go to test-artifacts/."""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT
from serverutil import running_server

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
ESSAY = "arthur-revolution-betrayed"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed "
                                "(/usr/bin/chromium); `bash scripts/test` installs it when run as root")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def reader(real_build: Path) -> Iterator[tuple[str, object, list[str]]]:
    ARTIFACTS.mkdir(exist_ok=True)
    with running_server(ROOT, real_build) as url, tempfile.TemporaryDirectory() as profile, \
            sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=ARGS,
            viewport={"width": 1280, "height": 900}, env={**os.environ, "HOME": profile})
        try:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            yield url, page, errors
        finally:
            context.close()


def test_click_a_quotation_lands_on_its_page(reader) -> None:  # noqa: ANN001
    url, page, errors = reader
    page.goto(f"{url}/read/{ESSAY}")
    assert page.locator("h1#essay-title").inner_text().startswith("‘The Revolution Betrayed’")
    page.screenshot(path=str(ARTIFACTS / "reader.png"))
    tag = page.locator("a.tag-quotation").first
    label = tag.get_attribute("aria-label").removeprefix("quotation: ")
    href = tag.get_attribute("href")
    tag.click()
    page.wait_for_load_state()
    assert page.url.endswith(href.removeprefix("..").removesuffix(".html") + ".html") or "/id/quotation/" in page.url
    assert page.locator("h1").inner_text() == label
    page.screenshot(path=str(ARTIFACTS / "reader-quotation-page.png"))
    assert not errors


def test_read_in_context_scrolls_to_the_passage_and_shows_its_claims(reader) -> None:  # noqa: ANN001
    url, page, errors = reader
    page.goto(f"{url}/id/claim/new-upsurge-of-proletarian-revolution")
    link = page.locator("a.read-in-context").first
    fragment = link.get_attribute("href").split("#", 1)[1]
    assert re.fullmatch(r"a-\d+-\d+", fragment)
    link.click()
    page.wait_for_load_state()
    page.wait_for_timeout(300)
    assert page.url.endswith(f"/read/{ESSAY}.html#{fragment}")
    target = page.locator(f"#{fragment}")
    box = target.bounding_box()
    assert box is not None and -2 <= box["y"] < 900  # scrolled into view (to the sub-pixel)
    assert page.evaluate(f"document.getElementById('{fragment}').closest('mark').dataset.iri").endswith(
        "/claim/new-upsurge-of-proletarian-revolution")
    # the side panel shows the claims of that paragraph, this claim among them
    paragraph = page.evaluate(f"document.getElementById('{fragment}').closest('p.para').id")
    panel = page.locator(f"#claims-panel section[data-for='{paragraph}']")
    assert panel.is_visible()
    assert "A new upsurge of proletarian revolution" in panel.inner_text() or panel.locator("a").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "reader-in-context.png"))
    # the switch shows the printed text: a corrected word turns back into the OCR's
    fix = page.locator(".fix").first
    corrected = fix.locator(".c").inner_text()
    page.locator("#printed-switch").click()
    assert fix.locator(".d").is_visible() and not fix.locator(".c").is_visible()
    assert fix.locator(".d").inner_text() != corrected
    page.locator("#printed-switch").click()
    assert fix.locator(".c").is_visible()
    assert not errors
