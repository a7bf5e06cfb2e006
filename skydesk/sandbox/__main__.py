"""``python -m skydesk.sandbox``: the same as the ``skydesk-sandbox`` command."""

from .cli import main

raise SystemExit(main())
