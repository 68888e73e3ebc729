"""Synthetic Doctors and Clinicians files for tests and benchmarks, in the CMS layout.

The header is the published `DAC_NationalDownloadableFile.csv` one, mixed styles and all; every
value is quoted, as CMS writes it. Rows for NPIs not given are other specialties.
"""

import csv
import random
from collections.abc import Iterable, Iterator
from pathlib import Path

from devtools.nppes_testing import make_npi

DAC_HEADER = [
    "NPI", "Ind_PAC_ID", "Ind_enrl_ID", "Provider Last Name", "Provider First Name",
    "Provider Middle Name", "suff", "gndr", "Cred", "Med_sch", "Grd_yr", "pri_spec",
    "sec_spec_1", "sec_spec_2", "sec_spec_3", "sec_spec_4", "sec_spec_all", "Telehlth",
    "Facility Name", "org_pac_id", "num_org_mem", "adr_ln_1", "adr_ln_2", "ln_2_sprs",
    "City/Town", "State", "ZIP Code", "Telephone Number", "ind_assgn", "grp_assgn", "adrs_id",
]  # fmt: skip

_SPECIALTIES = ["INTERNAL MEDICINE", "FAMILY PRACTICE", "NURSE PRACTITIONER", "CARDIOLOGY"]


def dac_row(
    npi: str,
    *,
    specialty: str = "CHIROPRACTIC",
    street: str = "100 Congress Ave",
    city: str = "AUSTIN",
    state: str = "TX",
    zip_code: str = "787010000",
    assignment: str = "Y",
    telehealth: str = "",
) -> dict[str, str]:
    return {
        "NPI": npi,
        "Ind_PAC_ID": "1234567890",
        "Ind_enrl_ID": "I20200101000000",
        "Provider Last Name": "DOE",
        "Provider First Name": "JANE",
        "gndr": "F",
        "Cred": "DC" if specialty == "CHIROPRACTIC" else "",
        "Grd_yr": "2005",
        "pri_spec": specialty,
        "sec_spec_all": "",
        "Telehlth": telehealth,
        "adr_ln_1": street,
        "City/Town": city,
        "State": state,
        "ZIP Code": zip_code,
        "Telephone Number": "5125550100",
        "ind_assgn": assignment,
        "grp_assgn": assignment,
        "adrs_id": "TX787010000AU100XXAVE400",
    }


def write_dac_csv(path: str | Path, rows: Iterable[dict[str, str]]) -> int:
    """Write rows (dicts keyed by DAC_HEADER names; missing ones blank); return the count."""
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(DAC_HEADER)
        for row in rows:
            writer.writerow([row.get(name, "") for name in DAC_HEADER])
            count += 1
    return count


def other_clinicians(count: int, *, seed: int = 1) -> Iterator[dict[str, str]]:
    """Rows for clinicians the directory does not list: other specialties, random NPIs."""
    rng = random.Random(seed)
    for _ in range(count):
        npi = make_npi(str(rng.randrange(100_000_000, 299_999_999)))
        yield dac_row(
            npi,
            specialty=rng.choice(_SPECIALTIES),
            street=f"{rng.randrange(1, 9999)} Main St",
            zip_code=f"{rng.randrange(10000, 99999)}0000",
            assignment=rng.choice("YYYYM"),
            telehealth=rng.choice(["Y", ""]),
        )
