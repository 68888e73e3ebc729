"""Without SECRET_KEY (and DEBUG off) serving refuses to start; offline commands still run."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MESSAGE = b"SECRET_KEY is not set"


def bare_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECRET_KEY"))}
    env.pop("DATABASE_URL", None)  # SQLite: the check needs no server
    return env


def manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=bare_env(),
        capture_output=True, timeout=120,
    )  # fmt: skip


def test_makemigrations_check_runs_without_a_secret_key():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert b"No changes detected" in result.stdout


@pytest.mark.parametrize("args", [("runserver", "--noreload"), ("check", "--deploy")])
def test_serving_and_deploy_checks_refuse_without_a_secret_key(args):
    result = manage(*args)
    assert result.returncode != 0
    assert MESSAGE in result.stderr


def test_the_wsgi_app_refuses_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"], cwd=ROOT, env=bare_env(),
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert MESSAGE in result.stderr


@pytest.mark.parametrize(("setting", "threshold"), [(None, "5"), ("0", "None"), ("1", "5")])
def test_prepared_statements_can_be_turned_off_for_connection_poolers(setting, threshold):
    env = {**bare_env(), "SECRET_KEY": "x", "DATABASE_URL": "postgres://u@db.example:5432/app"}
    if setting is not None:
        env["DATABASE_PREPARED_STATEMENTS"] = setting
    script = (
        "import config.settings as s; print(s.DATABASES['default']['OPTIONS']['prepare_threshold'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().split() == [threshold]


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("postgres://u@db.example:5432/app", "django.db.backends.postgresql"),
        ("sqlite:////tmp/app.sqlite3", "django.db.backends.sqlite3"),
    ],
)
def test_databases_use_djangos_own_backends_with_health_checks(url, engine):
    env = {**bare_env(), "SECRET_KEY": "x", "DATABASE_URL": url, "DATABASE_REPLICA_URL": url}
    env.pop("CONN_MAX_AGE", None)
    script = (
        "import config.settings as s\n"
        "for d in s.DATABASES.values():\n"
        "    print(d['ENGINE'], d['CONN_HEALTH_CHECKS'], d['CONN_MAX_AGE'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines() == [f"{engine} True 60"] * 2


@pytest.mark.parametrize("debug", ["0", "1"])
def test_the_file_email_backend_writes_where_email_file_path_says_whatever_debug_says(
    tmp_path, debug
):
    env = {
        **bare_env(), "SECRET_KEY": "x", "DJANGO_DEBUG": debug,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
    }  # fmt: skip
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n"
        "django.setup()\n"
        "from django.core.mail import send_mail\n"
        "send_mail('Subject', 'Body text', None, ['to@example.org'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    (written,) = tmp_path.iterdir()
    assert "Body text" in written.read_text()


def test_email_goes_to_the_console_by_default():
    env = {**bare_env(), "SECRET_KEY": "x"}
    env.pop("EMAIL_BACKEND", None)
    script = "import config.settings as s; print(s.EMAIL_BACKEND)"
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=120
    )
    assert result.stdout.decode().strip() == "django.core.mail.backends.console.EmailBackend"
