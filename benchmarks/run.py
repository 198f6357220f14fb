"""Run every benchmarks/bench_*.py in its own process; each prints `name: value` lines.

Usage: python benchmarks/run.py [name-filter]
A benchmark that fails prints `<file>: FAILED` and makes the run exit non-zero.
"""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    failed = []
    for script in sorted(HERE.glob("bench_*.py")):
        if wanted and wanted not in script.stem:
            continue
        started = time.perf_counter()
        print(f"# {script.name}", flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"# {script.name} took {time.perf_counter() - started:.1f}s", flush=True)
        if result.returncode != 0:
            print(f"{script.stem}: FAILED", flush=True)
            failed.append(script.name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
