"""The Medicare amount beside each cash price, and the assignment, in the API and the pages."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from providers.medicare_fees import import_fee_files
from providers.models import (
    MedicareAssignment,
    MedicareLocality,
    MedicareNationalAmount,
    MedicareParticipation,
    Procedure,
    Profession,
)
from tests.factories import PracticeLocationFactory, ProviderPriceFactory

FILES = Path(__file__).parent.parent / "providers" / "medicare_files"
MANHATTAN = {"latitude": 40.7570, "longitude": -73.9900, "state": "NY", "city": "New York"}


@pytest.fixture
def chiropractor(reference_data):
    """A chiropractor in Manhattan (10036) charging $40 for 98940 and $30 for 98943."""
    import_fee_files(FILES / "PFALL26A.TXT", FILES / "ZIP5_JAN2026.txt")
    MedicareLocality.objects.filter(carrier="13202", locality="01").update(name="Manhattan, NY")
    location = PracticeLocationFactory(
        zip_code="10036", address_line1="1 Times Sq", provider__first_name="Ann", **MANHATTAN
    )
    for code, price in (("98940", "40.00"), ("98943", "30.00")):
        ProviderPriceFactory(
            provider=location.provider,
            procedure=Procedure.objects.get(code=code),
            cash_price=Decimal(price),
        )
    return location.provider


def participation(provider, assignment: str) -> None:
    MedicareParticipation.objects.create(
        provider=provider,
        assignment=assignment,
        source=MedicareParticipation.Source.MEDICARE_FILE,
        as_of=date(2026, 11, 1),
    )


MANHATTAN_98940 = {
    "amount": "31.45",
    "locality": "Manhattan, NY",
    "year": 2026,
    "source": "locality",
}


def test_the_api_shows_the_medicare_amount_beside_each_price(client, chiropractor):
    participation(chiropractor, MedicareAssignment.NON_PARTICIPATING)
    detail = client.get(f"/api/v1/providers/{chiropractor.id}/").json()
    search = client.get("/api/v1/providers/", {"near": "10036"}).json()["results"][0]

    expected_prices = [
        {
            "code": "98940",
            "label": "Spinal manipulation, 1-2 regions",
            "cash_price": "40.00",
            "currency": "USD",
            "medicare": MANHATTAN_98940,
        },
        {
            "code": "98943",
            "label": "Extremity manipulation (outside the spine), 1 or more regions",
            "cash_price": "30.00",
            "currency": "USD",
            "medicare": None,  # not a Medicare benefit from a chiropractor
        },
    ]
    for body in (detail, search):
        assert (body["prices"], body["medicare_assignment"]) == (
            expected_prices,
            "non_participating",
        )


def test_a_physical_therapists_chiropractic_code_has_no_medicare_amount(client, reference_data):
    location = PracticeLocationFactory(provider__profession=Profession.PHYSICAL_THERAPIST)
    for code in ("97140", "97110"):
        ProviderPriceFactory(
            provider=location.provider,
            procedure=Procedure.objects.get(code=code),
            cash_price=Decimal("60.00"),
        )
    prices = client.get(f"/api/v1/providers/{location.provider_id}/").json()["prices"]
    # Austin's locality is not imported here: the national amounts.
    assert [(price["code"], price["medicare"]) for price in prices] == [
        ("97110", {"amount": "29.06", "locality": None, "year": 2026, "source": "national"}),
        ("97140", {"amount": "27.72", "locality": None, "year": 2026, "source": "national"}),
    ]


def test_the_pages_say_the_amount_and_what_a_non_participating_provider_may_charge(
    client, chiropractor
):
    participation(chiropractor, MedicareAssignment.NON_PARTICIPATING)
    # 109.25% of $31.45 = $34.36.
    words = (
        "Medicare pays about $31.45 here (2026; that includes your 20% share); this provider "
        "may charge up to $34.36"
    )
    assignment = (
        "Medicare: does not always accept Medicare&#x27;s amount as full payment, and may charge "
        "up to 109.25% of it"
    )
    page = client.get(f"/providers/{chiropractor.id}/").content.decode()
    results = client.get("/", {"near": "10036"}).content.decode()
    for html in (page, results):
        assert words in html
        assert assignment in html
    assert "<td>Not covered by Medicare</td>" in page


def test_a_participating_provider_is_said_to_accept_medicares_amount(client, chiropractor):
    participation(chiropractor, MedicareAssignment.PARTICIPATING)
    page = client.get(f"/providers/{chiropractor.id}/").content.decode()
    assert "Medicare: accepts Medicare&#x27;s amount as full payment" in page
    assert "Medicare pays about $31.45 here (2026; that includes your 20% share)</td>" in page


def test_a_curators_change_to_a_national_amount_shows_on_the_next_page(client, reference_data):
    location = PracticeLocationFactory(zip_code="78701", provider__first_name="Ann")
    ProviderPriceFactory(
        provider=location.provider,
        procedure=Procedure.objects.get(code="98940"),
        cash_price=Decimal("40.00"),
    )

    def medicare_98940() -> dict:
        detail = client.get(f"/api/v1/providers/{location.provider.id}/").json()
        return next(price for price in detail["prices"] if price["code"] == "98940")["medicare"]

    assert medicare_98940()["source"] == "national"
    national = MedicareNationalAmount.objects.filter(code="98940").latest("year")
    national.non_facility_amount = Decimal("99.99")
    national.save()

    assert medicare_98940() == {
        "amount": "99.99",
        "locality": None,
        "year": national.year,
        "source": "national",
    }


@pytest.fixture
def two_localities(chiropractor):
    """The Manhattan chiropractor with a second office in Ithaca (rest of New York, whose
    locality no curator has named) and a third in Van Horn, TX (a locality whose fee schedule
    was not imported)."""
    ithaca = PracticeLocationFactory(
        provider=chiropractor, zip_code="14850", city="Ithaca", state="NY", address_line1="2 Main"
    )
    van_horn = PracticeLocationFactory(
        provider=chiropractor, zip_code="79855", city="Van Horn", state="TX", address_line1="3 Elm"
    )
    return chiropractor, ithaca, van_horn


def test_the_detail_gives_each_location_its_own_medicare_amount(client, two_localities):
    chiropractor, ithaca, van_horn = two_localities
    detail = client.get(f"/api/v1/providers/{chiropractor.id}/").json()

    by_location = {loc["id"]: loc["medicare_amounts"] for loc in detail["locations"]}
    manhattan = chiropractor.locations.order_by("id").first()
    assert by_location == {
        manhattan.id: [{"code": "98940", **MANHATTAN_98940}],
        ithaca.id: [
            {"code": "98940", "amount": "26.18", "locality": "locality 13202-99 (NY)",
             "year": 2026, "source": "locality"},
        ],
        van_horn.id: [
            {"code": "98940", "amount": "26.72", "locality": None, "year": 2026,
             "source": "national"},
        ],
    }  # fmt: skip
    # The prices' own `medicare` stays the first location's, as in search results.
    assert [p["medicare"] for p in detail["prices"]] == [MANHATTAN_98940, None]


def test_the_provider_page_says_each_locations_medicare_amount(client, two_localities):
    chiropractor, _ithaca, _van_horn = two_localities
    html = client.get(f"/providers/{chiropractor.id}/").content.decode()

    assert (
        "<li>98940: Medicare pays about $31.45 here (Medicare amount for Manhattan, NY, 2026)</li>"
    ) in html
    assert (
        "<li>98940: Medicare pays about $26.18 here (Medicare amount for locality 13202-99 (NY), "
        "2026)</li>"
    ) in html
    assert (
        "<li>98940: Medicare pays about $26.72 nationally (Medicare&#x27;s national amount, "
        "2026: this address&#x27;s locality is not known)</li>"
    ) in html
    # The prices table no longer gives one location's amount as the provider's.
    assert "<td>Varies by location: see each location above</td>" in html


def test_a_provider_whose_locations_share_a_locality_shows_the_amount_beside_the_price(
    client, chiropractor
):
    PracticeLocationFactory(provider=chiropractor, zip_code="10001", address_line1="5 W 31st St")
    html = client.get(f"/providers/{chiropractor.id}/").content.decode()
    assert "<td>Medicare pays about $31.45 here (2026; that includes your 20% share)</td>" in html
    assert "Varies by location" not in html
    assert "Medicare amount for Manhattan" not in html  # the table says it once for both
