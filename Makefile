# Cosign: `make run` starts the app with demo data, `make test` runs the test suite.
# Both work from a fresh clone; the first call builds .venv.

VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv run test lint format bench clean

help:
	@echo "make run     start Cosign at http://localhost:$(PORT) with demo data (web, worker, beat)"
	@echo "make test    type-check with mypy, then run the test suite (PYTEST_ARGS='-k name' to narrow it)"
	@echo "make lint    ruff check, ruff format --check and mypy"
	@echo "make format  ruff format and ruff check --fix"
	@echo "make bench   measure signing and the public page (BENCH_ARGS='--users 64')"
	@echo "make clean   remove .venv and var/"

# Every make that uses the app compiles the message catalogues (.po to .mo) first.
venv: $(VENV)/.installed
	@$(PY) manage.py compile_catalogues -v0

# A Python >= 3.12: the one named in .python-version (pyenv), else python3.13, python3.12
# or python3 from PATH. Each candidate is asked for its version, so a stale pyenv shim or an
# older python3 is never used.
define FIND_PYTHON
ok() { "$$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }; \
want=$$(tr -d ' \n' < .python-version 2>/dev/null); \
if [ -n "$$want" ]; then \
  p=$$(pyenv prefix "$$want" 2>/dev/null)/bin/python; \
  ok "$$p" && { echo "$$p"; exit 0; }; \
  for p in "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/"$$want"*/bin/python; do \
    ok "$$p" && { echo "$$p"; exit 0; }; \
  done; \
fi; \
for c in python3.13 python3.12 python3; do \
  p=$$(command -v "$$c") && ok "$$p" && { echo "$$p"; exit 0; }; \
done; \
exit 1
endef

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	  python=$$( $(FIND_PYTHON) ) || { \
	    echo "Cosign needs Python 3.12 or newer; install it (e.g. pyenv install 3.13) and run make again" >&2; \
	    exit 1; }; \
	  echo "Creating $(VENV) with $$python ($$($$python --version))"; \
	  rm -rf $(VENV) && "$$python" -m venv $(VENV); \
	fi
	@echo "Installing requirements-dev.txt into $(VENV)"
	@$(PY) -m pip install -qq --disable-pip-version-check -r requirements-dev.txt
	@touch $@

run: venv
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	SITE_URL=$${SITE_URL:-http://localhost:$(PORT)} $(PY) manage.py setup_demo
	@echo "Cosign: http://localhost:$(PORT)  (Ctrl-C stops web, worker and beat)"
	SITE_URL=$${SITE_URL:-http://localhost:$(PORT)} exec $(VENV)/bin/honcho start -f Procfile -p $(PORT)

# The type check runs first, so CI (which calls make test) fails on a type error too.
test: venv
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Needs PostgreSQL (BENCH_POSTGRES_URL) and, for the broker, Redis (BENCH_REDIS_URL); see bench/README.md.
bench: venv
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
