"""GET /fhir/metadata: a CapabilityStatement listing exactly what /fhir/ supports."""

from finder.fhir import profiles
from finder.fhir.params import COMMON_PARAMETERS, INCLUDES, TYPE_PARAMETERS

# When what the endpoint supports last changed (CapabilityStatement.date).
CAPABILITY_DATE = "2026-12-07"
CORE = "http://hl7.org/fhir/SearchParameter"
PLAN_NET_SP = f"{profiles.PLAN_NET}/SearchParameter"
BULK_EXPORT = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"

# (definition, type) of each search parameter, by resource type; `_offset` is the paging
# parameter of this server's `next` and `previous` links.
COMMON_DEFINITIONS = {
    "_id": (f"{CORE}/Resource-id", "token"),
    "_lastUpdated": (f"{CORE}/Resource-lastUpdated", "date"),
    "_count": ("", "number"),
    "_offset": ("", "number"),
    "_format": ("", "string"),
}
TYPE_DEFINITIONS = {
    "identifier": (f"{CORE}/Practitioner-identifier", "token"),
    "name": "{plan_net}/{type}-name",
    "specialty": (f"{PLAN_NET_SP}/practitionerrole-specialty", "token"),
    "location": (f"{PLAN_NET_SP}/practitionerrole-location", "reference"),
    "practitioner": (f"{PLAN_NET_SP}/practitionerrole-practitioner", "reference"),
    "network": (f"{PLAN_NET_SP}/practitionerrole-network", "reference"),
    "address-postalcode": (f"{PLAN_NET_SP}/location-address-postalcode", "string"),
    "address-state": (f"{PLAN_NET_SP}/location-address-state", "string"),
    "address-city": (f"{PLAN_NET_SP}/location-address-city", "string"),
}
NEAR_DOCUMENTATION = (
    "latitude|longitude|distance|unit (mi or km; km when omitted; at most 100 miles): "
    "results nearest first, each with the location-distance extension in entry.search."
)


def search_param(resource_type: str, name: str) -> dict:
    if name == "near":
        definition = f"{CORE}/Location-near" if resource_type == "Location" else ""
        param = {"name": name, "type": "special", "documentation": NEAR_DOCUMENTATION}
    elif name in COMMON_DEFINITIONS:
        definition, kind = COMMON_DEFINITIONS[name]
        param = {"name": name, "type": kind}
    else:
        entry = TYPE_DEFINITIONS[name]
        if isinstance(entry, str):
            definition = entry.format(plan_net=PLAN_NET_SP, type=resource_type.lower())
            kind = "string"
        else:
            definition, kind = entry
        param = {"name": name, "type": kind}
    if definition:
        param["definition"] = definition
    return param


def capability_statement(base_url: str) -> dict:
    resources = []
    for resource_type, profile in profiles.PROFILES.items():
        names = [
            name
            for name in (*COMMON_PARAMETERS, *TYPE_PARAMETERS[resource_type])
            if name != "_include"
        ]
        entry = {
            "type": resource_type,
            "supportedProfile": [profile],
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [search_param(resource_type, name) for name in names],
        }
        if "_include" in TYPE_PARAMETERS[resource_type]:
            entry["searchInclude"] = list(INCLUDES)
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": CAPABILITY_DATE,
        "publisher": "JointCare Finder",
        "kind": "instance",
        "implementation": {
            "description": "JointCare Finder: chiropractors and physical therapists who "
            "perform joint manipulation, with state scope and prices (Da Vinci PDex Plan-Net "
            "1.2.0 profiles; read-only).",
            "url": base_url,
        },
        "fhirVersion": profiles.FHIR_VERSION,
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Read-only and public, rate limited as the partner API; "
                "partner keys as 'Authorization: Api-Key <key>'. $export needs a partner key.",
                "resource": resources,
                "operation": [{"name": "export", "definition": BULK_EXPORT}],
            }
        ],
    }
