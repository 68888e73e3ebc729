"""Synthetic NPPES files for tests and benchmarks: the real header, valid NPIs, realistic rows.

The header is the monthly `npidata_pfile_*.csv` layout (330 columns, in CMS order; the 2023
rename of "Provider Gender Code" to "Provider Sex Code" included). Every value is quoted, as in
the CMS file.
"""

import csv
import random
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from providers.validators import NPI_PREFIX

_PRACTICE = "Business Practice Location Address"
_MAILING = "Business Mailing Address"


def _address_columns(kind: str) -> list[str]:
    return [
        f"Provider First Line {kind}",
        f"Provider Second Line {kind}",
        f"Provider {kind} City Name",
        f"Provider {kind} State Name",
        f"Provider {kind} Postal Code",
        f"Provider {kind} Country Code (If outside U.S.)",
        f"Provider {kind} Telephone Number",
        f"Provider {kind} Fax Number",
    ]


def _nppes_columns() -> list[str]:
    columns = [
        "NPI",
        "Entity Type Code",
        "Replacement NPI",
        "Employer Identification Number (EIN)",
        "Provider Organization Name (Legal Business Name)",
        "Provider Last Name (Legal Name)",
        "Provider First Name",
        "Provider Middle Name",
        "Provider Name Prefix Text",
        "Provider Name Suffix Text",
        "Provider Credential Text",
        "Provider Other Organization Name",
        "Provider Other Organization Name Type Code",
        "Provider Other Last Name",
        "Provider Other First Name",
        "Provider Other Middle Name",
        "Provider Other Name Prefix Text",
        "Provider Other Name Suffix Text",
        "Provider Other Credential Text",
        "Provider Other Last Name Type Code",
        *_address_columns(_MAILING),
        *_address_columns(_PRACTICE),
        "Provider Enumeration Date",
        "Last Update Date",
        "NPI Deactivation Reason Code",
        "NPI Deactivation Date",
        "NPI Reactivation Date",
        "Provider Sex Code",
        "Authorized Official Last Name",
        "Authorized Official First Name",
        "Authorized Official Middle Name",
        "Authorized Official Title or Position",
        "Authorized Official Telephone Number",
    ]
    for n in range(1, 16):
        columns += [
            f"Healthcare Provider Taxonomy Code_{n}",
            f"Provider License Number_{n}",
            f"Provider License Number State Code_{n}",
            f"Healthcare Provider Primary Taxonomy Switch_{n}",
        ]
    for n in range(1, 51):
        columns += [
            f"Other Provider Identifier_{n}",
            f"Other Provider Identifier Type Code_{n}",
            f"Other Provider Identifier State_{n}",
            f"Other Provider Identifier Issuer_{n}",
        ]
    columns += [
        "Is Sole Proprietor",
        "Is Organization Subpart",
        "Parent Organization LBN",
        "Parent Organization TIN",
        "Authorized Official Name Prefix Text",
        "Authorized Official Name Suffix Text",
        "Authorized Official Credential Text",
        *(f"Healthcare Provider Taxonomy Group_{n}" for n in range(1, 16)),
        "Certification Date",
    ]
    return columns


NPPES_COLUMNS: list[str] = _nppes_columns()
_COLUMN_SET = frozenset(NPPES_COLUMNS)


def npi_check_digit(base: str) -> str:
    """Luhn check digit for a 9-digit NPI base, computed with the 80840 prefix (CMS)."""
    total = 0
    # Digits are doubled from the rightmost digit of the payload (the check digit goes after).
    for position, char in enumerate(reversed(NPI_PREFIX + base)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def make_npi(base: str) -> str:
    """The valid NPI for a 9-digit base starting with 1 or 2 (e.g. 123456789 -> 1234567893)."""
    return base + npi_check_digit(base)


def write_nppes_csv(path: str | Path, rows: Iterable[dict[str, str]]) -> int:
    """Write rows (dicts keyed by real column names) under the full NPPES header; rows written."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(NPPES_COLUMNS)
        for row in rows:
            unknown = row.keys() - _COLUMN_SET
            if unknown:
                raise ValueError(f"Not NPPES columns: {sorted(unknown)}")
            writer.writerow([row.get(column, "") for column in NPPES_COLUMNS])
            count += 1
    return count


def zip_nppes_csv(csv_path: str | Path, zip_path: str | Path) -> None:
    """Pack a CSV like the monthly download: the data file next to its header-only twin."""
    stem = "npidata_pfile_20050523-20250608"
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}_fileheader.csv", ",".join(f'"{c}"' for c in NPPES_COLUMNS))
        archive.write(csv_path, f"{stem}.csv")
        archive.writestr("pl_pfile_20050523-20250608.csv", '"NPI"\r\n')


def provider_row(
    npi: str,
    *,
    last: str = "SMITH",
    first: str = "JOHN",
    middle: str = "",
    credential: str = "D.C.",
    taxonomies: Iterable[tuple[str, str, str, str]] = (("111N00000X", "Y", "TX", "DC1234"),),
    address: tuple[str, str, str, str, str] = ("100 CONGRESS AVE", "", "AUSTIN", "TX", "787011234"),
    phone: str = "5125550100",
    entity: str = "1",
    **columns: str,
) -> dict[str, str]:
    """One NPPES row; taxonomies are (code, primary switch, license state, license number)."""
    line1, line2, city, state, zip_code = address
    row = {
        "NPI": npi,
        "Entity Type Code": entity,
        "Provider Last Name (Legal Name)": last,
        "Provider First Name": first,
        "Provider Middle Name": middle,
        "Provider Credential Text": credential,
        f"Provider First Line {_PRACTICE}": line1,
        f"Provider Second Line {_PRACTICE}": line2,
        f"Provider {_PRACTICE} City Name": city,
        f"Provider {_PRACTICE} State Name": state,
        f"Provider {_PRACTICE} Postal Code": zip_code,
        f"Provider {_PRACTICE} Country Code (If outside U.S.)": "US",
        f"Provider {_PRACTICE} Telephone Number": phone,
        f"Provider First Line {_MAILING}": "PO BOX 12",
        f"Provider {_MAILING} City Name": "ROUND ROCK",
        f"Provider {_MAILING} State Name": "TX",
        f"Provider {_MAILING} Postal Code": "78664",
        f"Provider {_MAILING} Country Code (If outside U.S.)": "US",
        "Provider Enumeration Date": "05/23/2007",
        "Last Update Date": "01/15/2025",
    }
    for n, (code, switch, license_state, license_number) in enumerate(taxonomies, start=1):
        row[f"Healthcare Provider Taxonomy Code_{n}"] = code
        row[f"Healthcare Provider Primary Taxonomy Switch_{n}"] = switch
        row[f"Provider License Number State Code_{n}"] = license_state
        row[f"Provider License Number_{n}"] = license_number
    row.update(columns)
    return row


_LAST = [
    "SMITH",
    "GARCIA",
    "O'NEIL",
    "NGUYEN",
    "MCDONALD",
    "JOHNSON",
    "NÚÑEZ",
    "KOWALSKI",
    "PATEL",
    "LEE",
    "BROWN-WHITE",
]
_LAST += ["DAVIS", "MARTIN", "VAN DYKE", "OKAFOR", "ROSSI"]
_FIRST = ["MARY", "JOSÉ", "JAMES", "LINDA", "WEI", "FATIMA", "ROBERT", "ANA", "DAVID", "ZOE"]
_STREETS = ["MAIN ST", "OAK AVE", "1ST ST", "CONGRESS AVE", "NW 23RD AVE", "BROADWAY"]
_CHIRO = ["111N00000X", "111NS0005X", "111NX0800X", "111NP0017X"]
_PT = ["225100000X", "2251X0800X", "2251S0007X", "2251G0304X"]
_OTHER = ["207Q00000X", "363LF0000X", "1223G0001X", "390200000X", "261QP2000X", "122300000X"]
_CREDENTIALS = {"chiro": ["D.C.", "DC", "D.C., CCSP"], "pt": ["PT, DPT", "D.P.T.", "PT", "DPT"]}


def generate_rows(n: int, seed: int = 0) -> Iterator[dict[str, str]]:
    """n realistic rows: ~62% chiropractors/PTs to keep, the rest the importer must skip."""
    from providers.geo import zip_index  # loaded lazily: tests that only write rows skip it

    rng = random.Random(seed)
    places = sorted(zip_index().items())
    for i in range(n):
        npi = make_npi(f"1{(seed * 7919 + i) % 10**8:08d}")
        zip5, (_lat, _lng, city, state) = places[rng.randrange(len(places))]
        zip_code = zip5 + (f"{rng.randrange(10000):04d}" if rng.random() < 0.5 else "")
        street = f"{rng.randrange(1, 9999)} {rng.choice(_STREETS)}"
        suite = rng.choice(["", "", "STE 100", "SUITE 5, BLDG A"])
        kind = rng.choice(["chiro", "pt"])
        code = rng.choice(_CHIRO if kind == "chiro" else _PT)
        taxonomies = [(code, "Y", state, f"{kind.upper()}{rng.randrange(10**6):06d}")]
        roll = rng.random()
        if roll < 0.08:  # a PT listed under a secondary taxonomy
            taxonomies.insert(0, ("207Q00000X", "Y", state, "MD1"))
            taxonomies[1] = (code, "N", state, taxonomies[1][3])
        elif roll < 0.62:
            pass
        elif roll < 0.74:
            taxonomies = [(rng.choice(_OTHER), "Y", state, "")]
        elif roll < 0.78:
            taxonomies = [("225200000X", "Y", state, f"PTA{i}")]
        elif roll < 0.80:  # a rare bad check digit
            npi = npi[:9] + str((int(npi[9]) + 1) % 10)
        elif roll < 0.82:
            city = ""
        row = provider_row(
            npi,
            last=rng.choice(_LAST),
            first=rng.choice(_FIRST),
            middle=rng.choice(["", "A", "LEE"]),
            credential=rng.choice(_CREDENTIALS[kind]),
            taxonomies=taxonomies,
            address=(street, suite, city, state, zip_code),
            phone=f"{rng.randrange(200, 999)}555{rng.randrange(10000):04d}",
        )
        if 0.82 <= roll < 0.94:
            row.update(organization_row(name=f"{city} SPINE AND REHAB LLC"))
        elif 0.94 <= roll < 0.97:
            row = deactivated_row(npi, "06/01/2019")
        elif 0.97 <= roll < 0.98:  # deactivated then reactivated: still a provider
            row["NPI Deactivation Date"] = "06/01/2019"
            row["NPI Reactivation Date"] = "07/01/2019"
        yield row


def organization_row(*, name: str) -> dict[str, str]:
    """Fields that turn a row into an organization (entity type 2)."""
    return {
        "Entity Type Code": "2",
        "Provider Organization Name (Legal Business Name)": name,
        "Provider Last Name (Legal Name)": "",
        "Provider First Name": "",
        "Provider Middle Name": "",
        "Provider Credential Text": "",
    }


def deactivated_row(npi: str, date: str) -> dict[str, str]:
    """A deactivated NPI as CMS publishes it: everything blank but the NPI and the date."""
    return {"NPI": npi, "NPI Deactivation Date": date}
