"""A provider manages its listing in a real browser: sign up, open the emailed link, claim the
NPI, a curator approves it in the admin, edit a price and a plan, see them on the site,
confirm the listing; another account is refused; the curator reverts the price."""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from finder.verification_words import day_text
from tests.browser.conftest import DESKTOP, PHONE, new_context
from tests.browser.test_accessibility import BLOCKING_IMPACTS, describe, run_axe
from tests.providers.accounts.helpers import LINK

pytestmark = pytest.mark.browser
PASSWORD = "a-long-pass-phrase-1"
SCREENSHOTS_DIR = os.environ.get("SCREENSHOTS_DIR")


def emailed_path(to: str) -> str:
    message = [m for m in mail.outbox if to in m.to][-1]
    return LINK.findall(message.body)[-1]


def check_page(page: Page, name: str) -> None:
    """No serious accessibility violations at either width (and screenshots when asked)."""
    failures = []
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        violations = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
        if violations:
            failures.append(f"{name} {label}:\n{describe(violations)}")
        if SCREENSHOTS_DIR:
            Path(SCREENSHOTS_DIR).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{SCREENSHOTS_DIR}/{name}-{label}.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    assert not failures, "\n".join(failures)


def sign_up(page: Page, site: str, email: str) -> None:
    page.goto(f"{site}/accounts/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"We sent a link to {email}")).to_be_visible()
    page.goto(site + emailed_path(email))
    expect(page.get_by_text(f"{email} is confirmed")).to_be_visible()


def test_a_provider_claims_edits_and_confirms_its_listing(browser: Browser, page, site, austin):
    jane = austin["jane"]
    page.goto(f"{site}/providers/{jane.id}/")
    page.get_by_role("link", name="Manage this listing").click()
    page.get_by_role("link", name="Create a provider account").click()
    check_page(page, "account-signup")
    sign_up(page, site, "jane@doechiro.example")

    page.get_by_role("link", name="Claim your listing").click()
    page.get_by_label("NPI numbers").fill(jane.npi)
    page.get_by_label("Practice name").fill("Doe Chiropractic")
    page.get_by_label("Practice phone").fill("512-555-0100")
    check_page(page, "account-claim")
    page.get_by_role("button", name="Send claim").click()
    expect(page.get_by_role("cell", name="Waiting for a curator")).to_be_visible()

    # The curator approves the claim in the admin, with its evidence beside it.
    get_user_model().objects.create_superuser("curator", "c@example.org", "curator-pw-1")
    curator_context = new_context(browser)
    admin = curator_context.new_page()
    admin.goto(f"{site}/admin/login/?next=/admin/accounts/claim/")
    admin.get_by_label("Username").fill("curator")
    admin.get_by_label("Password").fill("curator-pw-1")
    admin.get_by_role("button", name="Log in").click()
    row = admin.locator("#result_list tbody tr").first
    expect(row).to_contain_text("doechiro.example")
    expect(row).to_contain_text("100 Congress Ave, Austin, TX 78701")
    row.locator("input.action-select").check()
    admin.locator("select[name=action]").select_option(label="Approve selected claims")
    admin.get_by_role("button", name="Go").click()
    expect(admin.get_by_text("1 claim(s) approved.")).to_be_visible()

    # The provider edits a price and a plan; they are public at once.
    page.goto(f"{site}/accounts/")
    page.get_by_role("link", name="Edit Jane Doe, DC").click()
    price = page.get_by_label("98940 Spinal manipulation, 1-2 regions")
    expect(price).to_have_value("40.00")
    price.fill("55.00")
    page.get_by_label("Cigna PPO").check()
    check_page(page, "account-edit")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("they are public now")).to_be_visible()

    page.goto(f"{site}/?near=78701")
    card = page.locator("article.card", has_text="Jane Doe, DC")
    expect(card).to_contain_text("Spinal manipulation from $55 a visit")
    expect(card).to_contain_text("Cigna PPO")
    today = day_text(timezone.localdate())
    page.goto(f"{site}/providers/{jane.id}/")
    expect(page.get_by_text(f"Updated by the provider on {today}")).to_be_visible()

    page.goto(f"{site}/accounts/")
    page.get_by_role("link", name="Confirm Jane Doe, DC").click()
    page.get_by_role("button", name="Everything here is correct").click()
    expect(page.get_by_text(f"Confirmed by the provider on {today}")).to_be_visible()
    api = page.request.get(f"{site}/api/v1/providers/{jane.id}/").json()
    assert api["verification"]["source"] == "provider"
    assert [p["source"] for p in api["insurance_plans"] if p["slug"] == "cigna-ppo"] == ["provider"]

    # Another account cannot reach the listing's pages.
    other_context = new_context(browser)
    other = other_context.new_page()
    sign_up(other, site, "someone@else.example")
    for path in (f"/accounts/listings/{jane.id}/", f"/accounts/listings/{jane.id}/confirm/"):
        assert other.goto(site + path).status == 404
    other_context.close()

    # The curator reverts the price in the review queue, with one click.
    admin.goto(f"{site}/admin/accounts/listingchange/")
    expect(admin.get_by_role("heading", name="Review queue")).to_be_visible()
    admin.get_by_role("button", name=re.compile(r"^Revert Cash price 98940 of Jane Doe")).click()
    expect(admin.get_by_text("Reverted Cash price 98940")).to_be_visible()
    curator_context.close()
    page.goto(f"{site}/providers/{jane.id}/")
    expect(page.get_by_role("cell", name="$40.00")).to_be_visible()
