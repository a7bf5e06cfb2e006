"""Decoding a JSON body so that every failure is a ValueError, whatever the body holds."""

from __future__ import annotations

import json
from typing import Any


def loads(content: bytes | bytearray | str) -> Any:
    """``json.loads``, but a body nested too deeply for the parser is a ValueError like any bad JSON.

    ``json.loads`` already raises ValueError for malformed text, bad UTF-8 and integers of more
    than 4300 digits; a few thousand nested brackets raise RecursionError instead, which callers
    would not expect from a server's answer.
    """
    try:
        return json.loads(content)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply to read") from None
