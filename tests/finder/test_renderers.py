"""The API's JSON comes from orjson but reads byte for byte as DRF's JSONRenderer wrote it."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from finder.api.renderers import FastJSONRenderer

BODY = {
    "count": 2,
    "next": None,
    "name": "Zoë Ortíz, DC — “quoted” 東京",
    "separators": "line\u2028paragraph\u2029end",
    "control": "tab\tnul-free\x1f",
    "lat": 40.7128,
    "distance_miles": 0.01,
    "price": Decimal("40.00"),
    "lazy": gettext_lazy("Not found."),
    "when": datetime.datetime(2026, 11, 27, 12, 0, 0, 123456, tzinfo=datetime.UTC),
    "day": datetime.date(2026, 11, 27),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "nested": [{"a": [1, 2.5, True, False, None]}, []],
}


def test_it_writes_the_same_bytes_as_drf():
    assert FastJSONRenderer().render(BODY) == JSONRenderer().render(BODY)
    assert b"\\u2028" in FastJSONRenderer().render(BODY)


def test_pretty_printing_on_request_is_drf_own():
    accepted = "application/json; indent=4"
    assert FastJSONRenderer().render(BODY, accepted) == JSONRenderer().render(BODY, accepted)
    assert b'\n    "count": 2' in FastJSONRenderer().render(BODY, accepted)


def test_what_orjson_refuses_goes_through_drf():
    for data in ({1: "integer key"}, {"big": 2**70}):
        assert FastJSONRenderer().render(data) == JSONRenderer().render(data)


def test_nothing_renders_as_an_empty_body():
    assert FastJSONRenderer().render(None) == b""


@pytest.mark.django_db
def test_api_responses_match_drf_rendering(client, world):
    paths = (
        "/api/v1/providers/?near=78701",
        "/api/v1/practice-acts/",
        "/api/v1/providers/?radius_miles=x",
    )
    for path in paths:
        response = client.get(path)
        assert response.content == JSONRenderer().render(response.json())
    assert client.get(paths[0]).json()["count"] == 1
