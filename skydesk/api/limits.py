"""The one table of the contract's input limits (CONTRACT.md §4), shared by the SDK and the sandbox.

The SDK checks requests against these values before sending them, and the sandbox imports the same
values to refuse requests with 400. Only the numbers and patterns are shared: each side keeps its
own checking code, and tests/api/test_limits_table.py proves that both refuse exactly the same inputs.
Every pattern is ASCII-only (``re.ASCII``), so no Unicode digit or letter slips through as ``0-9``.
"""

from __future__ import annotations

import re

__all__ = [
    "CONTENT_TYPE_MAX",
    "CONTENT_TYPE_RE",
    "DATA_DEPTH_MAX",
    "DATA_KEY_MAX",
    "DATA_KEY_RE",
    "DESCRIPTION_MAX",
    "EVENT_TYPE_MAX",
    "EVENT_TYPE_RE",
    "LIMIT_MAX",
    "LIMIT_MIN",
    "LIST_VALUES_MAX",
    "MEDIA_BODY_MAX",
    "MEDIA_BYTES_MAX",
    "MEDIA_DESCRIPTION_MAX",
    "MEDIA_FILENAME_MAX",
    "MEDIA_LABELS_MAX",
    "MEDIA_LABEL_MAX",
    "MEDIA_TITLE_MAX",
    "MQTT_CLIENT_SUFFIX_RE",
    "NAME_MAX",
    "PARTICIPANT_ID_MAX",
    "PARTICIPANT_TYPES",
    "PROPERTIES_MAX",
    "PROPERTY_KEY_MAX",
    "PROPERTY_VALUE_MAX",
    "SESSION_STATUSES",
    "VERSION_MAX",
    "VERSION_MIN",
]

NAME_MAX = 255
DESCRIPTION_MAX = 1000
PROPERTIES_MAX = 50
PROPERTY_KEY_MAX = 64
PROPERTY_VALUE_MAX = 1000
VERSION_MIN = 1
VERSION_MAX = 2**31 - 1  # a 32-bit signed integer, as the platform's own SDKs store it
PARTICIPANT_ID_MAX = 255
PARTICIPANT_TYPES = ("user", "group")
SESSION_STATUSES = ("open", "closed")
DATA_KEY_MAX = 64
#: Session data keys (and custom event data keys): letters, digits, "-" and "_", at every depth.
DATA_KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)
#: The top-level data object is depth 0; a value deeper than this is refused.
DATA_DEPTH_MAX = 32
EVENT_TYPE_MAX = 64
#: Custom event types: 1-64 of letters, digits and ``. _ : -``.
EVENT_TYPE_RE = re.compile(r"[A-Za-z0-9_.:-]{1,64}", re.ASCII)
MEDIA_FILENAME_MAX = 255
MEDIA_TITLE_MAX = 255
MEDIA_DESCRIPTION_MAX = 255
MEDIA_LABELS_MAX = 50
MEDIA_LABEL_MAX = 64
MEDIA_BYTES_MAX = 2 * 1024**3  # totalBytes: site videos fit; larger than one body, so sent in chunks
MEDIA_BODY_MAX = 50 * 1024 * 1024  # one upload request (the whole content, or one Content-Range chunk)
CONTENT_TYPE_MAX = 255
_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"  # RFC 6838 restricted-name
_PARAM_VALUE = r"[A-Za-z0-9!#$%&'*+.^_`|~-]+"  # RFC 9110 token
_QUOTED = r'"[\x20\x21\x23-\x5b\x5d-\x7e]*"'
#: A media type ``type/subtype`` (RFC 6838), optionally with ``; name=value`` parameters.
_PARAM = rf"[ \t]*;[ \t]*{_NAME}=(?:{_PARAM_VALUE}|{_QUOTED})"
CONTENT_TYPE_RE = re.compile(rf"{_NAME}/{_NAME}(?:{_PARAM})*", re.ASCII)
LIMIT_MIN = 1
LIMIT_MAX = 200
LIST_VALUES_MAX = 100
#: The last part of an MQTT client id ``{realm}-{sub}-{8 digits}``: ASCII digits only.
MQTT_CLIENT_SUFFIX_RE = re.compile(r"[0-9]{8}", re.ASCII)
