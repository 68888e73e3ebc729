"""Steps of the provider-account flow as a browser would take them, through HTTP."""

import re
from typing import Any

from django.core import mail
from django.test import Client
from django.urls import reverse

from providers.accounts.models import Claim

PASSWORD = "a-long-pass-phrase-1"
LINK = re.compile(r"https?://[^\s/]+(/\S+)")


def last_link(to: str) -> str:
    """The path of the last link emailed to `to` (the outbox is Django's test backend)."""
    message = [m for m in mail.outbox if to.lower() in m.to][-1]
    return LINK.findall(message.body)[-1]


def sign_up(client: Client, email: str) -> None:
    response = client.post(
        reverse("accounts:signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content


def sign_up_and_verify(client: Client, email: str) -> None:
    sign_up(client, email)
    assert client.get(last_link(email)).status_code == 302


def claim(client: Client, npi: str) -> None:
    response = client.post(
        reverse("accounts:claim"),
        {"npis": npi, "practice_name": "Doe Chiropractic", "phone": "512-555-0100"},
    )
    assert response.status_code == 302, response.content


def approve_in_admin(curator: Client, claim: Claim) -> None:
    response = curator.post(
        reverse("admin:accounts_claim_changelist"),
        {"action": "approve", "_selected_action": [claim.pk]},
    )
    assert response.status_code == 302


def edit_form_data(client: Client, provider_id: int, **changes: Any) -> dict[str, Any]:
    """The edit form as the browser would post it: its current values, with `changes`."""
    response = client.get(reverse("accounts:edit", args=[provider_id]))
    assert response.status_code == 200
    form = response.context["form"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form.initial.get(name)
        if name == "accepting_new_patients":
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = value
        elif value is not None:
            data[name] = str(value)
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data
