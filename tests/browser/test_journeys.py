"""What a patient does on the site, in a real browser: search, filter, open, estimate, print, check.

Each test starts from the page a patient would land on and uses the controls they would
(labels, buttons, links), so a control without a label or a broken link fails here.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AUSTIN, DESKTOP, PHONE, new_context, washington_pt

pytestmark = pytest.mark.browser

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
# By distance from the centre of ZIP 78701 (and from the browser's position in downtown Austin).
NEAREST_FIRST = ["Sam Lee, DPT", "Jane Doe, DC", "Ana Ruiz, DC"]


def search_for(page: Page, site: str, near: str) -> None:
    page.goto(f"{site}/")
    page.get_by_label("ZIP code, city or address").fill(near)
    page.get_by_role("button", name="Search", exact=True).click()


def change_search(page: Page) -> None:
    """Unfold the search form above the results."""
    page.locator("details.change-search > summary").click()


def expect_results(page: Page, names: list[str]) -> None:
    """The result cards' names, in order, once the page showing them has loaded.

    An auto-waiting assertion: a Search click only starts the navigation, so reading the cards
    at once can see the page before the new results arrive.
    """
    expect(page.locator(".results .card h2 a")).to_have_text(names)


def in_first_screen(page: Page, selector: str) -> bool:
    """Whether the element's top is inside the viewport as the page stands (not scrolled to)."""
    return page.locator(selector).first.evaluate(
        "el => { const box = el.getBoundingClientRect();"
        " return box.top >= -1 && box.bottom <= window.innerHeight; }"
    )


def test_searching_by_zip_lists_the_nearest_providers_first(page, site, austin):
    search_for(page, site, "78701")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "3 providers within 25 miles of Austin, TX 78701"
    )
    expect_results(page, NEAREST_FIRST)
    assert "Far Away, DC" not in page.content()
    expect(page.get_by_label("ZIP code, city or address")).to_be_hidden()  # folded under Change
    change_search(page)
    expect(page.get_by_label("ZIP code, city or address")).to_have_value("78701")


def test_searching_by_city_finds_the_same_providers(page, site, austin):
    search_for(page, site, "Austin, TX")

    expect(page.get_by_role("heading", level=1)).to_contain_text("3 providers within 25 miles")
    cards = page.locator(".results .card h2 a")
    expect(cards).to_have_count(3)
    assert sorted(cards.all_inner_texts()) == ["Ana Ruiz, DC", "Jane Doe, DC", "Sam Lee, DPT"]


def test_filters_narrow_the_results_and_stay_selected(page, site, austin):
    search_for(page, site, "78701")

    change_search(page)
    page.get_by_label("Profession").select_option(label="Chiropractor")
    more = page.locator("details.more-filters")
    expect(page.get_by_label("Accepting new patients")).to_be_hidden()  # folded until asked for
    more.get_by_text("More filters and sorting").click()
    page.get_by_label("Accepting new patients").check()
    page.get_by_label("Distance").select_option(label="Within 5 miles")
    page.get_by_role("button", name="Search", exact=True).click()

    expect_results(page, ["Jane Doe, DC"])
    expect(page.locator(".summary-facts")).to_have_text("Accepting new patients")
    change_search(page)
    expect(page.get_by_label("Profession")).to_have_value("chiropractor")
    expect(page.get_by_label("Accepting new patients")).to_be_checked()  # shown: in use
    assert "radius_miles=5" in page.url

    page.get_by_label("Profession").select_option(label="Physical therapist")
    page.get_by_label("Accepting new patients").uncheck()
    page.get_by_role("button", name="Search", exact=True).click()
    expect_results(page, ["Sam Lee, DPT"])


def test_the_map_toggle_shows_a_pin_per_result_even_when_tiles_fail(page, site, austin):
    search_for(page, site, "78701")
    results_list = page.locator("#results-list")
    map_button = page.get_by_role("button", name="Map", exact=True)
    expect(results_list).to_be_visible()
    expect(page.locator("#map")).to_be_hidden()
    expect(page.get_by_role("button", name="List", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )

    map_button.click()

    expect(map_button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#map")).to_be_visible()
    expect(results_list).to_be_hidden()
    pins = page.locator("#map .leaflet-marker-icon")
    expect(pins).to_have_count(3)
    jane = page.get_by_role("button", name="Jane Doe, DC, 100 Congress Ave, Austin, TX 78701")
    expect(jane).to_be_visible()
    # Tiles never load here (every non-local request is aborted): the page says so, calmly.
    expect(page.locator("#map-status")).to_contain_text("map background could not load")

    jane.focus()
    page.keyboard.press("Enter")
    popup_link = page.locator(".leaflet-popup-content a")
    expect(popup_link).to_have_text("Jane Doe, DC")
    expect(page.locator(".leaflet-popup-content")).to_contain_text("miles away")
    expect(page.locator(".leaflet-popup-content")).to_contain_text(
        "Spinal manipulation from $40 a visit"
    )
    expect(page.locator(".map-count")).to_have_text("Showing 3 of 3 on the map")
    popup_link.click()
    expect(page).to_have_url(re.compile(rf"/providers/{austin['jane'].id}/\?search=near"))
    page.get_by_role("link", name="Back to results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "3 providers within 25 miles of Austin, TX 78701"
    )


def test_use_my_location_searches_around_the_browser_position(browser: Browser, site, austin):
    context = new_context(browser, geolocation=AUSTIN, permissions=["geolocation"])
    page = context.new_page()
    page.goto(f"{site}/")

    page.get_by_role("button", name="Use my location").click()

    page.wait_for_url(re.compile(r"lat=30\.267&lng=-97\.743"))
    expect_results(page, NEAREST_FIRST)
    expect(page.get_by_role("heading", level=1)).to_contain_text("of your location")
    context.close()


def test_without_javascript_the_list_is_the_whole_page(browser: Browser, site, austin):
    context = new_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/")
    expect(page.get_by_role("button", name="Use my location")).to_be_hidden()

    search_for(page, site, "78701")

    expect_results(page, NEAREST_FIRST)
    expect(page.locator("#map")).to_be_hidden()
    expect(page.get_by_role("button", name="Map", exact=True)).to_be_hidden()
    context.close()


def test_a_provider_page_shows_every_location_in_a_list_and_on_a_map(page, site, austin):
    search_for(page, site, "78701")

    page.get_by_role("link", name="Jane Doe, DC").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Jane Doe, DC")
    locations = page.locator("ul.results > li")
    expect(locations).to_have_count(2)
    expect(locations.nth(1)).to_contain_text("200 E Main St, Round Rock, TX 78664")
    expect(page.locator("#map")).to_be_visible()
    expect(page.locator("#map .leaflet-marker-icon")).to_have_count(2)
    expect(page.get_by_role("cell", name="$40.00")).to_be_visible()


def estimate_self_pay(page: Page, site: str, provider_id: int, visits: str = "6") -> None:
    page.goto(f"{site}/providers/{provider_id}/")
    page.get_by_role("link", name="Estimate my cost").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Estimate your cost")
    page.get_by_label("Number of visits").fill(visits)
    page.get_by_label("Self-pay (no insurance claim)").check()
    page.get_by_role("button", name="Estimate my cost").click()


def test_an_estimate_for_a_provider_shows_what_the_patient_pays(page, site, austin):
    estimate_self_pay(page, site, austin["jane"].id)

    result = page.locator(".estimate-result")
    expect(result.get_by_role("heading", name="Your estimate")).to_be_visible()
    expect(result.locator(".summary-figures")).to_contain_text("You pay")
    expect(result.locator(".summary-figures")).to_contain_text("$240.00")
    expect(result.locator(".visit-table tbody tr")).to_have_count(6)


def test_on_a_phone_each_procedure_reads_as_labelled_lines_without_scrolling(page, site, austin):
    page.set_viewport_size(PHONE)
    estimate_self_pay(page, site, austin["jane"].id)

    line = page.locator("table.stacked tbody tr").first
    expect(line.locator("td").first).to_have_attribute("data-label", "Code")
    expect(line).to_contain_text("98940")
    expect(page.locator("main")).not_to_contain_text("{#")  # no template comment shown
    # Every cell of the procedure within the screen's width: nothing to scroll sideways to.
    overflow = line.evaluate(
        "row => Math.max(...[...row.cells].map(c => c.getBoundingClientRect().right))"
        " - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert page.evaluate(SIDEWAYS) <= 0
    # The column names stay for screen readers, clipped rather than removed.
    assert (
        page.locator("table.stacked thead th").first.evaluate(
            "th => getComputedStyle(th.closest('thead')).display"
        )
        != "none"
    )


def test_an_estimate_with_insurance_splits_the_cost_with_the_plan(page, site, austin):
    page.goto(f"{site}/estimate/?provider={austin['jane'].id}")
    page.get_by_label("Number of visits").fill("2")
    page.get_by_label("Health insurance").check()
    page.get_by_label("Insurance plan").select_option(label="Aetna PPO")
    page.get_by_label("Yearly deductible ($)").fill("1000")
    page.get_by_label("Paid toward it so far this year ($)").fill("1000")
    page.get_by_label("Coinsurance (%)", exact=True).fill("20")
    page.get_by_role("button", name="Estimate my cost").click()

    figures = page.locator(".summary-figures")
    expect(figures).to_contain_text("$16.00")  # 20% of 2 x $40
    expect(figures).to_contain_text("$64.00")


def test_a_good_faith_estimate_prints_with_the_required_details(page, site, austin):
    estimate_self_pay(page, site, austin["jane"].id, visits="3")
    page.get_by_label("Patient's full name").fill("Ann Example")
    page.get_by_label("Patient's date of birth").fill("1980-03-04")

    page.get_by_role("button", name="Create cost estimate for the provider").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Self-pay cost estimate to take to your provider"
    )
    assert "Ann Example" not in page.url
    facts = page.locator(".gfe-facts")
    expect(facts.first).to_contain_text("Ann Example")
    expect(facts.first).to_contain_text("March 4, 1980")
    expect(facts.nth(1)).to_contain_text(austin["jane"].npi)
    expect(facts.nth(1)).to_contain_text("12-3456789")
    expect(page.locator(".gfe-total")).to_have_text("$120.00")
    expect(page.locator(".gfe-disclaimers li").first).to_be_visible()

    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print this estimate")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".gfe-total")).to_be_visible()
    pdf = page.pdf(format="Letter")
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 5_000


def test_the_safety_check_explains_the_result_and_focuses_it(page, site, austin):
    page.goto(f"{site}/safety/")
    questions = page.locator("fieldset.question:has(input[type=radio])")
    count = questions.count()
    assert count > 5
    for index in range(count):
        questions.nth(index).get_by_label("No", exact=True).check()
    page.get_by_label("Your age (optional)").fill("40")

    page.get_by_role("button", name="See what my answers mean").click()

    heading = page.get_by_role("heading", name="Your result: No warning signs in your answers")
    expect(heading).to_be_visible()
    expect(heading).to_be_focused()
    assert page.url == f"{site}/safety/"  # answers are posted, never put in the address


def test_the_safety_check_will_not_submit_with_a_question_unanswered(page, site, austin):
    page.goto(f"{site}/safety/")
    page.get_by_role("button", name="See what my answers mean").click()

    # The browser's own required-field check stops the form; nothing was sent.
    expect(page).to_have_url(f"{site}/safety/")
    expect(page.locator(".safety-result")).to_have_count(0)
    first_unanswered = page.locator("fieldset.question input[type=radio]").first
    assert first_unanswered.evaluate("el => !el.validity.valid")


def test_keyboard_users_can_skip_to_the_content_and_see_focus(page, site, austin):
    page.goto(f"{site}/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.keyboard.press("Tab")  # the first control in the main content
    expect(page.get_by_label("ZIP code, city or address")).to_be_focused()
    page.keyboard.type("78701")
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("3 providers")
    expect(heading).to_be_focused()  # the next Tab continues from the results


def test_on_a_phone_nothing_scrolls_sideways(browser: Browser, site, austin):
    context = new_context(browser)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    paths = (
        "/?near=78701",
        f"/providers/{austin['jane'].id}/",
        f"/estimate/?provider={austin['jane'].id}&visits=2&coverage_type=self_pay",
        "/safety/",
        "/about/",
        "/practice-acts/",
        "/practice-acts/WA/",
        "/estimate/?provider={jane}&visits=2&coverage_type=insurance&deductible=500",
    )
    for path in paths:
        page.goto(f"{site}{path.format(jane=austin['jane'].id)}")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than a 390px phone"
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_after_a_search_the_results_heading_is_in_the_first_screen_with_focus(
    browser: Browser, site, austin, viewport
):
    context = new_context(browser)
    page = context.new_page()
    page.set_viewport_size(viewport)
    search_for(page, site, "78701")

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("3 providers within 25 miles of Austin, TX 78701")
    expect(heading).to_be_focused()
    assert in_first_screen(page, "#results-heading")
    assert in_first_screen(page, ".results .card h2")  # the first result starts on screen too
    context.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_after_an_estimate_the_result_is_in_the_first_screen_with_focus(
    browser: Browser, site, austin, viewport
):
    context = new_context(browser)
    page = context.new_page()
    page.set_viewport_size(viewport)
    estimate_self_pay(page, site, austin["jane"].id, visits="3")

    heading = page.get_by_role("heading", name="Your estimate")
    expect(heading).to_be_focused()
    assert in_first_screen(page, "#result-heading")
    assert in_first_screen(page, ".summary-figures")
    expect(page.locator(".summary-figures")).to_contain_text("$120.00")
    # The form is folded under "Change the details", with the choices made kept.
    expect(page.get_by_label("Number of visits")).to_be_hidden()
    page.get_by_text("Change the details").click()
    expect(page.get_by_label("Number of visits")).to_have_value("3")
    context.close()


def test_the_estimate_form_shows_only_the_benefits_the_way_of_paying_uses(page, site, austin):
    page.goto(f"{site}/estimate/?provider={austin['jane'].id}")
    deductible = page.get_by_label("Yearly deductible ($)")
    copay = page.get_by_label("Copay per visit ($)")

    page.get_by_label("Health insurance").check()
    expect(deductible).to_be_visible()
    expect(copay).to_be_visible()

    page.get_by_label("Original Medicare (Part B)").check()
    expect(deductible).to_be_visible()
    expect(copay).to_be_hidden()

    page.get_by_label("Self-pay (no insurance claim)").check()
    expect(deductible).to_be_hidden()
    expect(page.locator("fieldset.benefits")).to_be_hidden()


def test_without_javascript_the_estimate_still_hides_self_pays_unused_fields(
    browser: Browser, site, austin
):
    context = new_context(browser, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/estimate/?provider={austin['jane'].id}")
    page.get_by_label("Self-pay (no insurance claim)").check()
    expect(page.get_by_label("Yearly deductible ($)")).to_be_hidden()
    page.get_by_role("button", name="Estimate my cost").click()
    expect(page.get_by_role("heading", name="Your estimate")).to_be_visible()
    assert page.url.endswith("#result-heading")  # the browser opens the page at the result
    context.close()


def test_a_state_page_is_reached_from_a_result_card(page, site, austin):
    search_for(page, site, "78701")
    page.get_by_role("link", name="What TX allows").first.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Texas: rules for joint manipulation")
    expect(page.get_by_role("heading", name="Physical therapists in Texas")).to_be_visible()
    page.get_by_role("link", name="All states").click()
    expect(page.get_by_role("link", name="Washington")).to_be_visible()


def test_a_wa_pt_page_says_whether_the_spinal_manipulation_endorsement_is_on_file(
    browser: Browser, site, austin
):
    endorsed = washington_pt(endorsed=True, last_name="Endorsed")
    missing = washington_pt(endorsed=False, last_name="Missing")
    context = new_context(browser)
    page = context.new_page()
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto(f"{site}/providers/{endorsed.id}/")
        badges = page.locator(".badges li")
        # The location's badge and the state box say the same; nothing says otherwise.
        expect(badges).to_have_text(
            [
                "Spinal manipulation in WA: allowed Holds the WA spinal manipulation endorsement",
                "Spinal manipulation: allowed Holds the WA spinal manipulation endorsement",
            ]
        )
        expect(page.get_by_text("requires endorsement")).to_have_count(0)
        assert page.evaluate(SIDEWAYS) <= 0

        page.goto(f"{site}/providers/{missing.id}/")
        expect(page.locator(".badges li").first).to_have_text(
            "Spinal manipulation in WA: requires endorsement "
            "The WA spinal manipulation endorsement is not on file"
        )
        expect(page.get_by_text("allowed", exact=False)).to_have_count(0)

        page.goto(f"{site}/?near=98101&service=spinal_manipulation")
        expect(page.locator(".results .card h2 a")).to_have_text(["Kim Endorsed, DPT"])
        card = page.locator(".results .card").first
        expect(card.locator(".price-line")).to_contain_text("Manual therapy from $55 a visit")
        assert page.evaluate(SIDEWAYS) <= 0
    context.close()
