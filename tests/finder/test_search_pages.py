import pytest

from tests.factories import PracticeLocationFactory

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
    assert f'href="/providers/{world["in_range"].id}/"' in body
    assert 'href="tel:512-555-0100"' in body
    assert "Services: Spinal thrust manipulation</p>" in body


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


def test_a_search_sent_without_a_place_lists_every_match_by_name(client, world):
    # The form as sent when Search is pressed with the place left blank.
    response = client.get("/", {"near": "", "radius_miles": "25", "profession": ""})

    assert response.status_code == 200
    body = response.content.decode()
    assert '<h2 id="results-heading">2 providers</h2>' in body
    assert "Enter a ZIP code, city or address to see the nearest first." in body
    # In the order the API lists them without a place (by name).
    listed = [item["name"] for item in client.get("/api/v1/providers/").json()["results"]]
    assert len(listed) == 2
    positions = [body.index(name) for name in listed]
    assert positions == sorted(positions)
    assert world["suspended"].display_name not in body
    assert "miles away" not in body


def test_a_search_page_with_only_parameters_it_does_not_know_shows_the_list(client, world):
    response = client.get("/", {"utm_source": "newsletter"})

    assert response.status_code == 200
    assert "2 providers" in response.content.decode()
