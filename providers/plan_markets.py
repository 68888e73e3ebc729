"""Where the reference insurance plans (providers/reference_data.py) are sold, so that data
made up for a state never lists a plan its payer does not sell there (the demo data,
providers/demo.py).

A plan not in PLAN_STATES is treated as sold in every state and DC: the federal programs
(Original Medicare, TRICARE, VA Community Care, the federal employees' Blue Cross Blue Shield
plan), the programs every state runs (Medicaid, workers' compensation, auto insurance medical
payments), Blue Cross Blue Shield (a Blue company in every state), and the national payers'
employer and Medicare Advantage plans (Aetna, Cigna, UnitedHealthcare, Humana Medicare
Advantage). Those national payers' HMO and Medicare Advantage networks do not cover every
county; they are not checked state by state here. Neither REFERENCE.md nor DATA_SOURCES.md
gives payers' service areas: the sources are below.
"""

from providers.states import US_STATES

PLAN_STATES: dict[str, frozenset[str]] = {
    # Kaiser Foundation Health Plan's regions: eight states and DC [KP].
    "kaiser-permanente-hmo": frozenset({"CA", "CO", "GA", "HI", "MD", "OR", "VA", "WA", "DC"}),
    # Humana left employer group commercial medical plans (fully insured, self-funded and
    # federal employees') in stages from 2023 to 2025 [HUM]: sold nowhere now. The plan stays in
    # the reference for listings and claims that still name it.
    "humana-ppo": frozenset(),
}

SOURCES = {
    "KP": "https://about.kaiserpermanente.org/who-we-are/fast-facts (Kaiser Permanente: 8 states "
    "and the District of Columbia)",
    "HUM": "https://www.healthleadersmedia.com/payer/humana-withdraw-employer-group-commercial-"
    "business (Humana, 23 Feb 2023: exit over the next 18 to 24 months)",
}


def states_selling(slug: str) -> frozenset[str]:
    """The states (and DC) where the plan with this slug is sold."""
    return PLAN_STATES.get(slug, frozenset(US_STATES))
