"""The search filter on Medicare assignment: the domain search, the API and the search page."""

from datetime import date

import pytest

from finder.search import SearchFilters, search_providers
from finder.search.types import Origin
from providers.models import MedicareAssignment, MedicareParticipation
from tests.factories import PracticeLocationFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/providers/"
AS_OF = date(2026, 11, 1)


def record(provider, assignment, *, location=None, source="medicare_file"):
    return MedicareParticipation.objects.create(
        provider=provider, location=location, assignment=assignment, source=source, as_of=AS_OF
    )


@pytest.fixture
def assignments(db):
    """Four chiropractors near 78701: participating, non-participating, one whose only record
    is for an address (the provider's own assignment unknown), and one with no record."""
    providers = {}
    for offset, (name, assignment) in enumerate(
        [
            ("Par", MedicareAssignment.PARTICIPATING),
            ("Nonpar", MedicareAssignment.NON_PARTICIPATING),
            ("Address", None),
            ("Unrecorded", None),
        ]
    ):
        location = PracticeLocationFactory(
            latitude=30.27 + offset / 1000, longitude=-97.74, provider__last_name=name
        )
        providers[name] = location.provider
        if assignment is not None:
            record(location.provider, assignment)
    address = providers["Address"]
    record(address, MedicareAssignment.PARTICIPATING, location=address.locations.get())
    return providers


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("participating", ["Par"]),
        ("non_participating", ["Nonpar"]),
        ("unknown", ["Address", "Unrecorded"]),
        (None, ["Par", "Nonpar", "Address", "Unrecorded"]),
    ],
)
def test_it_filters_on_the_providers_own_assignment(assignments, assignment, expected):
    filters = SearchFilters(medicare_assignment=assignment)
    near = search_providers(origin=Origin(30.27, -97.74, "Austin", 25), filters=filters)
    everyone = search_providers(origin=None, filters=filters)
    assert [hit.provider.last_name for hit in near.hits] == expected
    assert sorted(hit.provider.last_name for hit in everyone.hits) == sorted(expected)


def test_the_api_filter_returns_participating_providers_only(client, assignments):
    response = client.get(URL, {"near": "78701", "medicare_assignment": "participating"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [(r["id"], r["medicare_assignment"]) for r in body["results"]] == [
        (assignments["Par"].id, "participating")
    ]


@pytest.mark.parametrize("value", ["yes", "true", "PARTICIPATING", ""])
def test_an_unknown_assignment_value_is_a_400(client, db, value):
    response = client.get(URL, {"near": "78701", "medicare_assignment": value})
    assert response.status_code == 400
    assert response.json() == {"medicare_assignment": [f'"{value}" is not a valid choice.']}


def test_a_curators_record_takes_effect_on_the_next_search(client, assignments, settings):
    settings.SEARCH_CACHE_SECONDS = 300  # cached responses must not hide the change
    params = {"near": "78701", "medicare_assignment": "participating"}
    assert client.get(URL, params).json()["count"] == 1

    record(assignments["Unrecorded"], MedicareAssignment.PARTICIPATING, source="curator")

    assert client.get(URL, params).json()["count"] == 2


def test_the_search_page_offers_the_filter_and_applies_it(client, assignments):
    page = client.get("/", {"near": "78701", "medicare_assignment": "participating"})
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        '<input type="checkbox" id="medicare_assignment" name="medicare_assignment" '
        'value="participating" checked'
    ) in html
    assert '<label for="medicare_assignment">Accepts Medicare assignment</label>' in html
    assert "1 provider within 25 miles" in html
    assert assignments["Par"].display_name in html
    assert assignments["Nonpar"].display_name not in html
    # The filter sits among the folded ones, which open when it is in use.
    assert '<details class="more-filters" open>' in html


def test_the_search_page_shows_a_bad_value_as_a_field_error(client, db):
    page = client.get("/", {"near": "78701", "medicare_assignment": "maybe"})
    assert page.status_code == 400
    assert "&quot;maybe&quot; is not a valid choice." in page.content.decode()
