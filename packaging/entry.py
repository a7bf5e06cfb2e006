"""Entry point of the frozen bundle: ``skydesk`` runs the desktop app, ``skydesk-sandbox`` the sandbox.

One executable serves both (the build links ``skydesk-sandbox`` to it), so the bundle carries Python,
Qt and the sandbox's libraries once.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> int:
    """Dispatch on the name the executable was started under."""
    if Path(sys.argv[0]).stem == "skydesk-sandbox":
        from skydesk.sandbox.cli import main as sandbox_main

        return sandbox_main() or 0
    from skydesk.app import main as app_main

    return app_main() or 0


if __name__ == "__main__":
    sys.exit(main())
