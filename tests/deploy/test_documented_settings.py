"""Every setting Cosign reads is documented in the README's table and listed in .env.example,
the file operators copy for docker compose; so is every variable docker-compose.yml reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# env_str("NAME", …), env_bool(…), env_raw("NAME") …, and os.environ.get("NAME", …).
READ = re.compile(r"""(?:\benv_[a-z]+|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
# ${NAME}, ${NAME:-default}, ${NAME:?message} in the compose file.
INTERPOLATED = re.compile(r"\$\{([A-Z][A-Z0-9_]*)")
# NAME=value, or "# NAME=default" for a setting left at its default.
LISTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)


def settings_read() -> set[str]:
    return set(READ.findall((ROOT / "letters_app" / "settings.py").read_text()))


def compose_variables() -> set[str]:
    return set(INTERPOLATED.findall((ROOT / "docker-compose.yml").read_text()))


def env_example() -> set[str]:
    return set(LISTED.findall((ROOT / ".env.example").read_text()))


def readme_table() -> set[str]:
    """The variables the README's tables describe, one row each."""
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", (ROOT / "README.md").read_text(), re.M))


def test_the_settings_are_found_where_they_are_read():
    # The reading of the settings file itself, so that the tests below cannot pass on nothing.
    found = settings_read()
    assert {"SECRET_KEY", "DATABASE_URL", "MAIL_PROVIDER", "SMTP_USE_SSL"} <= found
    assert {"SIGNING_RATE_LIMIT", "MAIL_OUTBOX_DIR", "COSIGN_VAR_DIR"} <= found
    assert {"COSIGN_BIND", "WEB_PROCESSES", "COSIGN_ENV_FILE"} <= compose_variables()


def test_every_setting_is_listed_in_env_example():
    missing = (settings_read() | compose_variables()) - env_example()
    assert not missing, f"not in .env.example: {sorted(missing)}"


def test_every_setting_is_documented_in_the_readme():
    missing = (settings_read() | compose_variables()) - readme_table()
    assert not missing, f"no row in README.md's tables: {sorted(missing)}"


def test_env_example_lists_nothing_cosign_does_not_read():
    unknown = env_example() - settings_read() - compose_variables()
    # A secret read from a file: NAME_FILE of a setting.
    unknown = {name for name in unknown if name.removesuffix("_FILE") not in settings_read()}
    assert not unknown, f"read by nothing: {sorted(unknown)}"
