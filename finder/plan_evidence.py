"""A provider's plans with where each fact comes from, and the plans' public negotiated rates,
as the API's provider detail shows them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from providers.models import AcceptanceSource, NegotiatedRate, PlanAcceptance, Provider

# When several sources vouch for one plan, the first here is shown: a payer's or Medicare's own
# file before what the provider or a curator says.
SOURCE_ORDER = (
    AcceptanceSource.PAYER_FILE,
    AcceptanceSource.MEDICARE_FILE,
    AcceptanceSource.PROVIDER,
    AcceptanceSource.CURATOR,
)
FILE_SOURCES = (AcceptanceSource.PAYER_FILE, AcceptanceSource.MEDICARE_FILE)


def plans_with_evidence(provider: Provider) -> list[dict]:
    """One object per plan the provider takes, by name: `slug`, `name`, `kind`, `source` and
    `as_of`, the date of the file that lists it (null for a provider's or curator's word). A
    plan linked without an evidence row is the curator's."""
    return plans_with_evidence_by_provider([provider.id])[provider.id]


def plans_with_evidence_by_provider(provider_ids: Iterable[int]) -> dict[int, list[dict]]:
    """`plans_with_evidence` for many providers at once, in two queries (of plain values: an
    export reads a dozen thousand links per batch)."""
    ids = list(provider_ids)
    evidence: dict[tuple[int, int], tuple[str, date | None]] = {}
    rows = PlanAcceptance.objects.filter(provider_id__in=ids, ended_on__isnull=True).values_list(
        "provider_id", "plan_id", "source", "file_date"
    )
    for provider_id, plan_id, source, file_date in sorted(
        rows, key=lambda row: SOURCE_ORDER.index(row[2])
    ):
        evidence.setdefault((provider_id, plan_id), (source, file_date))
    result: dict[int, list[dict]] = {provider_id: [] for provider_id in ids}
    links = (
        Provider.insurance_plans.through.objects.filter(provider_id__in=ids)
        .order_by("insuranceplan__name", "insuranceplan__slug")
        .values_list(
            "provider_id",
            "insuranceplan_id",
            "insuranceplan__slug",
            "insuranceplan__name",
            "insuranceplan__kind",
        )
    )
    for provider_id, plan_id, slug, name, kind in links:
        source, file_date = evidence.get((provider_id, plan_id), (AcceptanceSource.CURATOR, None))
        as_of = file_date if source in FILE_SOURCES else None
        result[provider_id].append(
            {
                "slug": slug,
                "name": name,
                "kind": kind,
                "source": source,
                "as_of": as_of.isoformat() if as_of else None,
            }
        )
    return result


def negotiated_rates(provider: Provider) -> list[dict]:
    """The provider's current public rates for the plans it takes: `rate` is dollars, or for
    `percentage` the percent of the provider's charge, as a decimal string."""
    return negotiated_rates_by_provider([provider.id])[provider.id]


def negotiated_rates_by_provider(provider_ids: Iterable[int]) -> dict[int, list[dict]]:
    """`negotiated_rates` for many providers at once, in two queries."""
    ids = list(provider_ids)
    takes = set(
        Provider.insurance_plans.through.objects.filter(provider_id__in=ids).values_list(
            "provider_id", "insuranceplan_id"
        )
    )
    rows = (
        NegotiatedRate.objects.filter(
            Q(expires__isnull=True) | Q(expires__gte=timezone.localdate()),
            provider_id__in=ids,
        )
        .select_related("plan", "procedure")
        .order_by("plan__slug", "procedure__code", "negotiated_type", "rate", "id")
    )
    result: dict[int, list[dict]] = {provider_id: [] for provider_id in ids}
    for row in rows:
        if (row.provider_id, row.plan_id) not in takes:
            continue  # a rate of a plan the provider no longer takes
        result[row.provider_id].append(
            {
                "plan": row.plan.slug,
                "code": row.procedure.code,
                "negotiated_type": row.negotiated_type,
                "rate": f"{row.rate:.2f}",
                "billing_class": row.billing_class,
                "places_of_service": row.places_of_service_list,
                "expires": row.expires.isoformat() if row.expires else None,
                "as_of": row.file_date.isoformat(),
            }
        )
    return result


def plans_for_patients(provider: Provider) -> list[dict]:
    """The provider page's plans, by name: where a payer's file lists the provider, that file
    in words ("in Aetna's file of 2026-11-01"), and the plan's rate for each code
    ("98940 Spinal manipulation: $27.50")."""
    rates: dict[str, list[str]] = {}
    for row in (
        NegotiatedRate.objects.filter(
            Q(expires__isnull=True) | Q(expires__gte=timezone.localdate()), provider=provider
        )
        .select_related("plan", "procedure")
        .order_by("procedure__code", "negotiated_type", "rate")
    ):
        amount = (
            _("%(percent)s%% of the provider's charge") % {"percent": f"{row.rate.normalize():f}"}
            if row.negotiated_type == NegotiatedRate.Type.PERCENTAGE
            else f"${row.rate:,.2f}"
        )
        text = f"{row.procedure.code} {_(row.procedure.label)}: {amount}"
        plan_rates = rates.setdefault(row.plan.slug, [])
        if text not in plan_rates:
            plan_rates.append(text)
    payers = dict(provider.insurance_plans.values_list("slug", "payer"))
    result = []
    for plan in plans_with_evidence(provider):
        evidence = ""
        if plan["source"] == AcceptanceSource.PAYER_FILE and plan["as_of"]:
            evidence = _("listed in %(payer)s's file of %(date)s") % {
                "payer": payers[plan["slug"]],
                "date": plan["as_of"],
            }
        elif plan["source"] == AcceptanceSource.MEDICARE_FILE and plan["as_of"]:
            evidence = _("listed in Medicare's file of %(date)s") % {"date": plan["as_of"]}
        result.append(
            {"name": plan["name"], "evidence": evidence, "rates": rates.get(plan["slug"], [])}
        )
    return result
