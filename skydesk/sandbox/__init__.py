"""skydesk.sandbox: a local Skylight-compatible server (REST + MQTT over TLS) for demos and tests.

Start it with ``skydesk-sandbox`` (or ``python -m skydesk.sandbox``), or in-process::

    with Sandbox(SandboxConfig(api_port=0, mqtt_port=0)) as sb:
        print(sb.info.api_url, sb.info.users[0].username)
"""

from .info import DemoApplication, DemoUser, SandboxInfo
from .server import Sandbox, SandboxConfig

__all__ = ["DemoApplication", "DemoUser", "Sandbox", "SandboxConfig", "SandboxInfo"]
