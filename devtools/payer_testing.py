"""Synthetic in-network rates files of any size, valid against CMS's 2.x schema, with the junk
real files carry: revenue codes, codes the site does not carry, institutional, derived and
per-diem prices, rates far out of range, expired rates, duplicates and TIN-only groups (NPI 0).

Written as a stream (gzip when the name ends in .gz), so a gigabyte file needs no more memory
than a small one. Used by the tests and by `manage.py bench_payer_rates`.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from devtools.nppes_testing import make_npi

OTHER_CODES = [f"{code:05d}" for code in range(99201, 99499, 3)]
NETWORKS = ["Open Access", "Choice POS II"]


@dataclass
class Generated:
    path: Path
    bytes_written: int  # uncompressed JSON
    groups: int
    listed_npis: list[str]
    items: int


class _Counter:
    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.count = 0

    def write(self, text: str) -> None:
        data = text.encode()
        self.count += len(data)
        self.out.write(data)


def _price(rng: random.Random, *, good: bool) -> dict:
    price = {
        "negotiated_type": "negotiated",
        "negotiated_rate": round(rng.uniform(18, 95), 2),
        "expiration_date": "9999-12-31",
        "billing_class": "professional",
        "setting": "outpatient",
        "service_code": ["11"],
    }
    if good:
        return price
    junk = rng.randrange(7)
    if junk == 0:
        price |= {"billing_class": "institutional"}
        del price["service_code"]
    elif junk == 1:
        price |= {"negotiated_type": rng.choice(["derived", "per diem"])}
    elif junk == 2:
        price |= {"negotiated_rate": rng.choice([0.01, 0.5, 25000.0, 99999.99])}
    elif junk == 3:
        price |= {"expiration_date": "2024-12-31"}
    elif junk == 4:
        price |= {"service_code": ["21", "22"]}
    elif junk == 5:
        price |= {"negotiated_type": "percentage", "negotiated_rate": rng.choice([65, 70.5])}
    else:
        price |= {"service_code": ["CSTM-00"], "negotiated_type": "fee schedule"}
    return price


def write_in_network_file(
    path: Path,
    *,
    target_bytes: int,
    groups: int = 50_000,
    listed_share: float = 0.02,
    carried_codes: Sequence[str] = ("98940", "98941", "97110", "97140"),
    npis_per_group: int = 40,
    seed: int = 0,
) -> Generated:
    """Write a file of about `target_bytes` of JSON: `groups` provider groups, `listed_share`
    of them holding one NPI from `listed_npis` (returned), then rates until the size is
    reached. Provider references come after the rates, as many payers write them."""
    rng = random.Random(seed)
    listed_groups = set(rng.sample(range(1, groups + 1), max(1, int(groups * listed_share))))
    listed: list[str] = []
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "wb") as raw:
        out = _Counter(raw)
        out.write(
            '{"reporting_entity_name": "Synthetic Health Insurance Company", '
            '"reporting_entity_type": "health insurance issuer", '
            '"last_updated_on": "2026-11-01", "version": "2.0.0", "in_network": ['
        )
        reference_bytes = groups * (npis_per_group * 12 + 160)
        items = 0
        while out.count + reference_bytes < target_bytes or items == 0:
            roll = rng.random()
            if roll < 0.1:
                code, code_type = rng.choice(carried_codes), "CPT"
            elif roll < 0.15:
                code, code_type = f"0{rng.randrange(100, 999)}", "RC"
            else:
                code, code_type = rng.choice(OTHER_CODES), "CPT"
            rates = []
            for _ in range(rng.randrange(5, 40)):
                prices = [_price(rng, good=rng.random() < 0.7)]
                if rng.random() < 0.2:  # a second price for the same groups
                    prices.append(_price(rng, good=True))
                    prices[-1]["billing_code_modifier"] = ["GP"]
                rates.append(
                    {
                        "provider_references": sorted(
                            set(rng.choices(range(1, groups + 1), k=rng.randrange(1, 60)))
                        ),
                        "negotiated_prices": prices,
                    }
                )
                if rng.random() < 0.1:  # the same rate again, as real files repeat them
                    rates.append(rates[-1])
            item = {
                "negotiation_arrangement": "ffs",
                "name": f"Service {code}",
                "billing_code_type": code_type,
                "billing_code_type_version": "2026",
                "billing_code": code,
                "description": f"Service {code}",
                "negotiated_rates": rates,
            }
            out.write(("," if items else "") + json.dumps(item))
            items += 1
        out.write('], "provider_references": [')
        for group_id in range(1, groups + 1):
            npis = [
                make_npi(str(rng.randrange(110_000_000, 199_999_999)))
                for _ in range(npis_per_group)
            ]
            if group_id in listed_groups:
                npis[0] = make_npi(str(200_000_000 + group_id))
                listed.append(npis[0])
            provider_groups = [
                {
                    "npi": sorted({int(npi) for npi in npis}),
                    "tin": {"type": "ein", "value": "12-3456789", "business_name": "Group"},
                }
            ]
            if group_id % 50 == 0:  # a contract made by TIN only
                provider_groups.append(
                    {
                        "npi": [0],
                        "tin": {"type": "ein", "value": "98-7654321", "business_name": "T"},
                    }
                )
            reference = {
                "provider_group_id": group_id,
                "network_name": [NETWORKS[group_id % len(NETWORKS)]],
                "provider_groups": provider_groups,
            }
            out.write(("," if group_id > 1 else "") + json.dumps(reference))
        out.write("]}")
    return Generated(path, out.count, groups, listed, items)
