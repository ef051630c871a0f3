"""CPU time spent by given processes, read from /proc (Linux). Unlike requests per second, CPU
time per request barely moves when something else keeps the machine busy."""

import os
from pathlib import Path

PROC = Path("/proc")
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:  # gone, or not Linux
        return None
    # The command name is in brackets and may hold spaces: split after its closing bracket.
    return text[text.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float | None:
    """User and system time of one process; None once it is gone."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK if fields else None


def process_tree(root: int) -> list[int]:
    """The process and its descendants, e.g. a gunicorn master and its workers."""
    parents = {}
    for entry in PROC.glob("[0-9]*"):
        fields = _stat(int(entry.name))
        if fields:
            parents[int(entry.name)] = int(fields[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def snapshot(pids: list[int]) -> dict[int, float]:
    return {pid: seconds for pid in pids if (seconds := cpu_seconds(pid)) is not None}


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two snapshots; a process first seen in `after` counts from its start,
    one gone by then is left out (keep processes alive across the measure)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
