"""Save PNG screenshots of every patient page at phone (390x844) and desktop (1280x800) widths.

Runs the browser accessibility tests (tests/browser/test_accessibility.py) with SCREENSHOTS_DIR
set: they start Django's live server on a test database with reference data and a few demo
providers near ZIP 78701, open each page in Debian's Chromium and save full-page PNGs named
`<page>-phone.png` and `<page>-desktop.png`. The run also fails if axe finds a serious or
critical accessibility problem, so the pictures are of pages that pass.

Usage: `make screenshots`, or `.venv/bin/python scripts/screenshots.py [--out DIR]`.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "screenshots", help="folder for the PNGs"
    )
    args = parser.parse_args()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    env = os.environ | {"SCREENSHOTS_DIR": str(out)}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        "-m",
        "browser",
        "tests/browser/test_accessibility.py",
        "tests/browser/test_provider_accounts.py",
    ]
    status = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    shots = sorted(out.glob("*.png"))
    print(f"{len(shots)} screenshots in {out}")
    if not shots:
        print("No screenshots: is Debian's chromium installed at /usr/bin/chromium?")
        return status or 1
    return status


if __name__ == "__main__":
    sys.exit(main())
