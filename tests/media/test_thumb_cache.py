"""The thumbnail disk cache: per profile in the platform cache dir, keyed by ETag, bounded in size."""

from __future__ import annotations

import os
import time
from pathlib import Path

from skydesk.core.paths import cache_dir
from skydesk.core.thumb_cache import ThumbnailCache, profile_cache_dir


def test_profiles_get_their_own_folder_in_the_cache_dir() -> None:
    a, b = profile_cache_dir("Production"), profile_cache_dir("Sandbox / test")
    assert a != b and a.parent == b.parent == cache_dir() / "thumbnails"
    assert "Sandbox" not in str(b)  # any character in a profile name is safe: the folder is a hash


def test_entries_are_keyed_by_media_and_etag(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path / "t")
    assert cache.get("m1", "e1") is None
    cache.put("m1", "e1", b"png-1")
    assert cache.get("m1", "e1") == b"png-1"
    assert cache.get("m1", "e2") is None  # a new upload: the old thumbnail is not shown
    assert [p.suffix for p in (tmp_path / "t").iterdir()] == [".thumb"]  # no temp part left


def test_least_recently_used_entries_go_past_the_limit(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path / "t", limit=10_000)
    old = time.time() - 1000
    for i in range(3):
        cache.put(f"m{i}", "e", bytes(3000))
        os.utime(cache._path(f"m{i}", "e"), (old + i, old + i))  # explicit order of use
    assert cache.get("m0", "e") is not None  # m0 used again: now the most recent
    cache.put("m3", "e", bytes(3000))  # 12,000 bytes: over the limit, trimmed to 80 % of it
    assert cache.size() <= 8_000
    assert cache.get("m1", "e") is None and cache.get("m2", "e") is None  # the least recently used
    assert cache.get("m0", "e") is not None and cache.get("m3", "e") is not None
