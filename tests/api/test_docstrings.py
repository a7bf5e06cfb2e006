"""Every public name of the SDK (skydesk.api, skydesk.events) says what it is for."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType

import skydesk.api
import skydesk.events

PACKAGES = (skydesk.api, skydesk.events)


def _public_modules() -> Iterator[ModuleType]:
    for package in PACKAGES:
        yield package
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if not info.name.rsplit(".", 1)[-1].startswith("_"):
                yield importlib.import_module(info.name)


def _exported(module: ModuleType) -> Iterator[tuple[str, object]]:
    """The module's public API: its ``__all__``, else the public names it defines itself."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    for name in names:
        obj = getattr(module, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            if obj.__module__.startswith("skydesk."):
                yield f"{module.__name__}.{name}", obj


def _members(cls: type) -> Iterator[tuple[str, object]]:
    """Public methods and properties a user of ``cls`` can call, including inherited SDK ones."""
    for klass in cls.__mro__:
        if not klass.__module__.startswith("skydesk."):
            continue
        for name, member in vars(klass).items():
            if name.startswith("_"):
                continue
            if isinstance(member, staticmethod | classmethod):
                member = member.__func__
            if inspect.isfunction(member) or isinstance(member, property):
                yield f"{klass.__qualname__}.{name}", member


def _public_api() -> list[tuple[str, object]]:
    found: dict[str, object] = {}
    for module in _public_modules():
        assert (module.__doc__ or "").strip(), f"module {module.__name__} has no docstring"
        for name, obj in _exported(module):
            found[name] = obj
            if inspect.isclass(obj):
                for member_name, member in _members(obj):
                    found[f"{obj.__module__}.{member_name}"] = member
    return sorted(found.items())


API = _public_api()


def test_the_walk_finds_the_sdk() -> None:
    names = {name.rsplit(".", 2)[-2] + "." + name.rsplit(".", 1)[-1] for name, _ in API}
    # A few that must be there, so an empty walk cannot pass.
    assert {"SkylightClient.login", "SessionsMixin.iter_sessions", "HttpCore.aclose"} <= names
    assert {"EventStream.stop", "CallbackRegistry.on_session_closed", "events.parse_event"} <= names
    assert len(API) > 120


def _doc(name: str, obj: object) -> str | None:
    if isinstance(obj, property):
        return obj.fget.__doc__ if obj.fget else None
    if inspect.isclass(obj):
        # Its own docstring: not one inherited, nor the signature @dataclass writes when there is none.
        doc = vars(obj).get("__doc__")
        return None if (doc or "").startswith(f"{obj.__name__}(") else doc
    return obj.__doc__


def test_every_public_name_has_a_docstring() -> None:
    missing = [name for name, obj in API if not (_doc(name, obj) or "").strip()]
    assert missing == []
