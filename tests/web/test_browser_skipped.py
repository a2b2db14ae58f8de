"""Without Chromium, `make test` still passes and ends by saying what did not run and how to fix it."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_machine_without_chromium_is_told_how_many_browser_tests_were_skipped():
    environment = {**os.environ, "REGISTRY_TEST_CHROMIUM": "/nonexistent/chromium", "TEST_DATABASE_URL": ""}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/web/test_browser.py"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    *_, summary, last = run.stdout.strip().splitlines()
    skipped = re.fullmatch(r"(\d+) skipped in .*", summary)
    assert skipped, summary
    assert last == (
        f"{skipped[1]} browser tests were skipped: Chromium is missing. "
        "Install it with `apt-get install chromium` (as .ci/run does) and run them again."
    )
