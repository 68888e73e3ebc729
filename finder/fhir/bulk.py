"""FHIR Bulk Data export (`GET /fhir/$export`), completed without a worker service.

The kick-off answers 202 with a status URL at once. The status URL carries the whole request,
signed (the partner's key, the types, `_since` and the transaction time), so no job is stored
and none needs running: the status answers with the manifest straight away, and each file of
the manifest is written as it is downloaded, by the exports' streaming generator
(finder/exports.py), a batch of providers at a time. A file holds the resources as they are
at download time, changed no later than the transaction time (Bulk Data's rule); a resource
changed since is left for the next export with `_since`.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing

from finder.exports import exported_providers, ndjson, provider_batches
from finder.fhir import resources
from finder.fhir.errors import FhirError, bad_request
from finder.fhir.params import read_moment
from finder.fhir.profiles import FHIR_NDJSON_MEDIA_TYPE, RESOURCE_TYPES
from providers.models import InsurancePlan

SALT = "finder.fhir.bulk"
OUTPUT_FORMATS = (FHIR_NDJSON_MEDIA_TYPE, "application/ndjson", "ndjson")
KICK_OFF_PARAMETERS = ("_type", "_since", "_outputFormat")
# A status URL stays valid this long after its kick-off.
STATUS_LIFETIME = timedelta(days=1)


@dataclass(frozen=True)
class ExportJob:
    key_prefix: str
    types: tuple[str, ...]
    since: datetime | None
    transaction_time: datetime
    request_url: str


def read_kick_off(params, *, key_prefix: str, now: datetime, request_url: str) -> ExportJob:
    """The export a kick-off's parameters ask for; FhirError(400) for a bad one."""
    problems = [
        f"Unknown $export parameter '{name}'. Supported: {', '.join(KICK_OFF_PARAMETERS)}."
        for name in params
        if name not in KICK_OFF_PARAMETERS
    ]
    types = RESOURCE_TYPES
    if params.get("_type"):
        types = tuple(part.strip() for part in params["_type"].split(","))
        unknown = [name for name in types if name not in RESOURCE_TYPES]
        if unknown:
            problems.append(
                f"'_type': not exported: {', '.join(unknown)}. "
                f"Exported: {', '.join(RESOURCE_TYPES)}."
            )
    output_format = params.get("_outputFormat")
    if output_format and output_format not in OUTPUT_FORMATS:
        problems.append(f"'_outputFormat': only {', '.join(OUTPUT_FORMATS)}.")
    since = None
    if params.get("_since"):
        try:
            since, _ = read_moment(params["_since"])
        except ValueError as exc:
            problems.append(str(exc).replace("'_lastUpdated'", "'_since'"))
    if problems:
        raise bad_request(*problems)
    return ExportJob(key_prefix, types, since, now, request_url)


def status_token(job: ExportJob) -> str:
    return signing.dumps(
        {
            "key": job.key_prefix,
            "types": list(job.types),
            "since": job.since.isoformat() if job.since else None,
            "at": job.transaction_time.isoformat(),
            "request": job.request_url,
        },
        salt=SALT,
        compress=True,
    )


def read_status_token(token: str, *, key_prefix: str) -> ExportJob:
    """The export a status URL names, for the partner who started it; FhirError(404) for a
    URL that is unknown, expired or another partner's."""
    try:
        data = signing.loads(token, salt=SALT, max_age=STATUS_LIFETIME)
    except signing.BadSignature:
        raise FhirError(404, "No such export, or it has expired.") from None
    if data["key"] != key_prefix:
        raise FhirError(404, "No such export, or it has expired.")
    return ExportJob(
        key_prefix=data["key"],
        types=tuple(data["types"]),
        since=datetime.fromisoformat(data["since"]) if data["since"] else None,
        transaction_time=datetime.fromisoformat(data["at"]),
        request_url=data["request"],
    )


def manifest(job: ExportJob, file_url) -> dict:
    return {
        "transactionTime": resources.instant(job.transaction_time),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [{"type": name, "url": file_url(name)} for name in job.types],
        "error": [],
    }


def resource_lines(
    resource_type: str, *, since: datetime | None = None, until: datetime | None = None
) -> Iterator[bytes]:
    """One export file: NDJSON of `resource_type`, a batch of providers at a time; of the
    providers changed after `since` (Bulk Data's `_since`) and not after `until`."""
    directory = resources.load_directory()
    build = resources.PROVIDER_BUILDERS.get(resource_type)
    after = since + timedelta(microseconds=1) if since else None
    if build is None:
        plans = InsurancePlan.objects.order_by("id")
        if after is not None:
            plans = plans.filter(updated_at__gte=after)
        if until is not None:
            plans = plans.filter(updated_at__lte=until)
        yield ndjson(resources.plan_resources(plans)[resource_type])
        return
    providers = exported_providers(updated_since=after, updated_until=until)
    for batch in provider_batches(providers):
        yield ndjson(resource for provider in batch for resource in build(provider, directory))
