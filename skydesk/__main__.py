"""``python -m skydesk``: the desktop app."""

import sys

from skydesk.app import main

if __name__ == "__main__":
    sys.exit(main())
