"""The SDK stands alone: importing skydesk.api and skydesk.events pulls in httpx, paho and PyJWT only."""

from __future__ import annotations

import json
import subprocess
import sys

# Everything the rest of skydesk uses that an SDK script must not need (PyJWT may load cryptography itself).
NOT_FOR_THE_SDK = ("PySide6", "qasync", "keyring", "fastapi", "uvicorn", "amqtt", "starlette")


def test_importing_the_sdk_loads_no_gui_server_or_keyring_module() -> None:
    probe = (
        "import json, sys\n"
        "import skydesk.api, skydesk.events\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} | "
        "{m for m in sys.modules if m.startswith('skydesk.')})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(json.loads(result.stdout))
    assert {"httpx", "paho", "jwt"} <= loaded
    assert not loaded & set(NOT_FOR_THE_SDK)
    skydesk_parts = {m.split(".")[1] for m in loaded if m.startswith("skydesk.")}
    assert skydesk_parts <= {"api", "events"}, skydesk_parts
