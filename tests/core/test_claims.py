"""Claims: one process (or one claim) at a time holds a name; the OS frees it when the holder ends."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from skydesk.core.claims import claim


def test_a_name_is_held_once_until_released(tmp_path: Path) -> None:
    first = claim(tmp_path / "ids", "realm-u1-12345678")
    assert first is not None and first.held
    assert claim(tmp_path / "ids", "realm-u1-12345678") is None, "a second window of this process"
    other = claim(tmp_path / "ids", "realm-u2-12345678")
    assert other is not None, "another user's id is free"
    first.release()
    first.release()  # idempotent
    again = claim(tmp_path / "ids", "realm-u1-12345678")
    assert again is not None and not first.held
    again.release()
    other.release()


def test_a_claim_of_another_process_excludes_and_ends_with_it(tmp_path: Path) -> None:
    holder = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from skydesk.core.claims import claim
        held = claim(Path({str(tmp_path / "ids")!r}), "realm-u1-87654321")
        print("held" if held else "refused", flush=True)
        sys.stdin.read()  # hold it until the test closes stdin or kills this process
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        assert claim(tmp_path / "ids", "realm-u1-87654321") is None
        child.kill()  # no clean-up runs: the OS drops the lock with the process
        child.wait(30)
        mine = claim(tmp_path / "ids", "realm-u1-87654321")
        assert mine is not None
        mine.release()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
