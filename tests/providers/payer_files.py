"""Small in-network rates files for tests, in the shapes of CMS's examples (shared reference:
transparency-in-coverage), with the junk real files carry when asked."""

import gzip
import json
from pathlib import Path
from typing import Any

TIN = {"type": "ein", "value": "12-3456789", "business_name": "Premier Medical Associates"}


def price(
    rate: float | int,
    *,
    negotiated_type: str = "negotiated",
    places: tuple[str, ...] = ("11",),
    billing_class: str = "professional",
    expires: str = "9999-12-31",
    modifiers: tuple[str, ...] = (),
    version: int = 2,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "negotiated_type": negotiated_type,
        "negotiated_rate": rate,
        "expiration_date": expires,
        "billing_class": billing_class,
    }
    if version >= 2:
        entry["setting"] = "outpatient"
    if places:
        entry["service_code"] = list(places)
    if modifiers:
        entry["billing_code_modifier"] = list(modifiers)
    return entry


def code_item(code: str, rates: list[dict], *, code_type: str = "CPT") -> dict[str, Any]:
    return {
        "negotiation_arrangement": "ffs",
        "name": f"Service {code}",
        "billing_code_type": code_type,
        "billing_code_type_version": "2026",
        "billing_code": code,
        "description": f"Service {code}",
        "negotiated_rates": rates,
    }


def rate(references: list, prices: list[dict]) -> dict[str, Any]:
    return {"provider_references": references, "negotiated_prices": prices}


def group(
    group_id: Any, npis: list, networks: list[str] | None = None, *, tin_only: bool = False
) -> dict[str, Any]:
    """A provider reference; `tin_only` adds a group with NPI 0, a contract made by TIN."""
    groups = [{"npi": npis, "tin": TIN}]
    if tin_only:
        groups.append({"npi": [0], "tin": TIN})
    entry: dict[str, Any] = {"provider_group_id": group_id, "provider_groups": groups}
    if networks is not None:
        entry["network_name"] = networks
    return entry


def in_network_file(
    *,
    references: list[dict],
    items: list[dict],
    last_updated_on: str = "2026-11-01",
    version: str = "2.0.0",
    references_first: bool = False,
    plan: dict[str, str] | None = None,
    entity: str = "Aetna Life Insurance Company",
) -> dict[str, Any]:
    """Keys in the order given: by default the rates before the references they point at."""
    document: dict[str, Any] = {
        "reporting_entity_name": entity,
        "reporting_entity_type": "health insurance issuer",
        **(plan or {}),
        "last_updated_on": last_updated_on,
        "version": version,
    }
    if references_first:
        document["provider_references"] = references
    document["in_network"] = items
    if not references_first:
        document["provider_references"] = references
    return document


def single_plan(name: str, issuer: str = "Acme Health") -> dict[str, str]:
    return {
        "plan_name": name,
        "issuer_name": issuer,
        "plan_sponsor_name": "Acme Employees",
        "plan_id_type": "ein",
        "plan_id": "12-3456789",
        "plan_market_type": "group",
    }


def write(path: Path, document: dict[str, Any]) -> Path:
    data = json.dumps(document).encode()
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path
