import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_healthz_answers_head(client):
    assert client.head("/healthz").status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_healthz_refuses_writes_with_405_not_a_csrf_failure(method):
    # Load balancers and probes send no CSRF token.
    response = getattr(Client(enforce_csrf_checks=True), method)("/healthz")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


# The outage half runs against a real unreachable database in tests/test_faults.py
# (a server started on a closed PostgreSQL port, and a SQLite file removed and restored).
