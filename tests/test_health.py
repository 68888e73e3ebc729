import pytest


@pytest.mark.django_db
def test_healthz_reports_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


# The outage half runs against a real unreachable database in tests/test_faults.py
# (a server started on a closed PostgreSQL port, and a SQLite file removed and restored).
