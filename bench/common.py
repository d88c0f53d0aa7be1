"""What both benchmarks (bench/run.py, bench/history.py) share: where things are, how the import
floor is measured, and how a command is timed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tests"))

BIN = Path(sys.executable).parent
RESULTS = REPO_ROOT / "bench" / "results"
FLOOR_IMPORTS = "import prefect, great_expectations, pandas, pyarrow"
SETTLE_S = 1.0


def timed(command: list[str], env: dict[str, str], cwd: Path = REPO_ROOT) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return elapsed


def base_env(prefect_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(prefect_home)
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    return env
