"""Claims: an account asks to manage a listing; a curator approves or rejects it."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.utils import timezone

from providers.accounts.models import Claim, ProviderAccount
from providers.models import PracticeLocation, Provider, RecordSource


def managed_providers(account: ProviderAccount) -> QuerySet[Provider]:
    """The listings an account may see and change: those of its approved claims, only."""
    return Provider.objects.filter(
        claims__account=account, claims__status=Claim.Status.APPROVED
    ).distinct()


def submit_claims(
    *, account: ProviderAccount, providers: list[Provider], practice_name: str, phone: str
) -> list[Claim]:
    """A pending claim per listing; a listing the account already claimed keeps its claim."""
    claims = []
    for provider in providers:
        claim, created = Claim.objects.get_or_create(
            account=account,
            provider=provider,
            defaults={"practice_name": practice_name, "phone": phone},
        )
        if created or claim.status == Claim.Status.REJECTED:
            claims.append(claim)
    return claims


def decide_claims(claims: QuerySet[Claim], *, status: str, curator: AbstractBaseUser) -> int:
    return claims.update(status=status, decided_at=timezone.now(), decided_by=curator)


def registry_location(provider: Provider) -> PracticeLocation | None:
    """The listing's address and phone from the NPPES file, else its first location: what a
    curator compares a claim with."""
    locations = list(provider.locations.all())
    imported = [location for location in locations if location.source == RecordSource.NPPES]
    if imported:
        return imported[0]
    return locations[0] if locations else None


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()
