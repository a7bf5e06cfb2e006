"""The suite's hang backstop (conftest.pytest_runtest_protocol) stops a test that SIGALRM cannot reach."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

HANGING_TEST = textwrap.dedent(
    """
    import pytest
    from PySide6.QtCore import QEventLoop


    @pytest.mark.timeout(1)
    def test_waits_in_qt_for_ever(qapp):
        QEventLoop().exec()  # nothing will ever quit it, and Qt waits in C


    def test_after_the_hang():
        pass
    """
)


def test_a_test_hung_inside_qt_is_stopped_with_its_stack_and_the_run_goes_on(tmp_path: Path) -> None:
    tests = Path(__file__).parent
    (tmp_path / "conftest.py").write_text((tests / "conftest.py").read_text())
    (tmp_path / "test_hangs.py").write_text(HANGING_TEST)
    env = dict(os.environ, SKYDESK_TEST_HANG_BACKSTOP_S="2")
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "1", "-o", "addopts=", tmp_path],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    took = time.monotonic() - started
    assert done.returncode != 0
    # faulthandler's stack of the hung test
    assert "test_waits_in_qt_for_ever" in done.stderr, done.stderr[-2000:]
    assert "1 passed" in done.stdout, done.stdout[-2000:]  # a fresh worker ran the rest
    assert took < 40
