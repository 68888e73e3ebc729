"""factory_boy factories for the directory's models."""

from datetime import date
from decimal import Decimal

import factory

from providers.demo import npi_from_base
from providers.models import (
    InsurancePlan,
    License,
    PracticeAct,
    PracticeLocation,
    Procedure,
    Profession,
    Provider,
    ProviderPrice,
    RecordSource,
    Scope,
)


class InsurancePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsurancePlan
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    payer = "Example Health"
    kind = InsurancePlan.Kind.COMMERCIAL


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure
        django_get_or_create = ("code",)

    code = "98940"
    label = "Spinal manipulation, 1-2 regions"
    professions = factory.LazyFunction(lambda: ["chiropractor"])
    medicare_covered_for = factory.LazyFunction(lambda: ["chiropractor"])
    is_manipulation = True
    typical_price_low = Decimal("30.00")
    typical_price_high = Decimal("50.00")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    npi = factory.Sequence(lambda n: npi_from_base(100_000_000 + n))
    first_name = "Jane"
    last_name = factory.Sequence(lambda n: f"Doe{n}")
    credential = "DC"
    profession = Profession.CHIROPRACTOR
    offers_spinal_manipulation = True
    accepting_new_patients = True


class PracticeLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeLocation

    provider = factory.SubFactory(ProviderFactory)
    address_line1 = "100 Congress Ave"
    city = "Austin"
    state = "TX"
    zip_code = "78701"
    phone = "512-555-0100"
    latitude = 30.2651
    longitude = -97.7441
    source = RecordSource.CURATOR


class LicenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = License

    provider = factory.SubFactory(ProviderFactory)
    state = "TX"
    number = factory.Sequence(lambda n: f"L{n:05d}")


class ProviderPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderPrice

    provider = factory.SubFactory(ProviderFactory)
    procedure = factory.SubFactory(ProcedureFactory)
    cash_price = Decimal("40.00")


class PracticeActFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeAct

    state = "TX"
    profession = Profession.CHIROPRACTOR
    spinal_manipulation = Scope.ALLOWED
    extremity_manipulation = Scope.UNKNOWN
    manipulation_under_anesthesia = Scope.UNKNOWN
    direct_access = "unrestricted"
    note = ""
    sources = factory.LazyFunction(lambda: ["https://example.org/act"])
    confidence = "H"
    last_reviewed = date(2026, 11, 1)
