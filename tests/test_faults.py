"""Faults: the database or Redis going away, and an import cut off mid-file.

The outage tests run the real app in a subprocess (gunicorn) against a closed port or a
database file that has disappeared, and check that it answers 503 and recovers by itself.
Nothing here stops the machine's PostgreSQL or Redis.
"""

import json
import logging
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client, override_settings

from devtools.nppes_testing import generate_rows, write_nppes_csv
from finder import middleware
from finder.models import PartnerApiKey
from providers import nppes
from providers.models import (
    ImportRun,
    License,
    PracticeLocation,
    Provider,
    RecordSource,
)
from providers.nppes import import_file
from tests.factories import PracticeLocationFactory, ProcedureFactory, ProviderPriceFactory
from tests.servers import app_env, fetch, manage, start_server, stop

BASE_DIR = Path(settings.BASE_DIR)
CLOSED_PORT_URL = "postgres://postgres@127.0.0.1:1/jointcare_unreachable"
ESTIMATE = {"visits": 2, "coverage": {"type": "self_pay"}}


# --- A real server in a subprocess ---------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def collected_static(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The servers here run with DEBUG off, whose pages name their static files through the
    collected manifest: without it a page is a 500 that has nothing to do with the fault."""
    database = tmp_path_factory.mktemp("static") / "unused.sqlite3"
    manage(app_env(DATABASE_URL=f"sqlite:///{database}"), "collectstatic", "--noinput", "-v0")


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty, migrated SQLite database file, copied by each test that needs one."""
    path = tmp_path_factory.mktemp("template") / "app.sqlite3"
    manage(app_env(DATABASE_URL=f"sqlite:///{path}"), "migrate", "--noinput")
    return path


def sqlite_copy(template: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    path = folder / "app.sqlite3"
    shutil.copy(template, path)
    return path


def assert_api_unavailable(status: int, headers: dict[str, str], body: bytes) -> None:
    assert status == 503, body[:500]
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"detail": middleware.DATABASE_UNAVAILABLE}
    assert int(headers["retry-after"]) > 0


def assert_page_unavailable(status: int, headers: dict[str, str], body: bytes) -> None:
    assert status == 503, body[:500]
    assert headers["content-type"].startswith("text/html")
    assert b"Temporarily unavailable" in body
    assert b"try again in a minute" in body
    assert int(headers["retry-after"]) > 0


# --- The database is down --------------------------------------------------------------------


def test_with_the_database_unreachable_the_app_answers_503_everywhere(tmp_path: Path) -> None:
    process, port = start_server(app_env(DATABASE_URL=CLOSED_PORT_URL), tmp_path / "server.log")
    try:
        status, _headers, body = fetch(port, "/healthz")
        assert (status, json.loads(body)) == (
            503,
            {"status": "unavailable", "database": "unreachable"},
        )
        assert_api_unavailable(*fetch(port, "/api/v1/providers/"))
        assert_api_unavailable(*fetch(port, "/api/v1/providers/?near=78701"))
        assert_api_unavailable(*fetch(port, "/api/v1/providers/1/"))
        assert_api_unavailable(*fetch(port, "/api/v1/practice-acts/TX/"))
        assert_api_unavailable(*fetch(port, "/api/v1/estimates/", method="POST", body=ESTIMATE))
        assert_page_unavailable(*fetch(port, "/"))
        assert_page_unavailable(*fetch(port, "/?near=78701"))
        assert_page_unavailable(*fetch(port, "/providers/1/"))
        assert_page_unavailable(*fetch(port, "/estimate/"))
        assert_page_unavailable(*fetch(port, "/practice-acts/"))
    finally:
        stop(process)
    log = (tmp_path / "server.log").read_text()
    assert "Internal Server Error" not in log


def test_the_app_recovers_by_itself_when_its_database_file_returns(
    migrated_sqlite: Path, tmp_path: Path
) -> None:
    """An outage and its end while the server keeps running: no restart needed."""
    data = tmp_path / "data"
    database = sqlite_copy(migrated_sqlite, data)
    env = app_env(DATABASE_URL=f"sqlite:///{database}")
    process, port = start_server(env, tmp_path / "server.log")
    away = tmp_path / "data-away"
    try:
        assert fetch(port, "/healthz")[0] == 200
        assert fetch(port, "/api/v1/providers/?page_size=11")[0] == 200
        assert fetch(port, "/")[0] == 200

        data.rename(away)  # the database disappears...
        data.write_text("not a folder")  # ...and its path cannot be opened
        assert fetch(port, "/healthz")[0] == 503
        assert_api_unavailable(*fetch(port, "/api/v1/providers/?page_size=12"))
        assert_page_unavailable(*fetch(port, "/practice-acts/"))

        data.unlink()
        away.rename(data)  # the database is back
        status, _headers, body = fetch(port, "/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
        status, _headers, body = fetch(port, "/api/v1/providers/?page_size=13")
        assert status == 200 and json.loads(body)["count"] == 0
        assert fetch(port, "/practice-acts/")[0] == 200
    finally:
        stop(process)


@pytest.mark.django_db(transaction=True)
def test_the_app_recovers_when_postgresql_comes_back(client: Client) -> None:
    """In process: the connection moves to a closed port, then back, between requests."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only; on SQLite the subprocess test above covers recovery")
    PracticeLocationFactory()
    assert client.get("/api/v1/providers/?page_size=5").status_code == 200
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        cache.clear()
        response = client.get("/api/v1/providers/?page_size=6")
        assert response.status_code == 503
        assert response.json() == {"detail": middleware.DATABASE_UNAVAILABLE}
        response = client.get("/practice-acts/")
        assert response.status_code == 503 and b"Temporarily unavailable" in response.content
        assert client.get("/healthz").status_code == 503
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    response = client.get("/api/v1/providers/?page_size=7")
    assert response.status_code == 200 and response.json()["count"] == 1
    assert client.get("/healthz").status_code == 200
    assert client.get("/practice-acts/").status_code == 200


# --- The outage middleware, in process -------------------------------------------------------


@pytest.fixture
def database_down(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/?near=78701", "/providers/1/", "/estimate/", "/practice-acts/"]
)
def test_pages_answer_the_503_page_during_an_outage(client, database_down, path) -> None:
    response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    assert "503.html" in [template.name for template in response.templates]
    assert b"Temporarily unavailable" in response.content


@pytest.mark.django_db
def test_the_admin_answers_503_during_an_outage(admin_client_logged_in, monkeypatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = admin_client_logged_in.get("/admin/providers/provider/")
    assert response.status_code == 503


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/providers/", "/api/v1/procedures/"])
def test_the_api_answers_503_json_during_an_outage(client, database_down, path) -> None:
    response = client.get(path)
    assert response.status_code == 503
    assert response.json() == {"detail": middleware.DATABASE_UNAVAILABLE}
    assert "Retry-After" in response


def test_the_503_page_falls_back_to_plain_html_when_it_cannot_render(rf, monkeypatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OperationalError("the context processor needed the database")

    monkeypatch.setattr(middleware, "render", broken)
    response = middleware.database_unavailable(rf.get("/"))
    assert response.status_code == 503
    assert b"Temporarily unavailable" in response.content


class ExplodingMiddleware:
    """Fails like a middleware whose database query hits an outage."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("connection refused")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/procedures/", "application/json"),
        ("/fhir/metadata", "application/fhir+json"),
        ("/", "text/html"),
    ],
)
def test_an_outage_outside_any_view_is_a_503_not_a_500(path, content_type) -> None:
    with override_settings(MIDDLEWARE=[*settings.MIDDLEWARE, f"{__name__}.ExplodingMiddleware"]):
        response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 503
    assert response["Content-Type"].startswith(content_type)


@pytest.mark.django_db
def test_other_errors_outside_a_view_stay_500(rf) -> None:
    try:
        raise ValueError("a bug")
    except ValueError:
        response = middleware.server_error(rf.get("/api/v1/procedures/"))
    assert response.status_code == 500


# --- Redis is down ---------------------------------------------------------------------------

REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def redis_down() -> Iterator[None]:
    with override_settings(CACHES=REDIS_DOWN):
        yield


@pytest.mark.django_db
def test_requests_still_succeed_with_redis_down_and_say_so_in_the_log(
    world, redis_down, client, caplog
) -> None:
    provider = world["in_range"]
    ProviderPriceFactory(provider=provider, procedure=ProcedureFactory())
    _key, secret = PartnerApiKey.objects.create_key(name="partner", owner_contact="p@example.org")
    caplog.set_level(logging.WARNING)
    calls = [
        client.get("/api/v1/providers/?near=78701"),
        client.get("/api/v1/providers/?near=Austin, TX"),
        client.get(f"/api/v1/providers/{provider.id}/"),
        client.get("/api/v1/practice-acts/"),
        client.post("/api/v1/estimates/", ESTIMATE, content_type="application/json"),
        client.get("/api/v1/providers/", HTTP_AUTHORIZATION=f"Api-Key {secret}"),
        client.get("/api/v1/providers/", HTTP_ORIGIN="https://partner.example"),
        client.get("/?near=78701"),
        client.get(f"/providers/{provider.id}/"),
        client.get(f"/estimate/?provider={provider.id}&code=98940&visits=2&coverage_type=self_pay"),
        client.get("/practice-acts/"),
        client.get("/healthz"),
    ]
    assert [response.status_code for response in calls] == [200] * len(calls)
    assert calls[0].json()["count"] == 1
    warnings = " ".join(record.getMessage() for record in caplog.records)
    assert "Rate limiting skipped: the cache is unavailable" in warnings
    assert "Search cache unavailable" in warnings
    assert "practice_acts treated as changed" in warnings
    assert all(record.levelno < logging.ERROR for record in caplog.records)


@pytest.mark.django_db
def test_admin_edits_still_save_with_redis_down(world, redis_down) -> None:
    provider = world["in_range"]
    provider.curator_notes = "Called the clinic"
    provider.save()  # the save signals try to invalidate cached listings
    provider.refresh_from_db()
    assert provider.curator_notes == "Called the clinic"


# --- An import cut off mid-file -----------------------------------------------------------------


def snapshot() -> dict[str, tuple]:
    """Each provider as the importer leaves it: NPPES fields, locations and licenses."""
    result = {}
    for provider in Provider.objects.prefetch_related("locations", "licenses"):
        result[provider.npi] = (
            provider.first_name,
            provider.middle_name,
            provider.last_name,
            provider.credential,
            provider.profession,
            sorted(
                (loc.address_line1, loc.address_line2, loc.city, loc.state, loc.zip_code)
                for loc in provider.locations.all()
            ),
            sorted((lic.state, lic.number) for lic in provider.licenses.all()),
        )
    return result


@pytest.fixture
def nppes_file(tmp_path: Path) -> Path:
    path = tmp_path / "npidata_pfile.csv"
    write_nppes_csv(path, generate_rows(400, seed=5))
    return path


@pytest.fixture
def clean_import(nppes_file: Path) -> dict[str, tuple]:
    """What an uninterrupted import produces; the database is emptied again afterwards."""
    import_file(nppes_file, batch_size=50)
    expected = snapshot()
    Provider.objects.all().delete()
    ImportRun.objects.all().delete()
    assert len(expected) > 150
    return expected


def assert_whole(partial: dict[str, tuple], expected: dict[str, tuple]) -> None:
    """Every provider written so far is complete: exactly as a full import writes it."""
    assert partial, "the interruption came before anything was committed"
    assert len(partial) < len(expected), "the interruption came after the end"
    assert {npi: expected[npi] for npi in partial} == partial
    orphans = Provider.objects.filter(locations__isnull=True)
    assert not orphans.exists()


@pytest.mark.django_db
def test_an_import_interrupted_between_rows_resumes_by_rerunning(
    nppes_file: Path, clean_import: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_read_records = nppes.read_records

    def cut_off(*args: object, **kwargs: object):
        for count, row in enumerate(real_read_records(*args, **kwargs)):
            if count == 230:  # mid-file and mid-batch
                raise KeyboardInterrupt
            yield row

    monkeypatch.setattr(nppes, "read_records", cut_off)
    with pytest.raises(KeyboardInterrupt):
        import_file(nppes_file, batch_size=50)
    assert_whole(snapshot(), clean_import)
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED

    monkeypatch.setattr(nppes, "read_records", real_read_records)
    import_file(nppes_file, batch_size=50)
    assert snapshot() == clean_import


@pytest.mark.django_db
def test_an_import_interrupted_inside_a_batch_write_leaves_no_half_written_provider(
    nppes_file: Path, clean_import: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_bulk_create = License.objects.bulk_create
    calls = []

    def fail_third_batch(objs, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # the batch's providers and locations are written by now
            raise KeyboardInterrupt
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(License.objects, "bulk_create", fail_third_batch)
    with pytest.raises(KeyboardInterrupt):
        import_file(nppes_file, batch_size=50)
    partial = snapshot()
    assert_whole(partial, clean_import)
    assert PracticeLocation.objects.filter(source=RecordSource.NPPES).count() == len(partial)

    monkeypatch.setattr(License.objects, "bulk_create", real_bulk_create)
    import_file(nppes_file, batch_size=50)
    assert snapshot() == clean_import


def test_an_import_killed_mid_file_resumes_by_rerunning(
    migrated_sqlite: Path, tmp_path: Path
) -> None:
    """SIGKILL, as an OOM killer or a lost container would: no Python cleanup runs at all."""
    source = tmp_path / "npidata_pfile.csv"
    write_nppes_csv(source, generate_rows(6000, seed=9))
    killed = sqlite_copy(migrated_sqlite, tmp_path / "killed")
    clean = sqlite_copy(migrated_sqlite, tmp_path / "clean")
    command = [sys.executable, "manage.py", "import_nppes", str(source), "--batch-size", "200"]
    env = app_env(DATABASE_URL=f"sqlite:///{killed}")

    process = subprocess.Popen(
        command, cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while count_providers(killed) == 0:  # the first batch is committed: kill it now
            assert process.poll() is None, "the import finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        process.kill()
        process.wait(timeout=30)
    half_written = query(
        killed,
        "SELECT COUNT(*) FROM providers_provider p WHERE NOT EXISTS "
        "(SELECT 1 FROM providers_practicelocation l WHERE l.provider_id = p.id)",
    )
    assert half_written == 0
    assert query(killed, "SELECT status FROM providers_importrun") == "running"

    subprocess.run(command, cwd=BASE_DIR, env=env, check=True, capture_output=True, timeout=300)
    clean_env = app_env(DATABASE_URL=f"sqlite:///{clean}")
    subprocess.run(
        command, cwd=BASE_DIR, env=clean_env, check=True, capture_output=True, timeout=300
    )
    assert table_rows(killed) == table_rows(clean)


def query(database: Path, sql: str) -> object:
    db = sqlite3.connect(database)
    try:
        return db.execute(sql).fetchone()[0]
    finally:
        db.close()


def count_providers(database: Path) -> int:
    try:
        return int(query(database, "SELECT COUNT(*) FROM providers_provider"))
    except sqlite3.OperationalError:  # locked by the writer for a moment
        return 0


def table_rows(database: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(database)
    try:
        return {
            "providers": db.execute(
                "SELECT npi, first_name, middle_name, last_name, credential, profession, "
                "verification_status FROM providers_provider ORDER BY npi"
            ).fetchall(),
            "locations": db.execute(
                "SELECT p.npi, address_line1, address_line2, city, state, zip_code, phone "
                "FROM providers_practicelocation l JOIN providers_provider p "
                "ON p.id = l.provider_id ORDER BY 1, 2, 3"
            ).fetchall(),
            "licenses": db.execute(
                "SELECT p.npi, state, number FROM providers_license l JOIN providers_provider p "
                "ON p.id = l.provider_id ORDER BY 1, 2, 3"
            ).fetchall(),
        }
    finally:
        db.close()
