import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from letters_app import settings as cosign_settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "k7#Qz!9vLr2@xW4pT8mN1sB6yH3jF5gD0cV^aE&uI*oP(lK)_zX+",
    "ALLOWED_HOSTS": "cosign.example.org",
    "SITE_URL": "https://cosign.example.org",
    "DATABASE_URL": "postgres://cosign:secret@127.0.0.1:5432/cosign",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "SMTP_HOST": "smtp.example.org",
}


def _manage(*args, env):
    # The e2e tests' async escape hatch is refused by check --deploy, as it should be in production.
    drop = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_check_deploy_is_clean_under_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_secret_key_is_refused_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_a_boolean_that_is_not_one_stops_startup(monkeypatch):
    monkeypatch.setenv("SMTP_USE_TLS", "yes please")
    with pytest.raises(ImproperlyConfigured, match="SMTP_USE_TLS='yes please' is not a boolean"):
        cosign_settings.env_bool("SMTP_USE_TLS", True)


def test_a_number_that_is_not_one_stops_startup(monkeypatch):
    monkeypatch.setenv("SMTP_PORT", "five-eight-seven")
    with pytest.raises(ImproperlyConfigured, match="SMTP_PORT"):
        cosign_settings.env_int("SMTP_PORT", 587)


def test_provider_options_must_be_a_json_object(monkeypatch):
    monkeypatch.setenv("MAIL_PROVIDER_OPTIONS", '["api_key"]')
    with pytest.raises(ImproperlyConfigured, match="JSON object"):
        cosign_settings.env_json("MAIL_PROVIDER_OPTIONS", {})


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, "django.core.mail.backends.filebased.EmailBackend"),
        ({"SMTP_HOST": "smtp.example.org"}, "letters_app.mail.EmailBackend"),
        (
            {"MAIL_PROVIDER": "postmark", "MAIL_PROVIDER_OPTIONS": '{"server_token": "t"}'},
            "anymail.backends.postmark.EmailBackend",
        ),
    ],
)
def test_mail_goes_where_the_environment_says(env, backend):
    code = "from django.conf import settings; print(settings.MAILERS['default']['BACKEND'])"
    clean = {k: v for k, v in os.environ.items() if k not in ("SMTP_HOST", "MAIL_PROVIDER")}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "letters_app.settings", **env},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == backend


def _setting(name: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The setting as Django reads it under this environment (and nothing of the caller's that
    these tests set), printed by a fresh interpreter."""
    clean = {k: v for k, v in os.environ.items() if k not in {*PRODUCTION_ENV, "MAIL_PROVIDER"}}
    code = f"from django.conf import settings; print(repr(settings.{name}))"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={**clean, "DJANGO_SETTINGS_MODULE": "letters_app.settings", **env},
    )  # fmt: skip


def test_a_secret_is_read_from_the_file_its_FILE_variable_names(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("k7#Qz!9vLr2@xW4pT8mN1sB6yH3jF5gD0cV^aE&uI*oP(lK)_zX+from-a-file\n")
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = _setting("SECRET_KEY", {**env, "SECRET_KEY_FILE": str(secret)})

    assert result.returncode == 0, result.stderr
    # The file's last line break is not part of the key.
    assert result.stdout.strip() == repr(secret.read_text().removesuffix("\n"))


def test_a_secret_set_twice_stops_startup(tmp_path):
    secret = tmp_path / "secret_key"
    secret.write_text("another-key")

    result = _setting("SECRET_KEY", {**PRODUCTION_ENV, "SECRET_KEY_FILE": str(secret)})

    assert result.returncode != 0
    assert "Set SECRET_KEY or SECRET_KEY_FILE, not both." in result.stderr


def test_a_secret_file_that_cannot_be_read_stops_startup(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    missing = tmp_path / "nowhere"

    result = _setting("SECRET_KEY", {**env, "SECRET_KEY_FILE": str(missing)})

    assert result.returncode != 0
    assert f"SECRET_KEY_FILE='{missing}' cannot be read: No such file or directory." in (
        result.stderr
    )


def test_the_database_password_comes_from_its_file_not_the_url(tmp_path):
    password = tmp_path / "postgres_password"
    password.write_text("s3cr3t:/@?#\n")  # characters a URL would have to escape
    env = {
        **PRODUCTION_ENV,
        "DATABASE_URL": "postgres://cosign@postgres:5432/cosign",
        "DATABASE_PASSWORD_FILE": str(password),
    }

    result = _setting("DATABASES['default']['PASSWORD']", env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr("s3cr3t:/@?#")


def test_the_password_in_the_url_is_kept_when_no_other_is_given():
    result = _setting("DATABASES['default']['PASSWORD']", PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr("secret")


def test_a_mail_provider_needs_no_smtp_host():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SMTP_HOST"}
    result = _setting("MAILERS['default']['BACKEND']", {**env, "MAIL_PROVIDER": "postmark"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr("anymail.backends.postmark.EmailBackend")


def test_production_without_a_way_to_send_mail_stops_startup():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SMTP_HOST"}
    result = _setting("MAILERS", env)
    assert result.returncode != 0
    assert "Set SMTP_HOST or MAIL_PROVIDER" in result.stderr


def test_production_may_keep_mail_in_a_folder_when_asked_by_name(tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SMTP_HOST"}
    result = _setting("MAILERS['default']", {**env, "MAIL_OUTBOX_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert str(tmp_path) in result.stdout
