"""Medicare estimates from imported fee schedule files: hand-worked tables, to the cent."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from finder import costs
from finder.costs import CoverageTerms, RequestedProcedure
from finder.estimate import DISCLAIMER, PriceRange, VisitCost
from finder.medicare_amounts import medicare_amounts_by_zip
from providers import freshness
from providers.medicare_fees import import_fee_files
from providers.models import (
    MedicareAssignment,
    MedicareFee,
    MedicareLocality,
    MedicareParticipation,
    Procedure,
    Profession,
)
from tests.factories import PracticeLocationFactory, ProviderPriceFactory

D = Decimal
FILES = Path(__file__).parent.parent / "providers" / "medicare_files"
PT_VISIT = [RequestedProcedure("97140", 2), RequestedProcedure("97110", 1)]
DEDUCTIBLE_150 = CoverageTerms(type="medicare", deductible_remaining=D("150.00"))


@pytest.fixture
def fee_schedule(reference_data):
    import_fee_files(FILES / "PFALL26A.TXT", FILES / "ZIP5_JAN2026.txt")
    MedicareLocality.objects.filter(carrier="13202", locality="01").update(name="Manhattan, NY")


def provider_at(zip_code: str, city: str, profession: str, prices: dict[str, str], assignment):
    location = PracticeLocationFactory(
        zip_code=zip_code,
        city=city,
        state="NY",
        provider__profession=profession,
        provider__first_name="Pat",
        provider__last_name="Lee",
        provider__credential="DPT" if profession == Profession.PHYSICAL_THERAPIST else "DC",
    )
    for code, price in prices.items():
        ProviderPriceFactory(
            provider=location.provider,
            procedure=Procedure.objects.get(code=code),
            cash_price=D(price),
        )
    MedicareParticipation.objects.create(
        provider=location.provider,
        assignment=assignment,
        source=MedicareParticipation.Source.MEDICARE_FILE,
        as_of=date(2026, 11, 1),
    )
    return location.provider


def pt_at(zip_code: str, city: str):
    return provider_at(
        zip_code,
        city,
        Profession.PHYSICAL_THERAPIST,
        {"97140": "60.00", "97110": "55.00"},
        MedicareAssignment.PARTICIPATING,
    )


def visit(number, billed, allowed, deductible, coinsurance, not_covered, patient, plan):
    return VisitCost(
        number=number,
        billed=D(billed),
        allowed=D(allowed),
        deductible=D(deductible),
        copay=D("0.00"),
        coinsurance=D(coinsurance),
        not_covered=D(not_covered),
        patient_pays=D(patient),
        plan_pays=D(plan),
    )


def test_a_participating_pt_in_manhattan(fee_schedule):
    # Manhattan 2026: 97110 $34.15 is the highest therapy unit, paid in full; each 97140 unit
    # at its reduced $26.40 (not $32.86): $34.15 + 2 x $26.40 = $86.95 approved a visit.
    result = costs.estimate_visits(
        provider=pt_at("10036", "New York"), procedures=PT_VISIT, visits=2, coverage=DEDUCTIBLE_150
    )
    #                 billed    allowed  deductible coins  not cov. patient  plan
    assert result.visits == [
        visit(1, "175.00", "86.95", "86.95", "0.00", "0.00", "86.95", "0.00"),
        # $150 - $86.95 = $63.05 of deductible left; 20% of $23.90 = $4.78.
        visit(2, "175.00", "86.95", "63.05", "4.78", "0.00", "67.83", "19.12"),
    ]
    assert (result.total_patient_pays, result.total_plan_pays, result.range) == (
        D("154.78"),
        D("19.12"),
        None,
    )
    assert [(ln.code, ln.allowed_amount, ln.allowed_source) for ln in result.lines] == [
        ("97140", D("32.86"), "medicare_locality"),
        ("97110", D("34.15"), "medicare_locality"),
    ]
    assert result.assumptions[:3] == [
        "Medicare-approved amounts at New York, NY 10036: Medicare amount for Manhattan, NY, 2026.",
        "Medicare Part B: you pay 20% of the Medicare-approved amount after the yearly Part B "
        "deductible ($283.00 in 2026).",
        "This provider accepts Medicare assignment: it takes Medicare's approved amount as full "
        "payment, so for covered services you owe only the deductible and 20%.",
    ]


def test_the_same_pt_visits_in_another_locality_cost_less(fee_schedule):
    # Rest of New York 2026: 97110 $28.71 in full, 97140 at $22.02: $72.75 a visit, all of it
    # deductible at both visits ($150 - $72.75 = $77.25 left before the second).
    result = costs.estimate_visits(
        provider=pt_at("14850", "Ithaca"), procedures=PT_VISIT, visits=2, coverage=DEDUCTIBLE_150
    )
    assert result.visits == [
        visit(1, "175.00", "72.75", "72.75", "0.00", "0.00", "72.75", "0.00"),
        visit(2, "175.00", "72.75", "72.75", "0.00", "0.00", "72.75", "0.00"),
    ]
    assert result.total_patient_pays == D("145.50")
    assert result.assumptions[0] == (
        "Medicare-approved amounts at Ithaca, NY 14850: Medicare amount for locality 13202-99 "
        "(NY), 2026."
    )


def test_a_non_participating_chiropractor_in_manhattan(fee_schedule):
    chiropractor = provider_at(
        "10001",  # split by ZIP+4: its ZIP5 record's locality, Manhattan
        "New York",
        Profession.CHIROPRACTOR,
        {"98941": "65.00", "98943": "35.00"},
        MedicareAssignment.NON_PARTICIPATING,
    )
    result = costs.estimate_visits(
        provider=chiropractor,
        procedures=[RequestedProcedure("98941"), RequestedProcedure("98943")],
        visits=2,
        coverage=DEDUCTIBLE_150,
    )
    # 98941 Manhattan $45.21: 95% approved = $42.95; limiting charge 109.25% = $49.39, so up
    # to $6.44 a visit more. 98943 is not covered: the provider's $35.
    assert result.visits == [
        visit(1, "100.00", "42.95", "42.95", "0.00", "35.00", "77.95", "0.00"),
        visit(2, "100.00", "42.95", "42.95", "0.00", "35.00", "77.95", "0.00"),
    ]
    assert result.total_patient_pays == D("155.90")
    assert result.range == PriceRange(D("155.90"), D("168.78"))
    assert [(ln.code, ln.allowed_amount, ln.allowed_source) for ln in result.lines] == [
        ("98941", D("42.95"), "medicare_locality"),
        ("98943", None, None),
    ]
    assert result.assumptions[:2] == [
        "Medicare-approved amounts at New York, NY 10001: Medicare amount for Manhattan, NY, 2026.",
        "ZIP code 10001 is split between Medicare localities by ZIP+4; the locality of its "
        "5-digit record was used.",
    ]
    assert (
        "This provider does not accept Medicare assignment as a rule (non-participating): "
        "Medicare approves 95% of its usual amount, and the provider may charge you up to the "
        "limiting charge, 109.25% of that usual amount. The total assumes the provider accepts "
        "Medicare's approved amount on your claim; the high end of the range assumes it charges "
        "the limiting charge, up to $12.88 more over these visits, which Medicare does not repay."
    ) in result.assumptions


def test_a_locality_without_imported_amounts_uses_the_national_amounts(fee_schedule):
    # 79855 maps to Texas's rest-of-state locality, whose amounts the file does not carry.
    location = PracticeLocationFactory(
        zip_code="79855", city="Van Horn", provider__profession=Profession.CHIROPRACTOR
    )
    result = costs.estimate_visits(
        provider=location.provider,
        procedures=[RequestedProcedure("98940")],
        visits=1,
        coverage=CoverageTerms(type="medicare", deductible_remaining=D("0")),
    )
    assert result.visits[0].allowed == D("26.72")
    assert result.lines[0].allowed_source == "medicare_national"
    assert result.assumptions[0] == (
        "Medicare-approved amounts at Van Horn, TX 79855: Medicare's national amount, 2026 (the "
        "Medicare locality of this address is not known)."
    )


def test_the_api_returns_the_pt_estimate_whole(client, fee_schedule):
    provider = pt_at("10036", "New York")
    response = client.post(
        reverse("api:estimate-create"),
        {
            "provider_id": provider.pk,
            "procedures": [{"code": "97140", "quantity": 2}, {"code": "97110"}],
            "visits": 2,
            "coverage": {"type": "medicare", "deductible_remaining": "150.00"},
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "currency": "USD",
        "provider": {"id": provider.pk, "name": "Pat Lee, DPT", "npi": provider.npi},
        "network": "medicare",
        "visits": [
            {
                "number": 1,
                "billed": "175.00",
                "allowed": "86.95",
                "deductible": "86.95",
                "copay": "0.00",
                "coinsurance": "0.00",
                "not_covered": "0.00",
                "patient_pays": "86.95",
                "plan_pays": "0.00",
            },
            {
                "number": 2,
                "billed": "175.00",
                "allowed": "86.95",
                "deductible": "63.05",
                "copay": "0.00",
                "coinsurance": "4.78",
                "not_covered": "0.00",
                "patient_pays": "67.83",
                "plan_pays": "19.12",
            },
        ],
        "total": {"billed": "350.00", "patient_pays": "154.78", "plan_pays": "19.12"},
        "range": None,
        "assumptions": [
            "Medicare-approved amounts at New York, NY 10036: Medicare amount for Manhattan, NY, "
            "2026.",
            "Medicare Part B: you pay 20% of the Medicare-approved amount after the yearly Part B "
            "deductible ($283.00 in 2026).",
            "This provider accepts Medicare assignment: it takes Medicare's approved amount as "
            "full payment, so for covered services you owe only the deductible and 20%.",
            "Medicare's multiple procedure payment reduction: at each visit the therapy unit with "
            "the highest amount is paid in full and each further therapy unit at its reduced "
            "amount.",
        ],
        "disclaimer": DISCLAIMER,
        "procedures": [
            {
                "code": "97140",
                "label": "Hands-on manual therapy (mobilization, manipulation, traction), per "
                "15 minutes",
                "quantity": 2,
                "unit_price": "60.00",
                "price_source": "provider",
                "allowed_amount": "32.86",
                "allowed_source": "medicare_locality",
                "allowed_as_of": None,
            },
            {
                "code": "97110",
                "label": "Therapeutic exercise, per 15 minutes",
                "quantity": 1,
                "unit_price": "55.00",
                "price_source": "provider",
                "allowed_amount": "34.15",
                "allowed_source": "medicare_locality",
                "allowed_as_of": None,
            },
        ],
    }


# --- Through HTTP: the same hand-worked figures from the API and the estimate page -----------


def post_estimate(client, provider, procedures, *, visits=2, **coverage):
    return client.post(
        reverse("api:estimate-create"),
        {
            "provider_id": provider.pk,
            "procedures": procedures,
            "visits": visits,
            "coverage": {"type": "medicare", "deductible_remaining": "150.00", **coverage},
        },
        content_type="application/json",
    )


def api_visit(number, billed, allowed, deductible, coinsurance, not_covered, patient, plan):
    return {
        "number": number, "billed": billed, "allowed": allowed, "deductible": deductible,
        "copay": "0.00", "coinsurance": coinsurance, "not_covered": not_covered,
        "patient_pays": patient, "plan_pays": plan,
    }  # fmt: skip


def non_participating_dc():
    return provider_at(
        "10001",
        "New York",
        Profession.CHIROPRACTOR,
        {"98941": "65.00", "98943": "35.00"},
        MedicareAssignment.NON_PARTICIPATING,
    )


DC_VISIT = [{"code": "98941"}, {"code": "98943"}]


def test_the_api_prices_a_non_participating_chiropractor_up_to_the_limiting_charge(
    client, fee_schedule
):
    body = post_estimate(client, non_participating_dc(), DC_VISIT).json()

    # 98941 in Manhattan $45.21: approved 95% = $42.95, all deductible ($150 left); the
    # limiting charge $49.39 may add $6.44 a visit. 98943 is not covered for a chiropractor:
    # its $35.00 is paid in full and counts toward nothing.
    assert body["visits"] == [
        api_visit(1, "100.00", "42.95", "42.95", "0.00", "35.00", "77.95", "0.00"),
        api_visit(2, "100.00", "42.95", "42.95", "0.00", "35.00", "77.95", "0.00"),
    ]
    assert body["total"] == {"billed": "200.00", "patient_pays": "155.90", "plan_pays": "0.00"}
    assert body["range"] == {"patient_pays_low": "155.90", "patient_pays_high": "168.78"}
    assert [
        (line["code"], line["allowed_amount"], line["allowed_source"])
        for line in body["procedures"]
    ] == [("98941", "42.95", "medicare_locality"), ("98943", None, None)]
    assert "Not covered by Medicare, so paid in full: 98943." in body["assumptions"]
    assert (
        "For chiropractors, Medicare covers only spinal manipulation (CPT 98940-98942) given as "
        "active treatment and billed with the AT modifier; maintenance care, exams, X-rays and "
        "98943 are not covered."
    ) in body["assumptions"]


def test_the_api_applies_coinsurance_once_the_deductible_is_met(client, fee_schedule):
    body = post_estimate(
        client, non_participating_dc(), DC_VISIT, visits=3, deductible_remaining="50.00"
    ).json()

    # Visit 1: $42.95 of the $50 deductible. Visit 2: the last $7.05, then 20% of $35.90 =
    # $7.18. Visit 3: 20% of $42.95 = $8.59 (half up from $8.590).
    assert body["visits"] == [
        api_visit(1, "100.00", "42.95", "42.95", "0.00", "35.00", "77.95", "0.00"),
        api_visit(2, "100.00", "42.95", "7.05", "7.18", "35.00", "49.23", "28.72"),
        api_visit(3, "100.00", "42.95", "0.00", "8.59", "35.00", "43.59", "34.36"),
    ]
    assert body["range"] == {"patient_pays_low": "170.77", "patient_pays_high": "190.09"}


def test_the_same_api_request_for_another_locality_gives_another_total(client, fee_schedule):
    pt_visit = [{"code": "97140", "quantity": 2}, {"code": "97110"}]
    manhattan = post_estimate(client, pt_at("10036", "New York"), pt_visit).json()
    ithaca = post_estimate(client, pt_at("14850", "Ithaca"), pt_visit).json()

    assert (manhattan["total"]["patient_pays"], ithaca["total"]["patient_pays"]) == (
        "154.78",
        "145.50",
    )
    assert [v["allowed"] for v in ithaca["visits"]] == ["72.75", "72.75"]
    assert [line["allowed_amount"] for line in ithaca["procedures"]] == ["27.46", "28.71"]


def test_unknown_assignment_ranges_from_the_participating_total_to_the_limiting_charge(
    client, fee_schedule
):
    location = PracticeLocationFactory(
        zip_code="10036", city="New York", state="NY", provider__profession="chiropractor"
    )
    ProviderPriceFactory(
        provider=location.provider, procedure=Procedure.objects.get(code="98940"),
        cash_price=D("45.00"),
    )  # fmt: skip

    body = post_estimate(
        client, location.provider, [{"code": "98940"}], visits=1, deductible_remaining="0"
    ).json()

    # Participating: 20% of Manhattan's $31.45 = $6.29. At worst non-participating: 20% of
    # the 95% ($29.88) = $5.98, plus the limiting charge's excess $34.36 - $29.88 = $4.48.
    assert body["total"]["patient_pays"] == "6.29"
    assert body["range"] == {"patient_pays_low": "6.29", "patient_pays_high": "10.46"}


def estimate_page(client, provider, codes: dict[str, int], *, visits=2, deductible="150.00"):
    params = {
        "provider": provider.pk, "code": list(codes), "visits": str(visits),
        "coverage_type": "medicare", "deductible_remaining": deductible,
        **{f"qty_{code}": str(quantity) for code, quantity in codes.items()},
    }  # fmt: skip
    response = client.get(reverse("finder:estimate"), params)
    assert response.status_code == 200
    return response.content.decode()


def page_row(number, billed, deductible, coinsurance, not_covered, patient, plan) -> str:
    cells = "".join(
        f'<td class="amount">${amount}</td>'
        for amount in (billed, deductible, "0.00", coinsurance, not_covered, patient, plan)
    )
    return f'<th scope="row">{number}</th>{cells}'


def test_the_estimate_page_shows_the_participating_pts_visits_to_the_cent(client, fee_schedule):
    html = estimate_page(client, pt_at("10036", "New York"), {"97140": 2, "97110": 1})
    flat = html.replace("\n      ", "")

    assert page_row(1, "175.00", "86.95", "0.00", "0.00", "86.95", "0.00") in flat
    assert page_row(2, "175.00", "63.05", "4.78", "0.00", "67.83", "19.12") in flat
    assert "<div><dt>You pay</dt><dd>$154.78</dd></div>" in html
    assert (
        '<td class="amount" data-label="Approved per unit">$32.86</td>'
        '<td data-label="Approved amount from">Medicare&#x27;s amount for this locality</td>'
    ) in html
    assert "Medicare amount for Manhattan, NY, 2026." in html


def test_the_estimate_page_explains_the_non_participating_chiropractors_limiting_charge(
    client, fee_schedule
):
    html = estimate_page(client, non_participating_dc(), {"98941": 1, "98943": 1})
    flat = html.replace("\n      ", "")

    assert page_row(1, "100.00", "42.95", "0.00", "35.00", "77.95", "0.00") in flat
    assert "<div><dt>You pay</dt><dd>$155.90</dd></div>" in html
    assert (
        "Your share could range from\n    <strong>$155.90</strong> to\n    "
        "<strong>$168.78</strong>: the low end if the provider accepts Medicare&#x27;s approved "
        "amount as full payment, the high end if it charges up to Medicare&#x27;s limiting "
        "charge (109.25% of Medicare&#x27;s amount)."
    ) in html
    assert "up to $12.88 more over these visits, which Medicare does not repay." in html
    assert (  # 98943
        '<td class="amount" data-label="Approved per unit">\u2013</td>'
        '<td data-label="Approved amount from">Not covered</td>'
    ) in html


def test_a_zip_codes_amounts_are_read_once_until_the_listings_change(
    fee_schedule, django_assert_num_queries
):
    first = medicare_amounts_by_zip(zip_codes={"10036", "14850"}, codes={"98940"})
    with django_assert_num_queries(0):
        again = medicare_amounts_by_zip(zip_codes={"10036"}, codes={"98940", "97140"})
    assert again["10036"]["98940"] == first["10036"]["98940"]
    assert again["10036"]["98940"].locality == "Manhattan, NY"
    assert set(again["10036"]) == {"98940", "97140"}  # the codes asked for, no fewer or more

    # A change to the fee schedule moves the listings generation: the amounts are read again.
    MedicareFee.objects.filter(locality__name="Manhattan, NY", code="98940").update(
        non_facility_amount=D("99.00")
    )
    freshness.bump_listings()
    assert medicare_amounts_by_zip(zip_codes={"10036"}, codes={"98940"})["10036"][
        "98940"
    ].amount == D("99.00")
