"""The programs the simulated containers can run, by name.

An image's executables are files tagged with a program name (``/bin/sleep`` -> ``"sleep"``,
``/usr/sbin/nginx`` -> ``"nginx"``); running one looks the name up here. A program is a
function ``program(ctx) -> int`` or a generator function returning the exit code (see
``process.py``). Modules register theirs with the :func:`program` decorator.
"""

from __future__ import annotations

from collections.abc import Callable

PROGRAMS: dict[str, Callable] = {}


def program(*names: str) -> Callable[[Callable], Callable]:
    """Register the decorated function under each of ``names``."""

    def register(fn: Callable) -> Callable:
        for name in names:
            if name in PROGRAMS and PROGRAMS[name] is not fn:
                raise ValueError(f"a program named {name!r} is already registered")
            PROGRAMS[name] = fn
        return fn

    return register
