"""Contract tests of the sandbox (REST over TLS, MQTT against the embedded broker)."""
