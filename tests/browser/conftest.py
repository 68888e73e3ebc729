"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server.

Chromium comes from Debian's `chromium` package at /usr/bin/chromium (CI installs it; see
.ci/run). Playwright's own browser downloads are not used. Without that binary every test here
is skipped with the reason.

The pages talk only to the live server: every other request (map tiles included) is aborted,
so the maps are always exercised in their "tiles could not load" state.

Set SCREENSHOTS_DIR to also save each page of the accessibility run as PNGs at phone and
desktop widths (`make screenshots` does; see scripts/screenshots.py).
"""

import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Route,
    sync_playwright,
)

from providers.geo import preload
from providers.models import InsurancePlan, Procedure, Profession, Provider
from providers.reference import load_reference_data
from tests.factories import PracticeLocationFactory, ProviderFactory, ProviderPriceFactory

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
LOCAL_HOSTS = {"localhost", "127.0.0.1"}
# Downtown Austin, TX (ZIP 78701): the browser's reported position in geolocation tests.
AUSTIN = {"latitude": 30.2672, "longitude": -97.7431}


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run these")
    # Playwright's sync API keeps an asyncio loop running on this thread, so Django would refuse
    # the tests' own ORM calls as "async" without this; restored once the package is done.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


def _local_only(route: Route) -> None:
    if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
        route.continue_()
    else:
        route.abort()


def new_context(browser: Browser, **options) -> BrowserContext:
    context = browser.new_context(viewport=DESKTOP, locale="en-US", **options)
    context.set_default_timeout(10_000)
    context.route("**/*", _local_only)
    return context


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = new_context(browser)
    yield context
    context.close()


def _is_csp_report(message: ConsoleMessage) -> bool:
    return message.type == "error" and "Content Security Policy" in message.text


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on a JavaScript error or a Content-Security-Policy violation."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if _is_csp_report(msg) else None)
    yield page
    assert errors == [], f"JavaScript errors or CSP violations on the page: {errors}"


@pytest.fixture
def site(live_server, transactional_db) -> str:
    """The live server's base URL (the default tile server stays set; its requests are aborted).

    The live server runs in this process, which builds the offline place indexes on its first
    search: built here, so that search is not the one to wait for them under the page timeout.
    """
    preload()
    return live_server.url


@pytest.fixture
def austin(site: str) -> dict[str, Provider]:
    """Reference data plus three providers near ZIP 78701 and one in Dallas.

    Jane Doe, DC: two Austin-area locations, $40 for 98940, Aetna PPO, accepting patients.
    Sam Lee, DPT: a physical therapist downtown, not accepting new patients.
    Ana Ruiz, DC: a chiropractor in north Austin.
    """
    load_reference_data()
    jane = PracticeLocationFactory(
        provider__first_name="Jane", provider__last_name="Doe", provider__tin="12-3456789"
    ).provider
    PracticeLocationFactory(
        provider=jane,
        address_line1="200 E Main St",
        city="Round Rock",
        zip_code="78664",
        latitude=30.5083,
        longitude=-97.6789,
    )
    ProviderPriceFactory(
        provider=jane, procedure=Procedure.objects.get(code="98940"), cash_price=Decimal("40")
    )
    jane.insurance_plans.add(InsurancePlan.objects.get(slug="aetna-ppo"))
    sam = PracticeLocationFactory(
        provider=ProviderFactory(
            first_name="Sam",
            last_name="Lee",
            credential="DPT",
            profession=Profession.PHYSICAL_THERAPIST,
            accepting_new_patients=False,
        ),
        address_line1="600 Congress Ave",
        latitude=30.2690,
        longitude=-97.7425,
    ).provider
    ana = PracticeLocationFactory(
        provider__first_name="Ana",
        provider__last_name="Ruiz",
        address_line1="9000 N Lamar Blvd",
        zip_code="78753",
        latitude=30.3540,
        longitude=-97.7000,
    ).provider
    dallas = PracticeLocationFactory(
        provider__first_name="Far",
        provider__last_name="Away",
        address_line1="1 Main St",
        city="Dallas",
        zip_code="75201",
        latitude=32.7876,
        longitude=-96.7994,
    ).provider
    return {"jane": jane, "sam": sam, "ana": ana, "dallas": dallas}


def washington_pt(*, endorsed: bool, last_name: str) -> Provider:
    """A Seattle physical therapist offering spinal manipulation, which the WA act (from the
    reference data) allows a PT only with the spinal manipulation endorsement; $55 for 97140."""
    provider = PracticeLocationFactory(
        provider=ProviderFactory(
            first_name="Kim",
            last_name=last_name,
            credential="DPT",
            profession=Profession.PHYSICAL_THERAPIST,
            offers_spinal_manipulation=True,
            offers_mobilization=True,
            spinal_manipulation_endorsed=endorsed,
        ),
        address_line1="1200 4th Ave",
        city="Seattle",
        state="WA",
        zip_code="98101",
        latitude=47.6087,
        longitude=-122.3350,
    ).provider
    ProviderPriceFactory(
        provider=provider, procedure=Procedure.objects.get(code="97140"), cash_price=Decimal("55")
    )
    return provider
