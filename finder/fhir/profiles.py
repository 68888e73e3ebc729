"""The canonical URLs and codes the directory's FHIR resources use, named once.

Profiles and code systems are Da Vinci PDex Plan-Net 1.2.0's
(http://hl7.org/fhir/us/davinci-pdex-plan-net/STU1.2); the directory's own extensions are
defined in the partner guide docs/fhir.md, served as the page /fhir/.
"""

FHIR_VERSION = "4.0.1"
FHIR_MEDIA_TYPE = "application/fhir+json"
FHIR_NDJSON_MEDIA_TYPE = "application/fhir+ndjson"

PLAN_NET = "http://hl7.org/fhir/us/davinci-pdex-plan-net"
PROFILES = {
    "Practitioner": f"{PLAN_NET}/StructureDefinition/plannet-Practitioner",
    "PractitionerRole": f"{PLAN_NET}/StructureDefinition/plannet-PractitionerRole",
    "Location": f"{PLAN_NET}/StructureDefinition/plannet-Location",
    "HealthcareService": f"{PLAN_NET}/StructureDefinition/plannet-HealthcareService",
    "Organization": f"{PLAN_NET}/StructureDefinition/plannet-Network",  # networks only
    "InsurancePlan": f"{PLAN_NET}/StructureDefinition/plannet-InsurancePlan",
}
RESOURCE_TYPES = tuple(PROFILES)

# Plan-Net's extensions.
NEW_PATIENTS = f"{PLAN_NET}/StructureDefinition/newpatients"
NETWORK_REFERENCE = f"{PLAN_NET}/StructureDefinition/network-reference"
# FHIR core's extension for a search result's distance from the `near` point.
LOCATION_DISTANCE = "http://hl7.org/fhir/StructureDefinition/location-distance"

# Code systems.
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
NUCC_TAXONOMY = "http://nucc.org/provider-taxonomy"
PROVIDER_ROLE_CS = f"{PLAN_NET}/CodeSystem/ProviderRoleCS"
ACCEPTING_PATIENTS_CS = f"{PLAN_NET}/CodeSystem/AcceptingPatientsCS"
ORG_TYPE_CS = f"{PLAN_NET}/CodeSystem/OrgTypeCS"
HEALTHCARE_SERVICE_CATEGORY_CS = f"{PLAN_NET}/CodeSystem/HealthcareServiceCategoryCS"
INSURANCE_PRODUCT_TYPE_CS = f"{PLAN_NET}/CodeSystem/InsuranceProductTypeCS"
UCUM = "http://unitsofmeasure.org"
CPT_SYSTEM = "http://www.ama-assn.org/go/cpt"

# The directory's own extensions and code systems (defined in docs/fhir.md, the page /fhir/),
# under settings.FHIR_CANONICAL_BASE (finder/fhir/resources.py own_url()).
EXTENSION_PATH = "StructureDefinition/"
CODE_SYSTEM_PATH = "CodeSystem/"

# NUCC taxonomy and Plan-Net role code per profession.
PROFESSION_CODES = {
    "chiropractor": {"taxonomy": ("111N00000X", "Chiropractor"), "role": ("ch", "Chiropractor")},
    "physical_therapist": {
        "taxonomy": ("225100000X", "Physical Therapist"),
        "role": ("pt", "Physical Therapist"),
    },
}
