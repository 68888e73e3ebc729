"""The Spanish pages in a browser: the language switch, a search for Spanish-speaking providers,
the printable estimate, and axe-core on every /es/ page."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import Page, expect

from providers.models import Provider
from tests.browser.test_accessibility import (
    BLOCKING_IMPACTS,
    axe_failures_at_both_widths,
    describe,
    run_axe,
)

pytestmark = pytest.mark.browser
# The first search in a fresh test process loads the ZIP index, which takes tens of seconds on
# a loaded machine: the first page of a test that may run first gets longer than the default.
FIRST_SEARCH_MS = 60_000


@pytest.fixture
def speakers(austin: dict[str, Provider]) -> dict[str, Provider]:
    """Jane and Ana speak Spanish; Sam speaks English only; Dallas has not said."""
    Provider.objects.filter(pk__in=[austin["jane"].pk, austin["ana"].pk]).update(
        languages=["en", "es"]
    )
    sam = austin["sam"]
    sam.languages = ["en"]
    sam.save()
    for provider in (austin["jane"], austin["ana"]):
        provider.refresh_from_db()
        provider.save()  # the search projection follows a save (update() sends no signal)
    return austin


def test_the_switch_keeps_the_page_and_its_filters(page: Page, site, speakers):
    page.goto(
        f"{site}/?near=78701&profession=chiropractor&radius_miles=10", timeout=FIRST_SEARCH_MS
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    url = urlsplit(page.url)
    assert url.path == "/es/"
    assert parse_qs(url.query) == {
        "near": ["78701"], "profession": ["chiropractor"], "radius_miles": ["10"],
    }  # fmt: skip
    expect(page.get_by_label("Código postal, ciudad o dirección")).to_have_value("78701")
    expect(page.get_by_label("Profesión")).to_have_value("chiropractor")
    expect(page.get_by_label("Distancia")).to_have_value("10")
    expect(page.get_by_role("heading", level=1)).to_contain_text("a menos de 10 millas")

    page.get_by_role("navigation", name="Idioma").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert urlsplit(page.url).path == "/"
    expect(page.get_by_label("Profession")).to_have_value("chiropractor")


def test_each_page_names_its_other_language_for_search_engines(page: Page, site, speakers):
    page.goto(f"{site}/es/providers/{speakers['jane'].id}/")
    alternates = page.locator("link[rel=alternate]")
    hrefs = {
        alternates.nth(i).get_attribute("hreflang"): alternates.nth(i).get_attribute("href")
        for i in range(alternates.count())
    }
    assert hrefs == {
        "en": f"{site}/providers/{speakers['jane'].id}/",
        "es": f"{site}/es/providers/{speakers['jane'].id}/",
        "x-default": f"{site}/providers/{speakers['jane'].id}/",
    }


def test_a_spanish_search_for_spanish_speakers_finds_only_them(page: Page, site, speakers):
    page.goto(f"{site}/es/")
    page.get_by_label("Código postal, ciudad o dirección").fill("78701")
    page.get_by_text("Más filtros y orden").click()
    page.get_by_label("Habla").select_option(label="Español")
    page.get_by_role("button", name="Buscar", exact=True).click()

    cards = page.locator("ol.results article")
    expect(cards).to_have_count(2)
    names = sorted(cards.nth(i).locator("h2 a").inner_text() for i in range(cards.count()))
    assert names == ["Ana Ruiz, DC", "Jane Doe, DC"]
    for i in range(cards.count()):
        expect(cards.nth(i)).to_contain_text("Idiomas: Inglés, Español")
    assert parse_qs(urlsplit(page.url).query)["language"] == ["es"]
    expect(page.get_by_label("Habla")).to_have_value("es")


def test_the_printable_estimate_in_spanish_has_every_required_element(page: Page, site, speakers):
    jane = speakers["jane"]
    page.goto(
        f"{site}/es/estimate/?provider={jane.id}&code=98940&qty_98940=1&visits=3"
        "&coverage_type=self_pay"
    )
    page.get_by_label("Nombre completo del paciente").fill("Ana Ejemplo")
    page.get_by_label("Fecha de nacimiento del paciente").fill("1980-03-04")
    page.get_by_label("Fecha de la primera visita (si ya está programada)").fill("2026-12-14")
    page.get_by_role("button", name="Crear el cálculo de costos para el proveedor").click()

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cálculo de costos por cuenta propia para llevar a su proveedor"
    )
    with translation.override("es"):
        issued = formats.date_format(timezone.localdate(), r"j \d\e F \d\e Y")
    patient, provider = page.locator(".gfe-facts").nth(0), page.locator(".gfe-facts").nth(1)
    # 45 CFR 149.610(c): patient, date of birth, dates, provider, NPI, TIN, place, services and
    # codes, charges, the disclaimers.
    for text in ("Ana Ejemplo", "4 de marzo de 1980", issued, "14 de diciembre de 2026"):
        expect(patient).to_contain_text(text)
    for text in ("Jane Doe, DC", jane.npi, "12-3456789", "100 Congress Ave, Austin, TX 78701",
                 "Texas"):  # fmt: skip
        expect(provider).to_contain_text(text)
    lines = page.locator(".gfe-lines")
    expect(lines).to_contain_text("98940")
    expect(lines).to_contain_text("Manipulación de la columna, 1-2 regiones")
    expect(lines).to_contain_text("Cargo previsto por 3 visitas")
    expect(page.locator(".gfe-total")).to_have_text("$120.00")
    expect(page.get_by_text("Códigos de diagnóstico: no incluidos")).to_be_visible()
    expect(page.get_by_text(re.compile("45 CFR 149.610"))).to_be_visible()
    disclaimers = page.locator(".gfe-disclaimers li")
    expect(disclaimers).to_have_count(4)
    expect(disclaimers.nth(2)).to_contain_text("en $400 o más")
    expect(disclaimers.nth(2)).to_contain_text("1-800-985-3059")

    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Imprimir este cálculo")).to_be_hidden()
    expect(page.locator(".gfe-total")).to_be_visible()
    assert page.pdf(format="Letter").startswith(b"%PDF")


def spanish_pages(site: str, austin: dict[str, Provider]) -> dict[str, str]:
    jane = austin["jane"].id
    estimate = f"{site}/es/estimate/?provider={jane}&code=98940&qty_98940=1&visits=3"
    return {
        "search": f"{site}/es/",
        "search-results": f"{site}/es/?near=78701&language=es",
        "search-errors": f"{site}/es/?near=xyz",
        "provider": f"{site}/es/providers/{jane}/",
        "estimate": f"{site}/es/estimate/?provider={jane}",
        "estimate-result": f"{estimate}&coverage_type=self_pay",
        "estimate-medicare": f"{estimate}&coverage_type=medicare",
        "safety": f"{site}/es/safety/",
        "about": f"{site}/es/about/",
        "practice-acts": f"{site}/es/practice-acts/",
        "practice-act-state": f"{site}/es/practice-acts/WA/",
        "not-found": f"{site}/es/no-such-page/",
    }


@pytest.mark.parametrize(
    "name",
    ["search", "search-results", "search-errors", "provider", "estimate", "estimate-result",
     "estimate-medicare", "safety", "about", "practice-acts", "practice-act-state", "not-found"],
)  # fmt: skip
def test_the_spanish_page_has_no_serious_accessibility_violations(page, site, speakers, name):
    page.goto(spanish_pages(site, speakers)[name], timeout=FIRST_SEARCH_MS)
    assert page.evaluate("() => document.documentElement.lang") == "es"
    # `make screenshots`: the Spanish pages beside the English ones.
    failures = axe_failures_at_both_widths(page, screenshot_name=f"es-{name}")
    assert not failures, "\n".join(failures)


def test_the_spanish_safety_result_has_no_serious_accessibility_violations(page, site, speakers):
    page.goto(f"{site}/es/safety/")
    questions = page.locator("fieldset.question:has(input[type=radio])")
    for index in range(questions.count()):
        answer = "Sí" if index == 0 else "No estoy seguro"
        questions.nth(index).get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Ver qué significan mis respuestas").click()
    expect(page.locator(".safety-result")).to_be_visible()
    expect(page.locator("#result-heading")).to_contain_text(
        "Su resultado: Se debe evitar la manipulación de algunas zonas"
    )
    violations = [v for v in run_axe(page) if v["impact"] in BLOCKING_IMPACTS]
    assert not violations, describe(violations)
