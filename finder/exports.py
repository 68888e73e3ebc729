"""The bulk exports' one streaming generator: every public provider, a batch at a time.

The partner NDJSON export (finder/api/export.py), the FHIR Bulk Data export
(finder/fhir/bulk.py) and the operators' `export_directory` command all read the directory
through `provider_batches`: each batch is loaded as a provider detail is
(finder/listing_queries.py `load_provider_details`), in a fixed number of queries, and let go
before the next, so memory stays flat at one batch whatever the directory's size.
"""

from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal

import orjson
from django.conf import settings
from django.db.models import QuerySet

from finder.listing_queries import load_provider_details
from providers.models import Provider


def exported_providers(
    *, updated_since: datetime | None = None, updated_until: datetime | None = None
) -> QuerySet[Provider]:
    """The providers the public may see, changed at or after `updated_since` and, for a
    snapshot, not after `updated_until`."""
    providers = Provider.objects.public()
    if updated_since is not None:
        providers = providers.filter(updated_at__gte=updated_since)
    if updated_until is not None:
        providers = providers.filter(updated_at__lte=updated_until)
    return providers


def provider_batches(
    providers: QuerySet[Provider], *, batch_size: int | None = None
) -> Iterator[list[Provider]]:
    """`providers` by id, a loaded batch at a time. Batches follow the id (keyset paging), so
    a provider added or removed during the export never shifts another out of it."""
    size = batch_size or settings.EXPORT_BATCH_SIZE
    after = 0
    while True:
        ids = list(
            providers.filter(id__gt=after).order_by("id").values_list("id", flat=True)[:size]
        )
        if not ids:
            return
        yield load_provider_details(Provider.objects.filter(id__in=ids).order_by("id"))
        after = ids[-1]


def ndjson(records: Iterable[object]) -> bytes:
    """Records as newline-delimited JSON, one line each (orjson: Decimals go as numbers)."""
    return b"".join(orjson.dumps(record, default=json_default) + b"\n" for record in records)


def json_default(value: object) -> object:
    if isinstance(value, Decimal):
        # Written as the number it is: "40.00" stays 40.00, not the float 40.0.
        return orjson.Fragment(str(value))
    raise TypeError(f"Cannot write {type(value).__name__} as JSON")
