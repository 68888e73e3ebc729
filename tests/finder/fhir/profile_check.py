"""Checks a FHIR resource against the Plan-Net profiles it claims in `meta.profile`.

Reads the StructureDefinitions vendored in plan_net/ (their snapshots) and reports, for every
element of the profile present in the resource: fewer occurrences than `min` (a required
element missing), more than `max`, a fixed or pattern value not matched, and a code outside
the value set of a `required` binding. Extension slices are matched by their url, and an
extension whose definition is vendored is checked against it as well. Slices of other kinds
are checked where the slice has a required binding (its members are the values in the value
set). FHIRPath invariants are not evaluated.
"""

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).parent / "plan_net"

# FHIR R4 (4.0.1) core value sets of required bindings that the Plan-Net package refers to
# but does not carry: http://hl7.org/fhir/R4/valueset-<name>.html.
CORE_VALUE_SETS: dict[str, set[str]] = {
    "http://hl7.org/fhir/ValueSet/identifier-use": {
        "usual", "official", "temp", "secondary", "old",
    },
    "http://hl7.org/fhir/ValueSet/name-use": {
        "usual", "official", "temp", "nickname", "anonymous", "old", "maiden",
    },
    "http://hl7.org/fhir/ValueSet/contact-point-system": {
        "phone", "fax", "email", "pager", "url", "sms", "other",
    },
    "http://hl7.org/fhir/ValueSet/contact-point-use": {"home", "work", "temp", "old", "mobile"},
    "http://hl7.org/fhir/ValueSet/address-use": {"home", "work", "temp", "old", "billing"},
    "http://hl7.org/fhir/ValueSet/address-type": {"postal", "physical", "both"},
    "http://hl7.org/fhir/ValueSet/administrative-gender": {"male", "female", "other", "unknown"},
    "http://hl7.org/fhir/ValueSet/location-status": {"active", "suspended", "inactive"},
    "http://hl7.org/fhir/ValueSet/location-mode": {"instance", "kind"},
    "http://hl7.org/fhir/ValueSet/publication-status": {"draft", "active", "retired", "unknown"},
    "http://hl7.org/fhir/ValueSet/days-of-week": {"mon", "tue", "wed", "thu", "fri", "sat", "sun"},
    "http://hl7.org/fhir/ValueSet/insuranceplan-applicability": {
        "in-network", "out-of-network", "other",
    },
}  # fmt: skip


@cache
def definitions() -> dict[str, dict]:
    """Every vendored definition (StructureDefinition, ValueSet, CodeSystem), by its url."""
    found = {}
    for path in PACKAGE.glob("*.json"):
        resource = json.loads(path.read_text(encoding="utf-8"))
        if "url" in resource:
            found[resource["url"]] = resource
    return found


def examples() -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted(PACKAGE.glob("example/*.json"))]


def problems(resource: dict) -> list[str]:
    """Every way `resource` breaks the profiles it claims; [] when it conforms."""
    claimed = resource.get("meta", {}).get("profile", [])
    if not claimed:
        return ["meta.profile claims no profile"]
    found: list[str] = []
    for url in claimed:
        profile = definitions().get(url)
        if profile is None:
            found.append(f"profile {url} is not vendored")
            continue
        found.extend(Snapshot(profile).check(resource))
    return found


class Snapshot:
    def __init__(self, profile: dict) -> None:
        self.name = profile["url"].rsplit("/", 1)[-1]
        self.elements = {element["id"]: element for element in profile["snapshot"]["element"]}
        self.children: dict[str, list[dict]] = {}
        for element in profile["snapshot"]["element"]:
            parent, _, _ = element["id"].rpartition(".")
            if parent:
                self.children.setdefault(parent, []).append(element)
        self.root = profile["snapshot"]["element"][0]["id"]

    def check(self, resource: dict) -> list[str]:
        return list(self.check_node(self.root, resource, self.root))

    def check_node(self, element_id: str, node: Any, where: str) -> Iterator[str]:
        if not isinstance(node, dict):
            return
        for child in self.children.get(element_id, []):
            segment = child["id"][len(element_id) + 1 :]
            name, _, slice_name = segment.partition(":")
            if "." in slice_name:  # a slice of a slice's child: reached through its slice
                continue
            values = element_values(node, name)
            if slice_name:
                values = self.slice_members(child, values)
                if values is None:
                    continue  # a kind of slice this checker does not tell apart
            label = f"{where}.{segment}"
            yield from cardinality(child, values, label)
            yield from fixed_values(child, values, label)
            yield from binding(child, values, label)
            for index, value in enumerate(values):
                yield from self.check_node(child["id"], value, f"{label}[{index}]")
                if not slice_name:  # each extension once, whichever slice it is in
                    yield from vendored_extension(child, value, f"{label}[{index}]")

    def slice_members(self, element: dict, values: list) -> list | None:
        if element["path"].endswith("xtension"):
            url = extension_slice_url(element, self.elements)
            return [
                value for value in values if isinstance(value, dict) and value.get("url") == url
            ]
        value_set = required_value_set(element)
        if value_set is None:
            return None
        return [value for value in values if in_value_set(value, value_set)]


def element_values(node: dict, name: str) -> list:
    if name.endswith("[x]"):
        stem = name[:-3]
        keys = [key for key in node if key.startswith(stem) and key[len(stem) :][:1].isupper()]
    else:
        keys = [name] if name in node else []
    values: list = []
    for key in keys:
        value = node[key]
        values.extend(value if isinstance(value, list) else [value])
    return values


def extension_slice_url(element: dict, elements: dict[str, dict]) -> str | None:
    for kind in element.get("type", []):
        for profile in kind.get("profile", []):
            return profile
    url_element = elements.get(f"{element['id']}.url", {})
    return url_element.get("fixedUri")


def cardinality(element: dict, values: list, label: str) -> Iterator[str]:
    low, high = element.get("min", 0), element.get("max", "*")
    if len(values) < low:
        yield f"{label}: {len(values)} found, at least {low} required"
    if high != "*" and len(values) > int(high):
        yield f"{label}: {len(values)} found, at most {high} allowed"


def fixed_values(element: dict, values: list, label: str) -> Iterator[str]:
    for key, expected in element.items():
        if key.startswith("fixed"):
            for value in values:
                if value != expected:
                    yield f"{label}: {value!r} is not the fixed value {expected!r}"
        elif key.startswith("pattern"):
            for value in values:
                if not matches_pattern(value, expected):
                    yield f"{label}: {value!r} does not match the pattern {expected!r}"


def matches_pattern(value: Any, pattern: Any) -> bool:
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            matches_pattern(value.get(key), inner) for key, inner in pattern.items()
        )
    if isinstance(pattern, list):
        return isinstance(value, list) and all(
            any(matches_pattern(item, inner) for item in value) for inner in pattern
        )
    return value == pattern


def required_value_set(element: dict) -> str | None:
    bound = element.get("binding", {})
    if bound.get("strength") != "required" or "valueSet" not in bound:
        return None
    return bound["valueSet"].split("|")[0]


def binding(element: dict, values: list, label: str) -> Iterator[str]:
    value_set = required_value_set(element)
    if value_set is None:
        return
    for value in values:
        if not in_value_set(value, value_set):
            yield f"{label}: {value!r} is not in the required value set {value_set}"


def vendored_extension(element: dict, value: Any, label: str) -> Iterator[str]:
    """An extension whose definition is vendored is checked against that definition too."""
    if not element["path"].endswith("xtension") or not isinstance(value, dict):
        return
    definition = definitions().get(value.get("url", ""))
    if definition is not None and definition.get("resourceType") == "StructureDefinition":
        for problem in Snapshot(definition).check(value):
            yield f"{label} ({definition['name']}): {problem}"


def in_value_set(value: Any, url: str) -> bool:
    if isinstance(value, str):  # a code: its system is the element's own
        return any(code == value for _system, code in value_set_codes(url))
    if isinstance(value, dict) and "coding" in value:  # CodeableConcept: one coding is enough
        return any(in_value_set(coding, url) for coding in value["coding"])
    if isinstance(value, dict) and "code" in value:  # Coding
        codes = value_set_codes(url)
        return (value.get("system"), value["code"]) in codes or (
            value.get("system"),
            "*",
        ) in codes
    return False


@cache
def value_set_codes(url: str) -> frozenset[tuple[str | None, str]]:
    """(system, code) pairs of a value set; (system, "*") for a whole system not vendored."""
    if url in CORE_VALUE_SETS:
        return frozenset((None, code) for code in CORE_VALUE_SETS[url])
    value_set = definitions().get(url)
    if value_set is None:
        raise LookupError(f"Value set {url} is neither vendored nor a listed core value set")
    codes: set[tuple[str | None, str]] = set()
    compose = value_set.get("compose", {})
    for include in compose.get("include", []):
        for inner in include.get("valueSet", []):
            codes |= value_set_codes(inner.split("|")[0])
        system = include.get("system")
        if system is None:
            continue
        if "concept" in include:
            codes |= {(system, concept["code"]) for concept in include["concept"]}
        elif system in definitions():
            codes |= {(system, code) for code in code_system_codes(definitions()[system])}
        else:
            codes.add((system, "*"))
    for exclude in compose.get("exclude", []):
        codes -= {
            (exclude.get("system"), concept["code"]) for concept in exclude.get("concept", [])
        }
    return frozenset(codes)


def code_system_codes(code_system: dict) -> Iterator[str]:
    def walk(concepts: list[dict]) -> Iterator[str]:
        for concept in concepts:
            yield concept["code"]
            yield from walk(concept.get("concept", []))

    return walk(code_system.get("concept", []))
