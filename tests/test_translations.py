"""The Spanish pages: a complete catalogue, and no English left on any patient page.

Every patient page is fetched in English and under /es/; a piece of visible text (a text node,
or an aria-label, placeholder, title or alt) found identical on both is English the catalogue
missed, unless it is made only of shared tokens: names (providers, plans, states, cities),
codes, numbers, and text marked lang="en" (legal and medical source titles, the other
language's name in the switch).
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from finder.reference_text import reference_messages_source
from providers.models import InsurancePlan, Procedure, ProviderPrice
from providers.states import US_STATES
from tests.factories import PracticeLocationFactory
from tests.po_files import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
# Words that read the same in both languages (language names in the "Speaks" list, "No" as an
# answer, "Total") and the brand and program names every page shows.
SAME_IN_BOTH = {
    "No", "Total", "Medicare", "Hindi", "Urdu", "Telugu", "Tamil", "Yoruba", "Lao", "NPI", "TIN",
    "CPT", "APTA", "DC", "DPT", "PT", "JSON", "PDF", "ZIP",
}  # fmt: skip
# Names shown alike in both: the service's and the switch's (each language in its own).
FIXED_NAMES = ["JointCare Finder", "Español"]
ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")


# --- The catalogue ---------------------------------------------------------------------------


def test_every_message_has_a_spanish_translation():
    entries = [entry for entry in read_po(CATALOGUE) if entry.msgid]
    assert len(entries) > 500
    untranslated = [entry.msgid for entry in entries if not entry.translated]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_po_file():
    with COMPILED.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in read_po(CATALOGUE):
        if not entry.msgid:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            shown = [compiled.ngettext(key, entry.msgid_plural, n) for n in (1, 2)]
            wanted = [entry.msgstr[0], entry.msgstr[1]]
        else:
            shown, wanted = compiled.gettext(key), entry.msgstr[0]
        if shown != wanted:
            stale.append(entry.msgid)
    assert stale == [], "run `make messages` to recompile locale/es/LC_MESSAGES/django.mo"


def test_the_reference_texts_for_the_catalogue_are_current():
    written = (ROOT / "finder" / "reference_messages.py").read_text()
    assert written == reference_messages_source(), (
        "run `DEVTOOLS=1 manage.py write_reference_messages`, then `make messages`"
    )


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_the_catalogue_holds_every_string_the_code_marks(tmp_path):
    """makemessages over a copy of the sources finds no message the committed catalogue lacks
    (a string marked for translation and never translated)."""
    for name in ("config", "finder", "providers", "templates", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--add-location=file"],
        cwd=tmp_path, env={**os.environ, "DJANGO_DEBUG": "1"}, check=True, capture_output=True,
    )  # fmt: skip
    fresh = {(e.msgctxt, e.msgid) for e in read_po(tmp_path / CATALOGUE.relative_to(ROOT))}
    committed = {(e.msgctxt, e.msgid) for e in read_po(CATALOGUE)}
    assert sorted(fresh - committed) == [], "run `make messages` and translate the new entries"


# --- The pages -------------------------------------------------------------------------------


class VisibleText(HTMLParser):
    """Text nodes and labelling attributes of a page, without scripts, styles and anything
    inside an element marked lang="en"."""

    SKIPPED = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self.stack: list[bool] = []  # per open element: is its content left out?

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        hidden = bool(self.stack and self.stack[-1])
        # <html lang> is the page's own language; lang="en" inside it marks English kept on
        # purpose.
        marked_english = tag != "html" and attributes.get("lang") == "en"
        hidden = hidden or tag in self.SKIPPED or marked_english
        if not hidden:
            self.pieces.extend(value for name, value in attrs if name in ATTRIBUTES and value)
        if tag not in self.VOID:
            self.stack.append(hidden)

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data) -> None:
        if not (self.stack and self.stack[-1]):
            self.pieces.append(data)


def visible_pieces(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    return {" ".join(piece.split()) for piece in parser.pieces if piece.strip()}


def only_shared_tokens(piece: str, names: list[str]) -> bool:
    for name in names:
        piece = piece.replace(name, " ")
    piece = re.sub(r"\[[^\]]+\]", " ", piece)  # source keys: [APTA-M]
    words = re.findall(r"[A-Za-z][A-Za-z'\u2019-]+", piece)
    return not [word for word in words if word not in SAME_IN_BOTH and len(word) > 2]


def english_left(client, path: str, names: list[str], method: str = "get", data=None) -> list[str]:
    send = getattr(client, method)
    english = send(path, data or {})
    spanish = send(f"/es{path}", data or {})
    assert english.status_code == spanish.status_code, path
    assert '<html lang="es">' in spanish.text
    left = visible_pieces(english.text) & visible_pieces(spanish.text)
    return sorted(piece for piece in left if not only_shared_tokens(piece, names))


@pytest.fixture
def listing(reference_data):
    location = PracticeLocationFactory(
        provider__first_name="Ana", provider__last_name="Ruiz", provider__languages=["en", "es"],
        provider__offers_telehealth=True, provider__tin="12-3456789",
        provider__credential="PT, DPT, OCS", provider__specialty_codes=["2251X0800X"],
        wheelchair_accessible=True, evening_hours=True,
    )  # fmt: skip
    provider = location.provider
    provider.insurance_plans.add(*InsurancePlan.objects.filter(slug__in=["aetna-ppo", "medicare"]))
    for code, price in (("98940", "40"), ("98943", "45")):
        ProviderPrice.objects.create(
            provider=provider, procedure=Procedure.objects.get(code=code), cash_price=Decimal(price)
        )
    return provider


def shared_names(provider) -> list[str]:
    """The names a page may show in either language, longest first."""
    names = [
        provider.display_name, *InsurancePlan.objects.values_list("name", flat=True),
        *US_STATES.values(), "Austin, TX 78701", "Austin", "Congress Ave", "Ana Ruiz",
        *FIXED_NAMES,
    ]  # fmt: skip
    return sorted(set(names), key=len, reverse=True)


def patient_pages(provider) -> list[tuple[str, str, dict]]:
    """(method, path, data) of every patient page, in the states a patient sees them."""
    estimate = f"/estimate/?provider={provider.id}&visits=6&code=98940&code=98943&qty_98943=2"
    answers = {key: "no" for key in ("fracture_or_dislocation", "neck_artery_signs")}
    return [
        ("get", "/", {}),
        ("get", "/", {"near": "78701", "language": "es", "telehealth": "true"}),
        ("get", "/", {
            "near": "78701", "profession": "chiropractor", "service": "spinal_manipulation",
            "insurance": "aetna-ppo", "max_price": "50", "ordering": "price",
            "accessible": "true", "medicare_assignment": "participating",
        }),
        ("get", "/", {"near": "78701", "page_size": "1"}),
        ("get", "/", {"near": "xyz"}),
        ("get", "/", {"near": "99501"}),
        ("get", f"/providers/{provider.id}/", {}),
        ("get", "/estimate/", {}),
        ("get", f"{estimate}&coverage_type=insurance&plan=aetna-ppo", {}),
        ("get", f"{estimate}&coverage_type=insurance", {}),
        ("get", f"{estimate}&coverage_type=medicare", {}),
        ("get", f"{estimate}&coverage_type=self_pay", {}),
        ("get", "/estimate/?provider=999999", {}),
        ("get", f"/estimate/?provider={provider.id}&visits=0&coverage_type=insurance", {}),
        ("get", f"{estimate}&coverage_type=insurance&deductible_met=100", {}),
        ("get", f"{estimate}&coverage_type=insurance&deductible=100&deductible_met=200", {}),
        ("post", "/estimate/good-faith/", {
            "provider": provider.id, "procedures": "98940:1 98943:2", "visits": 3,
            "patient_name": "Ana Ruiz", "date_of_birth": "1980-03-04",
            "scheduled_date": "2026-12-14",
        }),
        ("post", "/estimate/good-faith/", {"provider": provider.id, "visits": 3}),
        ("get", "/practice-acts/", {}),
        *(("get", f"/practice-acts/{state}/", {}) for state in ("WA", "CO", "ME", "TX", "NY")),
        ("get", "/safety/", {}),
        ("post", "/safety/", {**answers, "age": "70"}),
        ("post", "/safety/", {"fracture_or_dislocation": "yes", "age": "x"}),
        ("get", "/about/", {}),
        ("get", "/no-such-page/", {}),
    ]  # fmt: skip


@pytest.mark.django_db
def test_no_english_is_left_on_any_patient_page_in_spanish(client, listing):
    names = shared_names(listing)
    left = {}
    for method, path, data in patient_pages(listing):
        found = english_left(client, path, names, method, data)
        if found:
            left[f"{method.upper()} {path} {data}"] = found
    assert left == {}, "\n".join(f"{k}: {v}" for k, v in left.items())


@pytest.mark.django_db
@pytest.mark.parametrize("template", ["500.html", "503.html"])
def test_the_error_pages_are_in_spanish(template, listing):
    request = RequestFactory().get("/es/")
    pages = {}
    for language in ("en", "es"):
        with translation.override(language):
            pages[language] = render_to_string(template, request=request)
    left = visible_pieces(pages["en"]) & visible_pieces(pages["es"])
    assert [piece for piece in left if not only_shared_tokens(piece, shared_names(listing))] == []


def test_the_walk_reports_english_but_not_names_codes_or_english_sources():
    """The check itself, on two versions of a page: one sentence left in English."""
    english = (
        '<p>Estimate your cost</p><p title="Map of the providers">Ana Ruiz, DC · NPI 1234567893'
        '</p><p><a lang="en" href="#">Medicare Benefit Policy Manual</a></p>'
    )
    spanish = english.replace('title="Map of the providers"', 'title="Mapa de los proveedores"')
    left = visible_pieces(english) & visible_pieces(spanish)
    names = ["Ana Ruiz, DC"]
    assert [piece for piece in left if not only_shared_tokens(piece, names)] == [
        "Estimate your cost"
    ]


@pytest.mark.django_db
def test_the_partner_api_stays_english_whatever_the_browser_asks(client):
    response = client.get(
        "/api/v1/providers/", {"near": "xyz", "language": "xx"}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 400
    assert response.json()["language"] == [
        "Unknown language code 'xx'. Use an ISO 639-1 code, such as 'es' for Spanish."
    ]
    page = client.get("/es/", {"near": "78701", "language": "xx"})
    assert "Código de idioma desconocido: &#x27;xx&#x27;." in page.text
