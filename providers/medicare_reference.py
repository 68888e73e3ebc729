"""Medicare's national fee schedule amounts for the carried codes, shipped so that a fresh
install estimates Medicare without any download (`load_reference_data`).

National non-facility amount = (work + non-facility PE + malpractice RVUs) x conversion factor,
with every GPCI 1.0: the 2026 RVUs of CMS's PPRRVU2026 (July) file and the 2026 conversion
factor for clinicians outside qualifying APMs, $33.4009 (reference section 3, [RVU26][CF26]).
A locality imported by `import_medicare_fees` wins over these. 98943 is absent on purpose:
status N, not a Medicare benefit.
"""

from decimal import Decimal
from typing import Any

NATIONAL_SOURCE_2026 = (
    "CMS Physician Fee Schedule 2026, national (GPCI 1.0): non-facility RVUs from PPRRVU2026 "
    "(July) x conversion factor $33.4009"
)

_AMOUNTS_2026 = {
    "98940": "26.72",
    "98941": "38.41",
    "98942": "49.77",
    "97140": "27.72",
    "97110": "29.06",
    "97112": "32.73",
    "97530": "35.07",
    "98925": "32.40",
    "98926": "46.09",
    "98927": "60.79",
    "98928": "73.48",
    "98929": "85.84",
}

MEDICARE_NATIONAL_AMOUNTS: list[dict[str, Any]] = [
    {
        "year": 2026,
        "code": code,
        "non_facility_amount": Decimal(amount),
        "source": NATIONAL_SOURCE_2026,
    }
    for code, amount in _AMOUNTS_2026.items()
]
