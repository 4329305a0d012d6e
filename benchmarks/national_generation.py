"""Time and peak memory of ``workforce generate --scale national`` (about 1.4 million workers).

Runs the command in a child process and reports its wall time, peak resident memory and the
size of what it wrote, next to the same measures for the Midden-Utrecht region, so the ratio
shows how the generator scales from one region to the country.

    .venv/bin/python benchmarks/national_generation.py [--out DIR]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _run(scale: str, out: Path) -> tuple[float, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "workforce.cli", "generate", "--out", str(out), "--scale", scale],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    peak_kib = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    written = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    return seconds, peak_kib / 1024, written / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="where to write (default: temp)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.out or Path(scratch)
        region = _run("region", root / "region")
        national = _run("national", root / "national")
    print(f"{'scale':<10}{'seconds':>10}{'peak MiB':>10}{'written MiB':>13}")
    for name, (seconds, peak, written) in (("region", region), ("national", national)):
        print(f"{name:<10}{seconds:>10.1f}{peak:>10.0f}{written:>13.0f}")
    print(
        f"national / region: {national[0] / region[0]:.1f}x time, "
        f"{national[1] / region[1]:.1f}x peak memory, {national[2] / region[2]:.1f}x data"
    )


if __name__ == "__main__":
    main()
