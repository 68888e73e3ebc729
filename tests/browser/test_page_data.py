"""Server side of the maps, without a browser: the markers blob, the tile settings, blank fields."""

import json
import re

import pytest

from tests.factories import PracticeLocationFactory

pytestmark = pytest.mark.django_db


def markers(html: str) -> list[dict]:
    blob = re.search(r'<script id="map-markers" type="application/json">(.*?)</script>', html)
    assert blob, "no map-markers blob in the page"
    return json.loads(blob.group(1))


def test_search_results_carry_one_marker_per_result_for_the_map(client, world):
    html = client.get("/", {"near": "78701"}).content.decode()

    provider = world["in_range"]
    assert markers(html) == [
        {
            "lat": 30.2651,
            "lng": -97.7441,
            "name": provider.display_name,
            "url": f"/providers/{provider.id}/?search=near%3D78701",
            "address": "100 Congress Ave, Austin, TX 78701",
            "details": ["0.44 miles away"],  # no prices listed: no price line
        }
    ]
    assert 'data-tile-url="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in html
    assert "/static/js/map.js" in html


def test_the_markers_blob_cannot_break_out_of_its_script_tag(client, db):
    PracticeLocationFactory(provider__first_name="</script><script>alert(1)</script>")

    html = client.get("/", {"near": "78701"}).content.decode()

    assert "</script><script>alert(1)" not in html
    assert markers(html)[0]["name"].startswith("</script><script>alert(1)</script>")


def test_tile_settings_reach_the_map_element(client, world, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "Tiles &copy; Example"

    html = client.get("/", {"near": "78701"}).content.decode()

    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in html
    assert 'data-attribution="Tiles &amp;copy; Example"' in html


def test_a_page_without_results_loads_no_map(client, db):
    html = client.get("/", {"near": "99501"}).content.decode()

    assert 'id="map-markers"' not in html
    assert "leaflet" not in html
    assert "/static/js/locate.js" in html


def test_a_provider_page_has_a_marker_for_every_located_location(client, db):
    first = PracticeLocationFactory()
    provider = first.provider
    PracticeLocationFactory(provider=provider, city="Round Rock", zip_code="78664", latitude=30.5)
    PracticeLocationFactory(provider=provider, latitude=None, longitude=None)

    html = client.get(f"/providers/{provider.id}/").content.decode()

    assert [(m["lat"], m["address"]) for m in markers(html)] == [
        (30.2651, "100 Congress Ave, Austin, TX 78701"),
        (30.5, "100 Congress Ave, Round Rock, TX 78664"),
    ]
    assert html.count('class="card"') >= 3  # the list still has all three


def test_the_search_form_as_submitted_with_blank_fields_is_accepted(client, world):
    response = client.get(
        "/",
        {
            "near": "78701",
            "lat": "",
            "lng": "",
            "radius_miles": "25",
            "profession": "",
            "service": "",
            "insurance": "",
            "max_price": "",
            "ordering": "",
        },
    )

    assert response.status_code == 200
    assert world["in_range"].display_name in response.content.decode()


def test_use_my_location_searches_by_lat_and_lng(client, world):
    response = client.get("/", {"near": "", "lat": "30.267", "lng": "-97.743"})

    assert response.status_code == 200
    html = response.content.decode()
    assert world["in_range"].display_name in html
    assert 'name="lat" value="30.267"' in html
    assert "data-locate hidden" in html  # shown by static/js/locate.js only
