"""axe-core on every patient page: no serious or critical violations, at desktop and phone widths.

axe-core is vendored for the tests only (tests/browser/vendor/axe-core-*/, MPL-2.0). With
SCREENSHOTS_DIR set, each page is also saved as full-page PNGs at both widths.
"""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from providers.models import Provider
from tests.browser.conftest import DESKTOP, PHONE, washington_pt

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}
SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR")


def run_axe(page: Page) -> list[dict]:
    # Not page.add_script_tag(): the site's Content-Security-Policy (script-src 'self') blocks an
    # injected <script>, as it should. Evaluating the source through the DevTools protocol is not
    # subject to CSP, so axe audits the page exactly as users get it, policy included.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


def axe_failures_at_both_widths(page: Page, *, screenshot_name: str) -> list[str]:
    """Serious or critical axe violations of the open page at desktop and phone width, one
    entry per width that has any; with SCREENSHOTS_DIR set (`make screenshots`), a full-page
    PNG of each width too."""
    failures = []
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        violations = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
        if violations:
            failures.append(f"{label}:\n{describe(violations)}")
        if SCREENSHOTS_DIR:
            out = Path(SCREENSHOTS_DIR)
            out.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out / f"{screenshot_name}-{label}.png"), full_page=True)
    return failures


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']} - {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['failureSummary']}")
    return "\n".join(lines)


def open_search(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/")


def open_results(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/?near=78701")


def open_results_map(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/?near=78701")
    page.get_by_role("button", name="Map", exact=True).click()
    expect(page.locator("#map .leaflet-marker-icon")).to_have_count(3)


def open_search_errors(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/?near=xyz")


def open_search_without_listings_data(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/?near=FM")


def open_provider(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/providers/{austin['jane'].id}/")
    expect(page.locator("#map .leaflet-marker-icon")).to_have_count(2)


def open_wa_provider(page: Page, site: str, austin: dict[str, Provider]) -> None:
    provider = washington_pt(endorsed=True, last_name="Endorsed")
    page.goto(f"{site}/providers/{provider.id}/")


def open_estimate(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/estimate/?provider={austin['jane'].id}")


def open_estimate_result(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(
        f"{site}/estimate/?provider={austin['jane'].id}&code=98940&qty_98940=1&visits=3"
        "&coverage_type=self_pay"
    )
    expect(page.get_by_role("heading", name="Your estimate")).to_be_visible()


def open_medicare_estimate_result(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(
        f"{site}/estimate/?provider={austin['jane'].id}&code=98940&qty_98940=1&visits=3"
        "&coverage_type=medicare&deductible_remaining=50"
    )
    expect(page.get_by_role("heading", name="Your estimate")).to_be_visible()


def open_results_by_medicare_assignment(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/?near=78701&medicare_assignment=participating")


def open_good_faith_estimate(page: Page, site: str, austin: dict[str, Provider]) -> None:
    open_estimate_result(page, site, austin)
    page.get_by_label("Patient's full name").fill("Ann Example")
    page.get_by_label("Patient's date of birth").fill("1980-03-04")
    page.get_by_role("button", name="Create cost estimate for the provider").click()
    expect(page.locator(".gfe-total")).to_be_visible()


def open_safety(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/safety/")


def open_safety_result(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/safety/")
    questions = page.locator("fieldset.question:has(input[type=radio])")
    for index in range(questions.count()):
        # "Yes" to the first question shows the strongest result: urgent advice and findings.
        answer = "Yes" if index == 0 else "Not sure"
        questions.nth(index).get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="See what my answers mean").click()
    expect(page.locator(".safety-result")).to_be_visible()


def open_about(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/about/")


def open_api_guide(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/api/guide/")


def open_fhir_guide(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/fhir/")


def open_practice_acts(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/practice-acts/")


def open_practice_act_state(page: Page, site: str, austin: dict[str, Provider]) -> None:
    page.goto(f"{site}/practice-acts/WA/")


PAGES: dict[str, Callable[[Page, str, dict[str, Provider]], None]] = {
    "search": open_search,
    "search-results": open_results,
    "search-results-map": open_results_map,
    "search-errors": open_search_errors,
    "search-results-medicare": open_results_by_medicare_assignment,
    "search-without-listings-data": open_search_without_listings_data,
    "provider": open_provider,
    "provider-wa-endorsement": open_wa_provider,
    "estimate": open_estimate,
    "estimate-result": open_estimate_result,
    "estimate-result-medicare": open_medicare_estimate_result,
    "good-faith-estimate": open_good_faith_estimate,
    "safety": open_safety,
    "safety-result": open_safety_result,
    "about": open_about,
    "practice-acts": open_practice_acts,
    "practice-acts-WA": open_practice_act_state,
    "api-guide": open_api_guide,
    "fhir-guide": open_fhir_guide,
}


@pytest.mark.parametrize("name", PAGES)
def test_the_page_has_no_serious_accessibility_violations(page, site, austin, name):
    PAGES[name](page, site, austin)
    assert page.evaluate("() => document.documentElement.lang") == "en"

    failures = axe_failures_at_both_widths(page, screenshot_name=name)
    assert not failures, "\n".join(failures)
