import gzip
import json
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from django.core.management import CommandError, call_command

from providers.models import (
    AcceptanceSource,
    ImportRun,
    InsurancePlan,
    NegotiatedRate,
    PlanAcceptance,
)
from providers.payer_rates import import_payer_files, plan_slug
from tests.factories import (
    InsurancePlanFactory,
    PracticeLocationFactory,
    ProcedureFactory,
    ProviderFactory,
)
from tests.providers.payer_files import (
    code_item,
    group,
    in_network_file,
    price,
    rate,
    single_plan,
    write,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 20)
SCHEMAS = Path(__file__).resolve().parent / "tic"
NETWORK = "Open Access"
SLUG = "aetna-life-insurance-company-open-access"


def rates_of(provider) -> list[tuple]:
    return list(
        NegotiatedRate.objects.filter(provider=provider)
        .order_by("plan__slug", "procedure__code", "negotiated_type", "rate")
        .values_list(
            "plan__slug",
            "procedure__code",
            "negotiated_type",
            "rate",
            "billing_class",
            "places_of_service",
            "expires",
            "source_file",
            "file_date",
        )
    )


def evidence() -> list[tuple]:
    return sorted(
        PlanAcceptance.objects.values_list(
            "provider__last_name", "plan__slug", "source", "source_file", "file_date", "ended_on"
        )
    )


def validate(document: dict, schema: str = "in-network-rates.json") -> None:
    jsonschema.validate(document, json.loads((SCHEMAS / schema).read_text()))


def two_x_file(alice, bob, **overrides) -> dict:
    """Rates first, references after; junk of every kind beside two good prices."""
    references = [
        group(1, [int(alice.npi), 1234567890], [NETWORK], tin_only=True),
        group(2, [int(bob.npi)], [NETWORK]),
        group(3, [1999999992], ["Other Network"]),  # nobody listed
    ]
    items = [
        code_item(
            "98940",
            [
                rate(
                    [1],
                    [
                        price(27.5),
                        price(0.5),  # under $1
                        price(5000),  # over $1,000
                        price(30, billing_class="institutional"),
                        price(31, negotiated_type="derived"),
                        price(32, places=("21",)),  # inpatient hospital, not an office
                        price(33, expires="2025-12-31"),  # expired before the import
                    ],
                ),
                rate([1], [price(27.5)]),  # the same price again: a duplicate
                rate([2], [price(65.0, negotiated_type="percentage", places=("11", "22"))]),
                rate([3], [price(40)]),
            ],
        ),
        code_item("0200", [rate([1], [price(40, billing_class="institutional")])], code_type="RC"),
        code_item("99213", [rate([1], [price(90)])]),  # a code the site does not carry
    ]
    document = in_network_file(references=references, items=items, **overrides)
    validate(document)
    return document


def test_it_imports_a_2x_file_with_references_after_the_rates(listed, tmp_path) -> None:
    alice, bob = listed
    path = write(tmp_path / "aetna-2026-11.json.gz", two_x_file(alice, bob))

    summary = import_payer_files([path], today=TODAY)

    assert rates_of(alice) == [
        (SLUG, "98940", "negotiated", Decimal("27.50"), "professional", "11", None,
         "aetna-2026-11.json.gz", date(2026, 11, 1)),
    ]  # fmt: skip
    assert rates_of(bob) == [
        (SLUG, "98940", "percentage", Decimal("65.00"), "professional", "11,22", None,
         "aetna-2026-11.json.gz", date(2026, 11, 1)),
    ]  # fmt: skip
    assert evidence() == [
        ("Alice", SLUG, "payer_file", "aetna-2026-11.json.gz", date(2026, 11, 1), None),
        ("Bob", SLUG, "payer_file", "aetna-2026-11.json.gz", date(2026, 11, 1), None),
    ]
    plan = InsurancePlan.objects.get(slug=SLUG)
    assert (plan.name, plan.payer, plan.kind) == (
        NETWORK,
        "Aetna Life Insurance Company",
        "commercial",
    )
    assert list(alice.insurance_plans.values_list("slug", flat=True)) == [SLUG]
    assert alice.locations.get().search_plans == f",{plan.id},"
    assert summary.skipped == {
        "duplicate": 1,
        "rate_out_of_range": 2,
        "not_professional": 1,
        "not_a_patient_price": 1,
        "not_office": 1,
        "expired": 1,
        "no_listed_provider": 1,
        "revenue_code": 1,
        "code_not_carried": 1,
    }
    assert (summary.rates_kept, summary.acceptances_new, summary.plans_created) == (2, 2, [SLUG])
    item = summary.files[0].counts
    assert (item.npis_read, item.npis_kept, item.npi_zero) == (5, 2, 1)
    run = ImportRun.objects.get()
    assert (run.status, run.summary["rates_kept"], run.summary["skipped"]["expired"]) == (
        "finished", 2, 1,
    )  # fmt: skip


def test_a_reimport_changes_nothing(listed, tmp_path) -> None:
    alice, bob = listed
    path = write(tmp_path / "aetna.json", two_x_file(alice, bob, references_first=True))
    import_payer_files([path], today=TODAY)
    before = (rates_of(alice), rates_of(bob), evidence())

    import_payer_files([path], today=TODAY)

    assert (rates_of(alice), rates_of(bob), evidence()) == before
    assert NegotiatedRate.objects.count() == 2


def test_it_reads_a_1x_file_with_inline_groups_and_an_external_reference(listed, tmp_path) -> None:
    alice, bob = listed
    items = [
        code_item(
            "98940",
            [
                {
                    "provider_groups": [
                        {"npi": [int(alice.npi)], "tin": {"type": "ein", "value": "1"}}
                    ],
                    "negotiated_prices": [price(29.1, version=1)],
                },
                {
                    "provider_references": [40.0000000001],
                    "negotiated_prices": [price(31, version=1)],
                },
            ],
        ),
    ]
    references = [
        {
            "provider_group_id": 40,
            "provider_groups": [{"npi": [int(bob.npi)], "tin": {"type": "ein", "value": "2"}}],
        },
        {"provider_group_id": 41, "location": "https://example.com/groups/41.json"},
    ]  # fmt: skip
    document = in_network_file(
        references=references,
        items=items,
        version="1.0.0",
        plan={k: v for k, v in single_plan("Choice POS II").items() if k != "plan_sponsor_name"},
    )
    validate(document, "in-network-rates-v1.json")
    path = write(tmp_path / "v1.json", document)

    summary = import_payer_files([path], today=TODAY)

    slug = "acme-health-choice-pos-ii"
    assert [r[:4] for r in rates_of(alice)] == [(slug, "98940", "negotiated", Decimal("29.10"))]
    assert [r[:4] for r in rates_of(bob)] == [(slug, "98940", "negotiated", Decimal("31.00"))]
    assert summary.external_references == 1
    assert summary.files[0].counts.external_locations == ["https://example.com/groups/41.json"]
    out = ImportRun.objects.get().summary
    assert out["external_references"] == 1


def test_npis_given_as_strings_are_matched(listed, tmp_path) -> None:
    # Outside the schema, but real files do it.
    alice, _bob = listed
    items = [code_item("98940", [rate([1], [price(27)])])]
    document = in_network_file(references=[group(1, [alice.npi, "0"], [NETWORK])], items=items)
    summary = import_payer_files([write(tmp_path / "s.json", document)], today=TODAY)
    assert [r[3] for r in rates_of(alice)] == [Decimal("27.00")]
    assert summary.files[0].counts.npi_zero == 1


def test_a_wildcard_code_counts_for_every_carried_code(listed, tmp_path) -> None:
    alice, _bob = listed
    items = [code_item("CSTM-00", [rate([1], [price(45, places=("CSTM-00",))])])]
    document = in_network_file(references=[group(1, [int(alice.npi)], [NETWORK])], items=items)
    validate(document)
    import_payer_files([write(tmp_path / "all.json", document)], today=TODAY)

    assert [(r[1], r[3], r[5]) for r in rates_of(alice)] == [
        ("97110", Decimal("45.00"), "CSTM-00"),
        ("98940", Decimal("45.00"), "CSTM-00"),
    ]


def test_a_table_of_contents_gives_a_file_its_two_plans(listed, tmp_path) -> None:
    alice, bob = listed
    toc = json.loads((SCHEMAS / "table-of-contents-sample.json").read_text())
    path = write(tmp_path / "in-network-file-123456.json", two_x_file(alice, bob))

    import_payer_files([path], toc=write(tmp_path / "toc.json", toc), today=TODAY)

    slugs = ["cms-medicaid", "cms-medicare"]
    assert [r[0] for r in rates_of(alice)] == slugs
    assert sorted({(e[0], e[1]) for e in evidence()}) == [
        ("Alice", "cms-medicaid"), ("Alice", "cms-medicare"),
        ("Bob", "cms-medicaid"), ("Bob", "cms-medicare"),
    ]  # fmt: skip
    assert InsurancePlan.objects.get(slug="cms-medicare").kind == "marketplace"  # individual


def test_plan_names_one_existing_plan_for_every_file(listed, tmp_path) -> None:
    alice, bob = listed
    plan = InsurancePlanFactory(slug="aetna-ppo")
    path = tmp_path / "aetna.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("inside.json", json.dumps(two_x_file(alice, bob)))

    call_command("import_payer_rates", str(path), "--plan", "aetna-ppo", stdout=None)

    assert {r[0] for r in rates_of(alice) + rates_of(bob)} == {"aetna-ppo"}
    assert list(InsurancePlan.objects.values_list("slug", flat=True)) == [plan.slug]


def test_a_newer_file_that_drops_a_provider_ends_its_listing_and_keeps_the_curators(
    listed, tmp_path
) -> None:
    alice, bob = listed
    import_payer_files([write(tmp_path / "oct.json", two_x_file(alice, bob))], today=TODAY)
    plan = InsurancePlan.objects.get(slug=SLUG)
    PlanAcceptance.objects.create(provider=alice, plan=plan, source=AcceptanceSource.CURATOR)
    newer = in_network_file(
        references=[group(2, [int(bob.npi)], [NETWORK])],
        items=[code_item("98940", [rate([2], [price(28)])])],
        last_updated_on="2026-12-01",
    )
    later = date(2026, 12, 2)

    import_payer_files([write(tmp_path / "dec.json", newer)], today=later)

    assert evidence() == [
        ("Alice", SLUG, "curator", "", None, None),
        ("Alice", SLUG, "payer_file", "oct.json", date(2026, 11, 1), later),
        ("Bob", SLUG, "payer_file", "dec.json", date(2026, 12, 1), None),
    ]
    assert rates_of(alice) == []
    assert list(alice.insurance_plans.all()) == [plan]  # the curator still says so

    # Without a curator's word, an ended listing takes the plan off the provider.
    january = in_network_file(
        references=[group(1, [int(alice.npi)], [NETWORK])],
        items=[code_item("98940", [rate([1], [price(28)])])],
        last_updated_on="2027-01-01",
    )
    import_payer_files([write(tmp_path / "jan.json", january)], today=date(2027, 1, 2))
    assert list(bob.insurance_plans.all()) == []
    assert list(alice.insurance_plans.all()) == [plan]


def test_a_newer_file_without_any_listed_provider_ends_the_networks_listings(
    listed, tmp_path
) -> None:
    alice, bob = listed
    import_payer_files([write(tmp_path / "oct.json", two_x_file(alice, bob))], today=TODAY)
    nobody = in_network_file(
        references=[group(1, [1999999992], [NETWORK]), group(2, [1234567893], ["New Network"])],
        items=[code_item("98940", [rate([1, 2], [price(28)])])],
        last_updated_on="2026-12-01",
    )

    summary = import_payer_files([write(tmp_path / "dec.json", nobody)], today=date(2026, 12, 2))

    assert [row[-1] for row in evidence()] == [date(2026, 12, 2), date(2026, 12, 2)]
    assert NegotiatedRate.objects.count() == 0
    assert (alice.insurance_plans.count(), bob.insurance_plans.count()) == (0, 0)
    assert summary.plans_created == []  # no plan for a network no listed provider is in
    assert list(InsurancePlan.objects.values_list("slug", flat=True)) == [SLUG]


def test_an_older_file_does_not_replace_a_newer_one(listed, tmp_path) -> None:
    alice, bob = listed
    newer = write(tmp_path / "dec.json", two_x_file(alice, bob, last_updated_on="2026-12-01"))
    older = write(tmp_path / "nov.json", two_x_file(alice, bob, last_updated_on="2026-10-01"))
    import_payer_files([newer], today=TODAY)

    summary = import_payer_files([older], today=TODAY)

    assert summary.plans_older_than_stored == [SLUG]
    assert {r[8] for r in rates_of(alice)} == {date(2026, 12, 1)}


def network_part(npi_rates: dict[str, float], *, last_updated_on: str = "2026-11-01") -> dict:
    """One file of a network's publication: each NPI its own group, with one 98940 rate."""
    references = [group(i, [int(npi)], [NETWORK]) for i, npi in enumerate(npi_rates, 1)]
    rates = [rate([i], [price(amount)]) for i, amount in enumerate(npi_rates.values(), 1)]
    document = in_network_file(
        references=references, items=[code_item("98940", rates)], last_updated_on=last_updated_on
    )
    validate(document)
    return document


def test_a_network_split_over_two_files_imports_in_one_run(listed, tmp_path) -> None:
    alice, bob = listed
    part1 = write(tmp_path / "aetna-part1.json", network_part({alice.npi: 27.5}))
    part2 = write(tmp_path / "aetna-part2.json", network_part({bob.npi: 29, alice.npi: 27.5}))

    summary = import_payer_files([part1, part2], today=TODAY)

    assert [r[3] for r in rates_of(alice)] == [Decimal("27.50")]  # stored once
    assert [(r[3], r[7]) for r in rates_of(bob)] == [(Decimal("29.00"), "aetna-part2.json")]
    assert [row[:3] for row in evidence()] == [
        ("Alice", SLUG, "payer_file"),
        ("Bob", SLUG, "payer_file"),
    ]
    assert summary.files[1].counts.skipped == {"duplicate": 1}


def test_each_file_of_a_publication_imported_alone_keeps_the_others_rates(listed, tmp_path) -> None:
    alice, bob = listed
    part1 = write(tmp_path / "aetna-part1.json", network_part({alice.npi: 27.5}))
    part2 = write(tmp_path / "aetna-part2.json", network_part({bob.npi: 29}))

    import_payer_files([part1], today=TODAY)
    import_payer_files([part2], today=TODAY)
    both = (rates_of(alice), rates_of(bob), evidence())
    import_payer_files([part1], today=TODAY)  # a re-run of one part changes nothing

    assert (rates_of(alice), rates_of(bob), evidence()) == both
    assert [(r[3], r[7]) for r in rates_of(alice)] == [(Decimal("27.50"), "aetna-part1.json")]
    assert [(r[3], r[7]) for r in rates_of(bob)] == [(Decimal("29.00"), "aetna-part2.json")]
    assert evidence() == [
        ("Alice", SLUG, "payer_file", "aetna-part1.json", date(2026, 11, 1), None),
        ("Bob", SLUG, "payer_file", "aetna-part2.json", date(2026, 11, 1), None),
    ]
    plan = InsurancePlan.objects.get(slug=SLUG)
    assert (list(alice.insurance_plans.all()), list(bob.insurance_plans.all())) == ([plan], [plan])


def test_a_rate_two_parts_give_is_stored_once_across_runs(listed, tmp_path) -> None:
    alice, bob = listed
    import_payer_files(
        [write(tmp_path / "part1.json", network_part({alice.npi: 27.5}))], today=TODAY
    )
    both = network_part({bob.npi: 29, alice.npi: 27.5})

    import_payer_files([write(tmp_path / "part2.json", both)], today=TODAY)

    assert [(r[3], r[7]) for r in rates_of(alice)] == [(Decimal("27.50"), "part1.json")]
    assert len(rates_of(bob)) == 1


def test_a_part_that_drops_a_provider_ends_only_that_parts_listing(listed, tmp_path) -> None:
    alice, bob = listed
    import_payer_files(
        [write(tmp_path / "part1.json", network_part({alice.npi: 27.5}))], today=TODAY
    )
    import_payer_files([write(tmp_path / "part2.json", network_part({bob.npi: 29}))], today=TODAY)
    carol = PracticeLocationFactory(provider__last_name="Carol").provider
    later = date(2026, 11, 25)

    # Part 1 of the same publication, corrected: Carol instead of Alice.
    import_payer_files([write(tmp_path / "part1.json", network_part({carol.npi: 26}))], today=later)

    assert evidence() == [
        ("Alice", SLUG, "payer_file", "part1.json", date(2026, 11, 1), later),
        ("Bob", SLUG, "payer_file", "part2.json", date(2026, 11, 1), None),
        ("Carol", SLUG, "payer_file", "part1.json", date(2026, 11, 1), None),
    ]
    assert (rates_of(alice), len(rates_of(bob)), len(rates_of(carol))) == ([], 1, 1)


def test_the_next_publication_replaces_every_part(listed, tmp_path) -> None:
    alice, bob = listed
    import_payer_files(
        [
            write(tmp_path / "nov-part1.json", network_part({alice.npi: 27.5})),
            write(tmp_path / "nov-part2.json", network_part({bob.npi: 29})),
        ],
        today=TODAY,
    )
    december = network_part({bob.npi: 30}, last_updated_on="2026-12-01")

    import_payer_files([write(tmp_path / "dec-part1.json", december)], today=date(2026, 12, 2))

    assert rates_of(alice) == []
    assert [(r[3], r[7], r[8]) for r in rates_of(bob)] == [
        (Decimal("30.00"), "dec-part1.json", date(2026, 12, 1))
    ]
    assert [row[-1] for row in evidence()] == [date(2026, 12, 2), None]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.json.gz", b"not gzip at all", "bad.json.gz: the compressed data is broken after 0"),
        ("bad.json", b'{"version": "2.0.0", "in_network": [{"a": tru}]}',
         "bad.json: invalid JSON near byte 46: lexical error"),
        ("cut.json.gz", None, "cut.json.gz: "),
        ("nodate.json", b'{"version": "2.0.0", "reporting_entity_name": "x", "in_network": []}',
         "nodate.json: not an in-network rates file: no `last_updated_on` at the top level"),
    ],
)  # fmt: skip
def test_a_broken_file_is_refused_with_its_position_and_nothing_written(
    listed, tmp_path, name, content, message
) -> None:
    alice, bob = listed
    good = write(tmp_path / "good.json", two_x_file(alice, bob))
    if content is None:  # a gzip cut short
        content = gzip.compress(json.dumps(two_x_file(alice, bob)).encode())[:-40]
    bad = tmp_path / name
    bad.write_bytes(content)

    with pytest.raises(CommandError) as error:
        call_command("import_payer_rates", str(good), str(bad))

    assert message in str(error.value)
    assert str(error.value).endswith("Nothing was written.")
    assert (NegotiatedRate.objects.count(), PlanAcceptance.objects.count()) == (0, 0)
    assert not InsurancePlan.objects.filter(slug=SLUG).exists()
    assert ImportRun.objects.get().status == "failed"


def test_the_command_prints_a_summary(listed, tmp_path, capsys) -> None:
    alice, bob = listed
    path = write(tmp_path / "aetna.json", two_x_file(alice, bob))
    call_command("import_payer_rates", str(path))
    out = capsys.readouterr().out
    assert "aetna.json: version 2.0.0, dated 2026-11-01" in out
    assert "rates kept: " in out
    assert "    revenue_code: 1" in out


def test_plan_slugs_are_stable_and_fit() -> None:
    assert plan_slug("Aetna", "Open Access") == "aetna-open-access"
    long = plan_slug("A Very Long Payer Name Incorporated", "x" * 80)
    assert len(long) == 60
    assert long == plan_slug("A Very Long Payer Name Incorporated", "x" * 80)


def test_a_generated_file_is_valid_and_imports_its_listed_providers(tmp_path) -> None:
    from devtools.payer_testing import write_in_network_file

    for code in ("98940", "98941", "97110", "97140"):
        ProcedureFactory(code=code)
    path = tmp_path / "generated.json"
    generated = write_in_network_file(path, target_bytes=400_000, groups=300, seed=3)
    validate(json.loads(path.read_text()))
    providers = [ProviderFactory(npi=npi) for npi in generated.listed_npis]

    summary = import_payer_files([write(tmp_path / "g.json.gz", json.loads(path.read_text()))],
                                 today=TODAY)  # fmt: skip

    counts = summary.files[0].counts
    assert counts.npis_kept == len(providers) == 6
    assert counts.npi_zero == 6  # every 50th group is a TIN-only contract
    assert summary.rates_kept == NegotiatedRate.objects.count() > 0
    assert {"revenue_code", "code_not_carried", "not_professional", "duplicate"} <= set(
        summary.skipped
    )
    assert set(InsurancePlan.objects.values_list("slug", flat=True)) <= {
        "synthetic-health-insurance-company-open-access",
        "synthetic-health-insurance-company-choice-pos-ii",
    }
