"""Searchset Bundles: the true total, self/next/previous links, fullUrl and search mode."""

from typing import Any

from django.http import HttpRequest

from finder.fhir.params import FhirQuery
from finder.fhir.profiles import LOCATION_DISTANCE, UCUM
from finder.fhir.resources import Resource
from finder.fhir.search import SearchPage

UNIT_CODES = {"mi": "[mi_i]", "km": "km"}


def full_url(base: str, resource: Resource) -> str:
    return f"{base}{resource['resourceType']}/{resource['id']}"


def page_link(request: HttpRequest, offset: int) -> str:
    params = request.GET.copy()
    params["_offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def searchset(request: HttpRequest, base: str, query: FhirQuery, page: SearchPage) -> dict:
    """The Bundle of one page: `total` is every match's count (absent when not known)."""
    links = [{"relation": "self", "url": request.build_absolute_uri()}]
    if page.has_next:
        links.append({"relation": "next", "url": page_link(request, query.offset + query.count)})
    if query.offset > 0:
        previous = max(0, query.offset - query.count)
        links.append({"relation": "previous", "url": page_link(request, previous)})
    entries: list[dict[str, Any]] = []
    for match, resource in zip(page.matches, page.resources, strict=True):
        search: dict[str, Any] = {"mode": "match"}
        if query.near is not None and match.miles is not None:
            search["extension"] = [distance(query.near.in_unit(match.miles), query.near.unit)]
        entries.append(
            {"fullUrl": full_url(base, resource), "resource": resource, "search": search}
        )
    entries.extend(
        {"fullUrl": full_url(base, resource), "resource": resource, "search": {"mode": "include"}}
        for resource in page.included
    )
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "searchset"}
    if page.total is not None:
        bundle["total"] = page.total
    bundle["link"] = links
    if entries:  # FHIR JSON has no empty arrays
        bundle["entry"] = entries
    return bundle


def distance(value: float, unit: str) -> dict:
    return {
        "url": LOCATION_DISTANCE,
        "valueDistance": {"value": value, "unit": unit, "system": UCUM, "code": UNIT_CODES[unit]},
    }
