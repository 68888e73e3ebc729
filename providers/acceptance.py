"""Which plans a provider takes, decided by the evidence (`PlanAcceptance` rows).

`Provider.insurance_plans` is the current answer, read by search, listings and the admin: the
plans with at least one current evidence row, plus any link that no evidence row speaks for
(demo and benchmark data link plans directly), which counts as the curator's. Bulk writers of
evidence (the payer-file import) call `sync_plan_links` for the providers they touched; the
admin calls `record_curated_plans` after a curator edits a provider's plans.

A provider's own word outranks the files: a plan the provider removed from its listing keeps
an ended `provider` row, and a payer's or Medicare's file that still lists the provider does
not bring the plan back (a curator's row still does).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from providers import freshness
from providers.models import AcceptanceSource, PlanAcceptance, Provider
from providers.search_index import refresh_search_index

CHUNK = 500  # provider ids per query: well under SQLite's bound-parameter limit
FILE_SOURCES = (AcceptanceSource.PAYER_FILE, AcceptanceSource.MEDICARE_FILE)


def sync_plan_links(provider_ids: Iterable[int]) -> int:
    """Make these providers' plan links match their evidence; returns how many providers'
    links changed. Bulk writes (no history versions, no signals): the search index and the
    listings generation are refreshed here instead, and the providers' `updated_at` moved."""
    ids = sorted(set(provider_ids))
    through = Provider.insurance_plans.through
    changed: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        linked = set(
            through.objects.filter(provider_id__in=chunk).values_list(
                "provider_id", "insuranceplan_id"
            )
        )
        spoken_for: set[tuple[int, int]] = set()
        from_files: set[tuple[int, int]] = set()
        from_people: set[tuple[int, int]] = set()
        declined: set[tuple[int, int]] = set()
        for provider_id, plan_id, source, ended_on in PlanAcceptance.objects.filter(
            provider_id__in=chunk
        ).values_list("provider_id", "plan_id", "source", "ended_on"):
            key = (provider_id, plan_id)
            spoken_for.add(key)
            if ended_on is not None:
                if source == AcceptanceSource.PROVIDER:
                    declined.add(key)
            elif source in FILE_SOURCES:
                from_files.add(key)
            else:
                from_people.add(key)
        wanted = (from_files - declined) | from_people | (linked - spoken_for)
        through.objects.bulk_create(
            through(provider_id=provider_id, insuranceplan_id=plan_id)
            for provider_id, plan_id in sorted(wanted - linked)
        )
        gone: dict[int, list[int]] = defaultdict(list)
        for provider_id, plan_id in linked - wanted:
            gone[provider_id].append(plan_id)
        for provider_id, plan_ids in gone.items():
            through.objects.filter(provider_id=provider_id, insuranceplan_id__in=plan_ids).delete()
        changed.update(provider_id for provider_id, _plan in wanted ^ linked)
    if changed:
        refresh_search_index(changed)
        # A listing's plans are part of it: partners syncing by `updated_since` must see this.
        now = timezone.now()
        ordered = sorted(changed)
        for start in range(0, len(ordered), CHUNK):
            Provider.objects.filter(pk__in=ordered[start : start + CHUNK]).update(updated_at=now)
        freshness.bump_listings()
    return len(changed)


def record_provider_plans(
    provider: Provider, plan_ids: Iterable[int], *, today: date | None = None
) -> None:
    """The provider's own list of its plans, linked, and its changes kept as evidence: a plan
    it adds gets a current `provider` row; a plan it removes gets an ended one, which keeps
    the files from bringing it back (`sync_plan_links`)."""
    today = today or timezone.localdate()
    wanted = set(plan_ids)
    linked = set(provider.insurance_plans.values_list("id", flat=True))
    rows = {
        row.plan_id: row
        for row in PlanAcceptance.objects.filter(
            provider=provider, source=AcceptanceSource.PROVIDER
        )
    }
    for plan_id in sorted(wanted ^ linked):
        row = rows.get(plan_id)
        if row is None:
            PlanAcceptance.objects.create(
                provider=provider, plan_id=plan_id, source=AcceptanceSource.PROVIDER,
                first_seen=today, last_seen=today,
                ended_on=None if plan_id in wanted else today,
            )  # fmt: skip
        elif plan_id in wanted:
            row.ended_on, row.last_seen = None, today
            row.save(update_fields=["ended_on", "last_seen"])
        elif row.ended_on is None:
            row.ended_on = today
            row.save(update_fields=["ended_on"])
    provider.insurance_plans.set(sorted(wanted))


def record_curated_plans(provider: Provider, *, today: date | None = None) -> None:
    """Record a curator's edit of the provider's plans as evidence: a plan now linked without
    current evidence gets a current curator row; a plan no longer linked has all its current
    evidence ended (a newer payer file that lists the provider again opens it again)."""
    today = today or timezone.localdate()
    linked = set(provider.insurance_plans.values_list("id", flat=True))
    rows = list(PlanAcceptance.objects.filter(provider=provider))
    backed = {row.plan_id for row in rows if row.ended_on is None and row.plan_id in linked}
    for row in rows:
        if row.ended_on is None and row.plan_id not in linked:
            row.ended_on = today
            row.save(update_fields=["ended_on"])
    curated = {row.plan_id: row for row in rows if row.source == AcceptanceSource.CURATOR}
    for plan_id in sorted(linked - backed):
        curator_row = curated.get(plan_id)
        if curator_row is None:
            PlanAcceptance.objects.create(
                provider=provider,
                plan_id=plan_id,
                source=AcceptanceSource.CURATOR,
                first_seen=today,
                last_seen=today,
            )
        else:
            curator_row.ended_on, curator_row.last_seen = None, today
            curator_row.save(update_fields=["ended_on", "last_seen"])
