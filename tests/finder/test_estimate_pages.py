"""The /estimate/ page and its printable Good Faith Estimate."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import escape

from finder.estimate import DISCLAIMER, GOOD_FAITH_ESTIMATE_DISCLAIMERS
from providers.models import (
    InsurancePlan,
    MedicareAssignment,
    MedicareParticipation,
    Procedure,
    Profession,
    Provider,
    ProviderPrice,
    VerificationStatus,
)
from providers.reference import load_reference_data
from tests.factories import PracticeLocationFactory, ProviderFactory, ProviderPriceFactory

ESTIMATE_URL = reverse("finder:estimate")
GFE_URL = reverse("finder:good-faith")


@pytest.fixture
def reference(db):
    load_reference_data()


@pytest.fixture
def chiropractor(reference) -> Provider:
    """Jane Doe, DC, at 100 Congress Ave, Austin: $40 for 98940; accepts Aetna PPO."""
    provider = PracticeLocationFactory(
        provider__first_name="Jane", provider__last_name="Doe", provider__tin="12-3456789"
    ).provider
    ProviderPriceFactory(
        provider=provider, procedure=Procedure.objects.get(code="98940"), cash_price=Decimal("40")
    )
    provider.insurance_plans.add(InsurancePlan.objects.get(slug="aetna-ppo"))
    return provider


def query(provider: Provider | None = None, /, **params: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"code": "98940", "qty_98940": "1", "visits": "1"}
    if provider is not None:
        base["provider"] = provider.pk
    return base | {"coverage_type": "self_pay"} | params


def gfe_post(provider: Provider | None, /, **fields: Any) -> dict[str, Any]:
    data = {
        "patient_name": "Ann Example",
        "date_of_birth": "1980-03-04",
        "procedures": "98940:1 98943:2",
        "visits": "3",
    }
    if provider is not None:
        data["provider"] = provider.pk
    return data | fields


def test_without_a_provider_it_offers_typical_prices_and_search(client, reference):
    response = client.get(ESTIMATE_URL)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "No provider chosen: typical prices are used." in html
    assert '<a href="/">Choose a provider from search</a>' in html
    assert 'name="code" value="98940" id="id_code_0" checked' in html
    assert "$30.00\u2013$50.00" in html
    assert "Your estimate" not in html  # not submitted yet


def test_it_preselects_a_provider_and_shows_its_prices(client, chiropractor):
    response = client.get(ESTIMATE_URL, {"provider": chiropractor.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Jane Doe, DC" in html
    assert f'<input type="hidden" name="provider" value="{chiropractor.pk}"' in html
    assert '$40.00 <span class="meta">(this provider\'s price)</span>' in html
    assert "Your estimate" not in html


def test_a_physical_therapist_gets_pt_codes_with_manual_therapy_ticked(client, reference):
    therapist = ProviderFactory(profession=Profession.PHYSICAL_THERAPIST, credential="DPT")
    html = client.get(ESTIMATE_URL, {"provider": therapist.pk}).content.decode()
    assert 'name="code" value="97140" id="id_code_0" checked' in html
    assert 'value="98940"' not in html


def test_an_unknown_provider_in_the_link_is_a_404_that_offers_typical_prices(client, reference):
    response = client.get(ESTIMATE_URL, {"provider": "987654"})
    html = response.content.decode()

    assert response.status_code == 404
    assert "<h2>Provider not found</h2>" in html
    assert "The form below shows typical prices." in html
    assert 'name="code" value="98940"' in html  # the form is there, with typical procedures


def test_every_coverage_field_has_a_linked_plain_language_explanation(client, reference):
    html = client.get(ESTIMATE_URL).content.decode()
    for name in (
        "deductible",
        "deductible_met",
        "coinsurance_percent",
        "copay",
        "out_of_pocket_max_remaining",
        "covered_visits_remaining",
        "out_of_network_deductible_remaining",
        "out_of_network_coinsurance_percent",
        "plan",
        "visits",
    ):
        assert f'aria-describedby="id_{name}_helptext"' in html
        assert f'<p class="help" id="id_{name}_helptext">' in html
    assert 'aria-describedby="id_deductible_applies_helptext"' in html
    assert 'aria-describedby="id_coverage_type_helptext"' in html
    assert "before your plan starts sharing costs" in html
    assert "Once you reach it, the plan pays covered costs in full" in html


def test_a_submitted_form_shows_an_itemized_table_and_totals(client, chiropractor):
    response = client.get(
        ESTIMATE_URL,
        query(
            chiropractor,
            visits="6",
            coverage_type="insurance",
            plan="aetna-ppo",
            deductible="1500",
            deductible_met="1400",  # $100 left
            coinsurance_percent="20",
            deductible_applies="yes",
            out_of_pocket_max_remaining="1000",
        ),
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.total_billed, result.total_patient_pays, result.total_plan_pays) == (
        Decimal("240.00"),
        Decimal("128.00"),
        Decimal("112.00"),
    )
    html = response.content.decode()
    assert "<div><dt>You pay</dt><dd>$128.00</dd></div>" in html
    assert "<div><dt>Your plan pays</dt><dd>$112.00</dd></div>" in html
    assert '<tr><th scope="row">3</th><td class="amount">$40.00</td>' in html
    assert '<td class="amount">$24.00</td><td class="amount">$16.00</td></tr>' in html
    assert '<tr><th scope="row">6</th>' in html
    assert '<th scope="row">Total</th><td class="amount">$240.00</td>' in html
    assert escape("This provider's listing says it accepts Aetna PPO") in html
    assert escape(str(DISCLAIMER)) in html
    assert 'id="gfe-heading"' not in html  # a Good Faith Estimate is for self-pay only


def test_typical_prices_show_the_range(client, reference):
    response = client.get(ESTIMATE_URL, query(visits="2"))
    html = response.content.decode()
    assert "<strong>$60.00</strong> to\n    <strong>$100.00</strong>" in html
    assert "<div><dt>You pay</dt><dd>$80.00</dd></div>" in html
    assert "Typical price ($30.00\u2013$50.00)" in html


def test_medicare_explains_a_non_participating_providers_limiting_charge(client, chiropractor):
    MedicareParticipation.objects.create(
        provider=chiropractor,
        assignment=MedicareAssignment.NON_PARTICIPATING,
        source=MedicareParticipation.Source.MEDICARE_FILE,
        as_of=date(2026, 11, 1),
    )
    response = client.get(
        # Medicare's own Part B deductible ($283 in 2026), all of it met.
        ESTIMATE_URL,
        query(chiropractor, coverage_type="medicare", deductible_met="283"),
    )
    html = response.content.decode()
    # National 98940 $26.72: 95% approved $25.38, 20% = $5.08; limiting charge $29.19 adds $3.81.
    assert "<div><dt>You pay</dt><dd>$5.08</dd></div>" in html
    assert (
        "Your share could range from\n    <strong>$5.08</strong> to\n    <strong>$8.89</strong>: "
        "the low end if the provider accepts Medicare&#x27;s approved amount as full payment, the "
        "high end if it charges up to Medicare&#x27;s limiting charge (109.25% of Medicare&#x27;s "
        "amount)."
    ) in html
    assert (
        escape(
            "the provider may charge you up to the limiting charge, 109.25% of that usual amount"
        )
        in html
    )


def test_bad_input_is_shown_next_to_the_fields_and_in_a_summary(client, chiropractor):
    response = client.get(
        ESTIMATE_URL,
        query(
            chiropractor,
            visits="0",
            qty_98940="11",
            coverage_type="insurance",
            deductible="abc",
            coinsurance_percent="101",
        ),
    )
    assert response.status_code == 400
    assert response.context["result"] is None
    html = response.content.decode()
    assert 'role="alert"' in html
    for field, message in (
        ("visits", "Ensure this value is greater than or equal to 1."),
        ("qty_98940", "Ensure this value is less than or equal to 10."),
        ("deductible", "Enter a number."),
        ("coinsurance_percent", "Ensure this value is less than or equal to 100."),
    ):
        assert f'<p class="error" id="id_{field}_error">{message}</p>' in html
        assert f'<a href="#id_{field}">' in html
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"provider": "abc"}, "Enter a whole number."),
        ({"provider": "987654"}, "No provider with id 987654."),
        ({"provider": str(2**70)}, f"No provider with id {2**70}."),
        ({"code": "99999"}, "Unknown procedure code &#x27;99999&#x27;."),
        ({"code": "98925"}, "Code 98925 is not offered by chiropractors or physical therapists."),
        ({"qty_98940": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"qty_98940": "x"}, "Enter a whole number."),
        ({"visits": "61"}, "Ensure this value is less than or equal to 60."),
        ({"coverage_type": "x"}, "Select a valid choice. x is not one of the available choices."),
        ({"coverage_type": ""}, "This field is required."),
        ({"plan": "nope"}, "Select a valid choice."),
        ({"copay": "-1"}, "Ensure this value is greater than or equal to 0."),
        ({"copay": "1.005"}, "Ensure that there are no more than 2 decimal places."),
        ({"coinsurance_percent": "NaN"}, "Enter a number."),
        ({"covered_visits_remaining": "-1"}, "Ensure this value is greater than or equal to 0."),
    ],
)
def test_bad_input_never_errors_the_page(client, reference, params, message):
    response = client.get(ESTIMATE_URL, query(**params))
    assert response.status_code == 400
    assert response.context["result"] is None
    assert message in response.content.decode()


def test_a_code_the_profession_does_not_offer_is_refused(client, reference):
    therapist = ProviderFactory(profession=Profession.PHYSICAL_THERAPIST, credential="DPT")
    response = client.get(ESTIMATE_URL, query(therapist, code="98940"))
    assert response.context["result"] is None
    assert "Code 98940 is not offered by physical therapists." in response.content.decode()


def test_self_pay_with_a_provider_offers_a_good_faith_estimate_by_post(client, chiropractor):
    html = client.get(ESTIMATE_URL, query(chiropractor, visits="3")).content.decode()
    assert f'<form method="post" action="{GFE_URL}" novalidate>' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="procedures" value="98940:1"' in html
    assert 'name="patient_name"' in html
    assert 'name="date_of_birth"' in html


def test_self_pay_without_a_provider_points_to_search_for_a_good_faith_estimate(client, reference):
    html = client.get(ESTIMATE_URL, query()).content.decode()
    assert GFE_URL not in html
    assert "to print a cost estimate with their name, NPI and prices to take to them." in html


def test_the_good_faith_estimate_prints_every_required_element(client, chiropractor):
    response = client.post(GFE_URL, gfe_post(chiropractor, scheduled_date="2026-12-14"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    issued = dateformat.format(timezone.localdate(), "F j, Y")
    for element in (
        "<dt>Patient name</dt><dd>Ann Example</dd>",
        "<dt>Date of birth</dt><dd>March 4, 1980</dd>",
        f"<dt>Date issued</dt><dd>{issued}</dd>",
        "<dt>Scheduled date of service</dt><dd>December 14, 2026</dd>",
        "<dt>Provider name</dt><dd>Jane Doe, DC</dd>",
        f"<dt>NPI</dt><dd>{chiropractor.npi}</dd>",
        "<dt>TIN</dt><dd>12-3456789</dd>",
        "100 Congress Ave, Austin, TX 78701",
        "<dt>State</dt><dd>Texas</dd>",
        "45 CFR 149.610",
        '<h1 id="gfe-title">Self-pay cost estimate to take to your provider</h1>',
        f"<strong>This is not {chiropractor.display_name}'s Good Faith Estimate.</strong>",
        "the provider has not confirmed it.",
        "within 1 business day of scheduling a service 3 or more business days ahead",
        "within 3 business days of your asking (asking about cost counts)",
        "Keep a copy of the Good Faith Estimate the provider gives you",
        "Expected charge for 3 visits",
        # code, label, units, unit price, per visit, for the course
        "<tr><td>98940</td><td>Spinal manipulation, 1-2 regions</td>\n"
        '      <td class="amount">1</td><td class="amount">$40.00</td>\n'
        '      <td class="amount">$40.00</td><td class="amount">$120.00</td></tr>',
        "<tr><td>98943</td><td>Extremity manipulation (outside the spine), 1 or more regions",
        '<td class="amount">2</td><td class="amount">$40.00</td>\n'
        '      <td class="amount">$80.00</td><td class="amount">$240.00</td></tr>',
        '<td class="amount">$120.00</td>\n        <td class="amount gfe-total">$360.00</td>',
        "typical price: the provider has not published one",
        "$400",
        "120 calendar days",
        "not a contract",
        '<button type="button" class="no-print" data-print>',
    ):
        assert element in html, element
    for disclaimer in GOOD_FAITH_ESTIMATE_DISCLAIMERS:
        assert escape(str(disclaimer)) in html


def test_the_good_faith_estimate_says_when_the_tin_is_not_on_file(client, chiropractor):
    chiropractor.tin = ""
    chiropractor.save()
    html = client.post(GFE_URL, gfe_post(chiropractor)).content.decode()
    assert "<dt>TIN</dt><dd>TIN not on file</dd>" in html
    assert "Not yet scheduled" in html


@pytest.mark.parametrize("provider_id", [None, "987654", "suspended"])
def test_a_good_faith_estimate_needs_a_listed_provider(client, reference, provider_id):
    fields = {}
    if provider_id == "suspended":
        fields["provider"] = ProviderFactory(verification_status=VerificationStatus.SUSPENDED).pk
    elif provider_id:
        fields["provider"] = provider_id
    response = client.post(GFE_URL, gfe_post(None, **fields))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "The printed estimate names its provider: choose one from search" in html
    assert "Ann Example" not in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"patient_name": ""}, "This field is required."),
        ({"date_of_birth": "2999-01-01"}, "Enter a date of birth between 1900 and today."),
        ({"date_of_birth": "yesterday"}, "Enter a valid date."),
    ],
)
def test_bad_patient_details_reshow_the_form(client, chiropractor, fields, message):
    response = client.post(GFE_URL, gfe_post(chiropractor, **fields))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'name="patient_name"' in html
    assert f'name="provider" value="{chiropractor.pk}"' in html


@pytest.mark.parametrize(
    ("procedures", "message"),
    [
        ("98940:0", "Invalid procedure line &#x27;98940:0&#x27;."),
        ("98940:x", "Invalid procedure line &#x27;98940:x&#x27;."),
        ("99999:1", "Unknown procedure code &#x27;99999&#x27;."),
        ("97530:1", None),  # offered by chiropractors too: fine
    ],
)
def test_tampered_procedure_lines_are_refused(client, chiropractor, procedures, message):
    response = client.post(GFE_URL, gfe_post(chiropractor, procedures=procedures))
    if message is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 400
        assert message in response.content.decode()


def test_get_on_the_good_faith_estimate_goes_back_to_the_estimate(client, reference):
    response = client.get(GFE_URL)
    assert response.status_code == 302
    assert response["Location"] == ESTIMATE_URL


def test_the_good_faith_estimate_is_protected_by_csrf(reference, chiropractor):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(GFE_URL, gfe_post(chiropractor)).status_code == 403
    page = browser.get(ESTIMATE_URL, query(chiropractor))
    token = page.context["csrf_token"]
    response = browser.post(GFE_URL, gfe_post(chiropractor, csrfmiddlewaretoken=str(token)))
    assert response.status_code == 200


def test_estimates_store_nothing_and_log_no_patient_details(client, chiropractor, caplog):
    tables = (Provider, ProviderPrice, InsurancePlan, Session)
    before = [model.objects.count() for model in tables]
    with caplog.at_level("DEBUG"):
        page = client.get(ESTIMATE_URL, query(chiropractor, visits="2"))
        printed = client.post(GFE_URL, gfe_post(chiropractor))
        refused = client.post(GFE_URL, gfe_post(None))
    assert [model.objects.count() for model in tables] == before
    for response in (page, printed, refused):
        assert "no-store" in response["Cache-Control"]
    assert "Ann Example" not in caplog.text
    assert "1980" not in caplog.text


def test_a_copay_before_the_deductible_is_read_from_the_radio_buttons(client, chiropractor):
    response = client.get(
        ESTIMATE_URL,
        query(
            chiropractor,
            visits="2",
            coverage_type="insurance",
            plan="aetna-ppo",
            deductible_remaining="500",  # as links made before the form asked for two figures
            copay="25",
            deductible_applies="no",
            out_of_pocket_max_remaining="1000",
        ),
    )
    result = response.context["result"]
    assert [visit.copay for visit in result.visits] == [Decimal("25.00"), Decimal("25.00")]
    assert (result.total_patient_pays, result.total_plan_pays) == (Decimal("50"), Decimal("30"))


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"deductible": "500", "deductible_met": "600"}, "deductible_met",
         "Cannot be more than the deductible: enter only what you paid toward it."),
        ({"deductible_met": "100"}, "deductible",
         "Enter your yearly deductible to work out what is left."),
    ],
)  # fmt: skip
def test_what_was_paid_toward_the_deductible_must_fit_inside_it(
    client, chiropractor, params, field, message
):
    response = client.get(ESTIMATE_URL, query(chiropractor, coverage_type="insurance", **params))
    assert response.status_code == 400
    assert (
        f'<p class="error" id="id_{field}_error">{escape(message)}</p>' in response.content.decode()
    )


@pytest.mark.parametrize(
    ("params", "left"),
    [
        ({"coverage_type": "insurance", "deductible": "1000", "deductible_met": "250"}, "750.00"),
        ({"coverage_type": "insurance", "deductible": "1000"}, "1000.00"),
        ({"coverage_type": "medicare", "deductible_met": "100"}, "183.00"),  # $283 Part B
        ({"coverage_type": "medicare", "deductible": "283", "deductible_met": "283"}, "0.00"),
    ],
)
def test_the_deductible_left_is_worked_out_from_the_deductible_and_what_was_paid(
    client, chiropractor, params, left
):
    response = client.get(ESTIMATE_URL, query(chiropractor, **params))
    assert response.status_code == 200
    coverage = response.context["form"].cleaned_data["coverage"]
    assert coverage.deductible_remaining == Decimal(left)


def test_a_self_pay_estimate_says_what_you_pay_and_nothing_about_coverage(client, chiropractor):
    html = client.get(ESTIMATE_URL, query(chiropractor, visits="2")).content.decode()
    result = html[html.index('<section class="estimate-result"') : html.index("</section>")]
    assert '<th scope="col" class="amount">You pay</th>' in result
    assert "Not covered" not in result
    assert "Your plan pays" not in result
    assert "Plan pays" not in result


def test_the_estimate_comes_first_with_the_form_folded_under_change_the_details(
    client, chiropractor
):
    html = client.get(ESTIMATE_URL, query(chiropractor, visits="2")).content.decode()
    assert html.index('id="result-heading"') < html.index('<details class="change-details">')
    assert html.index('<details class="change-details">') < html.index('id="estimate-form"')
    assert 'action="/estimate/#result-heading"' in html
    # Before a submit there is no result: the form is the page, not folded.
    blank = client.get(ESTIMATE_URL, {"provider": chiropractor.pk}).content.decode()
    assert "change-details" not in blank


def test_benefit_fields_say_which_ways_of_paying_use_them(client, reference):
    html = client.get(ESTIMATE_URL).content.decode()
    assert '<fieldset class="benefits">' in html  # hidden by CSS when self-pay is chosen
    assert html.count('data-coverage="insurance medicare"') == 4
    assert html.count('data-coverage="insurance"') == 6
