import json
import re
from decimal import Decimal

import pytest

from providers.models import Profession, Scope
from tests.factories import (
    InsurancePlanFactory,
    PracticeActFactory,
    PracticeLocationFactory,
    ProcedureFactory,
    ProviderPriceFactory,
)

pytestmark = pytest.mark.django_db


def test_search_page_without_a_query_shows_the_form(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<label for="near">ZIP code, city or address</label>' in body
    assert 'lang="en"' in body


def test_search_page_lists_nearby_providers(client, world):
    body = client.get("/", {"near": "78701"}).content.decode()
    assert "1 provider within 25 miles of Austin, TX 78701" in body
    assert world["in_range"].display_name in body
    assert world["outside"].display_name not in body
    assert world["suspended"].display_name not in body
    # The provider link carries the search, for the provider page's "Back to results".
    assert f'href="/providers/{world["in_range"].id}/?search=near%3D78701"' in body
    assert 'href="tel:512-555-0100"' in body
    assert "Services: Spinal thrust manipulation</p>" in body


def test_listings_name_the_plans_a_provider_accepts_rather_than_their_codes(client, world):
    provider = world["in_range"]
    provider.insurance_plans.add(
        InsurancePlanFactory(slug="zeta-hmo", name="Zeta Health HMO"),
        InsurancePlanFactory(slug="aetna-ppo", name="Aetna PPO"),
    )

    results = client.get("/", {"near": "78701"}).content.decode()
    page = client.get(f"/providers/{provider.id}/").content.decode()

    assert "<p>Insurance: Aetna PPO, Zeta Health HMO</p>" in results
    assert "<li>Aetna PPO</li><li>Zeta Health HMO</li>" in page
    assert "aetna-ppo" not in results.replace('value="aetna-ppo"', "")  # only the form's option
    api = client.get("/api/v1/providers/", {"near": "78701"}).json()
    assert api["results"][0]["insurance_plans"] == ["aetna-ppo", "zeta-hmo"]  # partners: slugs


@pytest.mark.parametrize(
    ("query", "folded"),
    [({"near": "78701"}, True), ({"near": "78701", "profession": "chiropractor"}, True),
     ({"near": "78701", "service": "", "insurance": " ", "max_price": ""}, True),
     ({"near": "78701", "insurance": "aetna-ppo"}, False),
     ({"near": "78701", "ordering": "price"}, False),
     ({"near": "78701", "accepting_new_patients": "true"}, False),
     ({"near": "78701", "max_price": "abc"}, False)],
)  # fmt: skip
def test_the_less_used_filters_stay_folded_until_one_is_in_use(client, world, query, folded):
    body = client.get("/", query).content.decode()
    assert ('<details class="more-filters">' in body) is folded
    assert ('<details class="more-filters" open>' in body) is not folded


def test_a_city_several_states_share_offers_a_link_per_state_keeping_the_filters(client, world):
    response = client.get("/", {"near": "Austin", "profession": "chiropractor", "page": "2"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Several US places are named &#x27;Austin&#x27;. Add the state" in body
    links = re.findall(r'<ul class="place-choices">(.*?)</ul>', body)[0]
    assert links.startswith(
        '<li><a href="?near=Austin%2C+TX&amp;profession=chiropractor">Austin, TX</a></li>'
    )
    assert links.count("<li>") == 6  # the largest six of more

    followed = client.get("/", {"near": "Austin, TX", "profession": "chiropractor"})
    assert "within 25 miles of Austin, TX" in followed.content.decode()


def test_a_misspelt_city_offers_a_link_to_the_city_spelled_like_it(client, world):
    body = client.get("/", {"near": "Austn, TX"}).content.decode()
    assert "Did you mean &#x27;Austin, TX&#x27;?" in body
    assert '<li><a href="?near=Austin%2C+TX">Austin, TX</a></li>' in body


def test_a_state_offers_links_to_its_largest_cities(client, world):
    body = client.get("/", {"near": "Texas"}).content.decode()
    assert "&#x27;Texas&#x27; is too large an area to search." in body
    assert '<li><a href="?near=Houston%2C+TX">Houston, TX</a></li>' in body


def test_an_unknown_place_offers_no_links(client, db):
    response = client.get("/", {"near": "xyz"})

    assert response.status_code == 400
    # The whole alert: the message, and no "Search near:" list of places after it.
    assert alerts(response.content.decode()) == [
        '<p>Please check your search:</p> <ul class="errorlist">'
        "<li>Could not find a US location for &#x27;xyz&#x27;.</li></ul>"
    ]


def alerts(body: str) -> list[str]:
    """The page's alert boxes, their markup with runs of white space as one space."""
    found = re.findall(r'<div class="error" role="alert">(.*?)</div>', body, flags=re.S)
    return [re.sub(r"\s+", " ", alert).strip() for alert in found]


def test_search_page_explains_an_empty_result(client, db):
    body = client.get("/", {"near": "99501"}).content.decode()
    assert "No providers match. Try a larger distance" in body


def test_search_page_shows_field_errors_with_a_400(client, db):
    response = client.get("/", {"near": "xyz"})
    assert response.status_code == 400
    assert "Could not find a US location for &#x27;xyz&#x27;." in response.content.decode()


def test_provider_page_shows_details_and_escapes_markup(client, db):
    location = PracticeLocationFactory(provider__first_name="<script>alert(1)</script>")
    body = client.get(f"/providers/{location.provider.id}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)</script>" not in body
    assert "100 Congress Ave, Austin, TX 78701" in body


def test_provider_page_is_404_for_suspended(client, world):
    assert client.get(f"/providers/{world['suspended'].id}/").status_code == 404


def test_a_search_from_my_location_is_headed_in_words(client, world):
    body = client.get("/", {"lat": "30.2651", "lng": "-97.7441"}).content.decode()
    assert "1 provider within 25 miles of your location" in body


def test_a_search_sent_without_a_place_asks_for_one(client, world):
    # The form as sent when Search is pressed with the place left blank.
    response = client.get("/", {"near": "", "radius_miles": "25", "profession": "chiropractor"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "<li>Enter a ZIP code, city or address, or use your location.</li>" in body
    assert 'id="results-heading"' not in body
    assert world["in_range"].display_name not in body
    assert '<option value="chiropractor" selected>' in body  # the form keeps its choices


def test_a_search_page_link_with_only_its_own_parameters_shows_the_form(client, world):
    response = client.get("/", {"utm_source": "newsletter"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a ZIP code, city or address to see providers nearest you." in body
    assert 'class="errorlist"' not in body


def test_the_search_page_filters_by_language_telehealth_and_entrance(client, db):
    spanish = PracticeLocationFactory(
        provider__first_name="Ana", provider__languages=["en", "es"],
        provider__offers_telehealth=True, wheelchair_accessible=True, evening_hours=True,
    )  # fmt: skip
    PracticeLocationFactory(provider__first_name="Bo", provider__languages=["en"])
    body = client.get(
        "/", {"near": "78701", "language": "es", "telehealth": "true", "accessible": "true"}
    ).content.decode()
    assert "1 provider within 25 miles" in body
    assert spanish.provider.display_name in body
    assert "<p>Languages: English, Spanish · Offers telehealth visits</p>" in body
    assert "<p>Wheelchair-accessible entrance · Evening hours</p>" in body
    assert '<option value="es" selected>Spanish</option>' in body
    assert '<details class="more-filters" open>' in body
    page = client.get(f"/providers/{spanish.provider.id}/").content.decode()
    assert "Languages spoken: English, Spanish" in page
    assert "Offers telehealth visits." in page


def test_the_search_page_refuses_an_unknown_language_with_a_400(client, db):
    response = client.get("/", {"near": "78701", "language": "xx"})
    assert response.status_code == 400
    assert "Unknown language code" in response.content.decode()


def test_results_open_at_a_one_line_summary_with_the_form_folded(client, world):
    world["in_range"].insurance_plans.add(InsurancePlanFactory(slug="aetna-ppo", name="Aetna PPO"))
    body = client.get(
        "/",
        {"near": "78701", "profession": "chiropractor", "insurance": "aetna-ppo",
         "ordering": "price"},
    ).content.decode()  # fmt: skip

    heading = (
        '<h1 id="results-heading" tabindex="-1">'
        "1 chiropractor within 25 miles of Austin, TX 78701</h1>"
    )
    assert heading in body
    assert '<p class="summary-facts">Aetna PPO · Cheapest first</p>' in body
    assert '<details class="change-search">' in body  # folded: results come first
    assert body.index(heading) < body.index('<form class="panel" id="search-form"')
    # The form and the page links point the browser at the results heading.
    assert 'action="/#results-heading"' in body


def test_a_search_that_finds_nothing_keeps_the_form_open(client, db):
    body = client.get("/", {"near": "78701"}).content.decode()
    assert "0 providers within 25 miles of Austin, TX 78701" in body
    assert '<details class="change-search" open>' in body


def test_the_map_says_how_many_of_the_results_it_shows_and_links_the_next_page(client, world):
    for number in range(3):
        PracticeLocationFactory(provider__last_name=f"Extra{number}")
    body = client.get("/", {"near": "78701", "page_size": "2"}).content.decode()

    assert "Showing 2 of 4 on the map — " in body
    assert '<a href="?near=78701&amp;page_size=2&amp;page=2#results-heading">next page</a>' in body


def test_map_pins_carry_the_distance_and_the_cards_entry_level_price(client, world):
    provider = world["in_range"]
    ProviderPriceFactory(provider=provider, cash_price=Decimal("55.00"))
    ProviderPriceFactory(provider=provider, procedure__code="98941", cash_price=Decimal("37.50"))
    body = client.get("/", {"near": "78701"}).content.decode()
    blob = re.search(r'<script id="map-markers" type="application/json">(.*?)</script>', body)
    assert blob is not None
    [pin] = json.loads(blob.group(1))
    distance = client.get("/api/v1/providers/", {"near": "78701"}).json()["results"][0][
        "distance_miles"
    ]
    assert pin["details"] == [
        f"{distance:g} miles away",
        "Spinal manipulation from $55 a visit",  # 98940, not the cheaper 98941
    ]


def test_a_provider_page_links_back_to_the_search_it_was_opened_from(client, world):
    provider = world["in_range"]
    page = client.get(
        f"/providers/{provider.id}/", {"search": "near=78701&profession=chiropractor&evil=1"}
    ).content.decode()
    assert (
        '<a href="/?near=78701&amp;profession=chiropractor#results-heading">Back to results</a>'
        in page
    )
    plain = client.get(f"/providers/{provider.id}/").content.decode()
    assert "Back to results" not in plain
    assert f'<link rel="canonical" href="http://testserver/providers/{provider.id}/">' in plain


def test_a_provider_page_spells_out_credentials_and_names_nppes_specialties(client, db):
    location = PracticeLocationFactory(
        provider__credential="PT, DPT, OCS, XYZ",
        provider__specialty_codes=["2251X0800X", "2251S0007X", "2251Z9999X"],
    )
    page = client.get(f"/providers/{location.provider.id}/").content.decode()
    assert (
        "<dd>PT (Physical therapist), DPT (Doctor of Physical Therapy), "
        "OCS (Orthopaedic Certified Specialist), XYZ</dd>"
    ) in page
    assert "<dd>Orthopedic, Sports</dd>" in page  # an unknown code is left out


def test_a_provider_page_without_credentials_specialties_or_hours_says_nothing_of_them(client, db):
    location = PracticeLocationFactory(provider__credential="")
    page = client.get(f"/providers/{location.provider.id}/").content.decode()
    assert "Credentials" not in page
    assert "Specialties" not in page
    assert "Hours:" not in page


def badges(body: str) -> list[str]:
    """The scope badges and their endorsement words, as a reader sees them."""
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match)).strip()
        for match in re.findall(r'<li>\s*<span class="badge badge-.*?</li>', body, re.S)
    ]


@pytest.fixture
def washington_pts(db):
    """Two Seattle PTs offering spinal manipulation (one holding the WA endorsement) and one
    offering only mobilization, under an act that asks for the endorsement."""
    PracticeActFactory(
        state="WA", profession=Profession.PHYSICAL_THERAPIST,
        spinal_manipulation=Scope.REQUIRES_ENDORSEMENT, note="Endorsement needed.",
    )  # fmt: skip
    made = {}
    for name, endorsed, spinal, offset in (
        ("held", True, True, 0.0), ("missing", False, True, 0.01), ("mobilizes", True, False, 0.02)
    ):  # fmt: skip
        made[name] = PracticeLocationFactory(
            state="WA", zip_code="98101", latitude=47.61, longitude=-122.33 + offset,
            provider__last_name=name, provider__profession=Profession.PHYSICAL_THERAPIST,
            provider__spinal_manipulation_endorsed=endorsed,
            provider__offers_spinal_manipulation=spinal, provider__offers_mobilization=True,
        ).provider  # fmt: skip
    return made


def test_the_badge_the_state_box_and_the_api_agree_on_the_wa_endorsement(client, washington_pts):
    held, missing = washington_pts["held"], washington_pts["missing"]
    held_page = client.get(f"/providers/{held.id}/").content.decode()
    missing_page = client.get(f"/providers/{missing.id}/").content.decode()
    endorsed = "Spinal manipulation: allowed Holds the WA spinal manipulation endorsement"
    # One badge on the location, one in the state box: the same words both times.
    assert badges(held_page) == ["Spinal manipulation in WA: allowed Holds the WA spinal "
                                 "manipulation endorsement", endorsed]  # fmt: skip
    assert badges(missing_page) == [
        "Spinal manipulation in WA: requires endorsement The WA spinal manipulation endorsement "
        "is not on file",
        "Spinal manipulation: requires endorsement The WA spinal manipulation endorsement is not "
        "on file",
    ]
    for provider, scope in ((held, "allowed"), (missing, "requires_endorsement")):
        api = client.get(f"/api/v1/providers/{provider.id}/").json()
        assert api["locations"][0]["scope"]["spinal_manipulation"] == scope
    results = client.get("/", {"near": "98101", "service": "spinal_manipulation"})
    assert held.display_name in results.content.decode()
    assert missing.display_name not in results.content.decode()


def test_badges_show_only_services_the_provider_offers(client, washington_pts):
    mobilizes = washington_pts["mobilizes"]  # endorsed, but offers no spinal manipulation
    page = client.get(f"/providers/{mobilizes.id}/").content.decode()
    assert badges(page) == []
    results = client.get("/", {"near": "98101"}).content.decode()
    assert len(badges(results)) == 2  # the two who offer spinal manipulation, one badge each
    chiro = PracticeLocationFactory(
        provider__offers_extremity_manipulation=True, provider__offers_mobilization=True
    ).provider
    page = client.get(f"/providers/{chiro.id}/").content.decode()
    assert badges(page) == [
        "Spinal manipulation in TX: unknown", "Extremity manipulation in TX: unknown"
    ]  # fmt: skip


def test_each_card_shows_its_entry_level_price_in_one_line(client, world):
    chiro = world["in_range"]
    chiro.offers_mobilization = True
    chiro.save()
    assert "No cash prices posted." in client.get("/", {"near": "78701"}).content.decode()
    for code, price in (("98940", "37.00"), ("98941", "45.50"), ("97140", "60.00")):
        ProviderPriceFactory(
            provider=chiro, procedure=ProcedureFactory(code=code), cash_price=price
        )
    body = client.get("/", {"near": "78701"}).content.decode()
    line = re.search(r'<p class="price-line">(.*?)</p>', body, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", line) == "Spinal manipulation from $37 a visit (cash, code 98940)"
    assert "45.50" not in body  # the full table is on the provider page
    mobilization = client.get("/", {"near": "78701", "service": "mobilization"})
    assert "Manual therapy from $60 a visit" in mobilization.content.decode()
    chiro.offers_extremity_manipulation = True
    chiro.save()
    extremity = client.get("/", {"near": "78701", "service": "extremity_manipulation"})
    assert "No price posted for this visit's usual procedure" in extremity.content.decode()


def test_estimate_my_cost_carries_the_plan_searched(client, world):
    plan = InsurancePlanFactory(slug="aetna-ppo", name="Aetna PPO")
    world["in_range"].insurance_plans.add(plan)
    body = client.get("/", {"near": "78701", "insurance": "aetna-ppo"}).content.decode()
    link = f"/estimate/?provider={world['in_range'].id}&amp;plan=aetna-ppo"
    assert link in body
    estimate = client.get("/estimate/", {"provider": world["in_range"].id, "plan": "aetna-ppo"})
    assert estimate.status_code == 200
    assert '<option value="aetna-ppo" selected>' in estimate.content.decode()
