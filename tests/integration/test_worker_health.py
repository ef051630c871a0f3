"""The worker's health check in docker-compose.yml, run as Docker would run it beside a worker
started with the compose file's own command: it fails while no worker answers, and passes once
that worker is up."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.test_compose import ROOT, compose_config
from tests.waiting import wait_until
from tests.workers import broker_is_redis, worker_env_for, worker_stop

pytestmark = pytest.mark.skipif(not broker_is_redis(), reason="the check pings over Redis")


@pytest.fixture
def worker_service(tmp_path):
    result = compose_config(
        {"COSIGN_ENV_FILE": str(ROOT / ".env.example"), "WORKER_PROCESSES": "1"}, tmp_path
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["services"]["worker"]


def test_the_worker_check_answers_for_the_worker_in_its_own_container(worker_service, tmp_path):
    (kind, check) = worker_service["healthcheck"]["test"]
    assert kind == "CMD-SHELL"
    env = worker_env_for({
        # The venv's celery, as the image's is on its PATH; $HOSTNAME as in a container.
        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOSTNAME": os.uname().nodename,
    })  # fmt: skip

    def healthy() -> bool:
        shell_line = check.replace("$$", "$")  # Compose's escape, undone as Compose does
        return subprocess.run(["sh", "-c", shell_line], cwd=ROOT, env=env, timeout=90,
                              capture_output=True).returncode == 0  # fmt: skip

    assert not healthy()  # no worker yet

    log_path = tmp_path / "worker.log"
    log = log_path.open("w+")
    worker = subprocess.Popen(worker_service["command"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)  # fmt: skip
    worker.log = log
    try:
        wait_until(lambda: "ready." in log_path.read_text() or worker.poll() is not None, 60)
        assert "ready." in log_path.read_text(), log_path.read_text()
        assert healthy()
    finally:
        worker_stop(worker)
