"""The API's base view: what an API call allocates is freed by reference counting, without
the cycle collector. (Not yet for a limit checked by one of Django's validators, `page=0`:
Django's ValidationError lists itself, and its traceback holds the stack.)"""

import gc
import weakref

import pytest
from django.test import RequestFactory

from finder.api.estimates import EstimateCreateApi
from finder.api.search import ProviderSearchApi
from tests.factories import PracticeLocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def collector_off():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def answer(view_class, request) -> tuple[int, weakref.ref, weakref.ref, weakref.ref]:
    """Calls the view as Django's handler does and renders its response; weak references to
    the view, the DRF request and the response, whose strong ones all end here."""
    response = view_class.as_view()(request)
    view = response.renderer_context["view"]
    refs = weakref.ref(view), weakref.ref(view.request), weakref.ref(response)
    response.render()
    return response.status_code, *refs


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"near": "78701"}, 200),
        ({"near": "00000"}, 400),
        ({"radius_miles": "abc"}, 400),
        ({"near": "78701", "page": "99"}, 404),
    ],
)
def test_a_search_call_is_freed_by_reference_counting(collector_off, query, status):
    PracticeLocationFactory()
    code, *refs = answer(ProviderSearchApi, RequestFactory().get("/api/v1/providers/", query))
    assert code == status
    assert [ref() for ref in refs] == [None, None, None]


def test_an_estimate_call_is_freed_by_reference_counting(collector_off, reference_data):
    body = {"procedures": [{"code": "98940"}], "visits": 1, "coverage": {"type": "self_pay"}}
    request = RequestFactory().post("/api/v1/estimates/", body, content_type="application/json")
    code, *refs = answer(EstimateCreateApi, request)
    assert code == 200
    assert [ref() for ref in refs] == [None, None, None]
