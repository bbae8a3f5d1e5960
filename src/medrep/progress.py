"""Progress bars that the CLI switches on and library callers leave off.

Library code wraps long loops in :func:`track`. By default it yields the items unchanged
and only logs; the ``medrep`` command calls :func:`enable` so users see tqdm bars.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")

_enabled = False


def enable(on: bool = True) -> None:
    """Show progress bars from now on (the CLI does this)."""
    global _enabled
    _enabled = on


def enabled() -> bool:
    """Return whether progress bars are shown."""
    return _enabled


def track(iterable: Iterable[T], *, total: int | float | None = None, desc: str = "", unit: str = "it", **options: Any) -> Iterator[T]:
    """Iterate over ``iterable``, with a tqdm bar when progress is enabled."""
    if not _enabled:
        yield from iterable
        return
    from tqdm.auto import tqdm

    yield from tqdm(iterable, total=total, desc=desc, unit=unit, dynamic_ncols=True, **options)


def bar(*, total: int | float | None = None, desc: str = "", unit: str = "it", **options: Any) -> Any:
    """Return a manual progress bar (``update(n)``, ``close()``, ``n``, context manager).

    When progress is off this is a :class:`_SilentBar`, not a disabled tqdm: even a
    disabled tqdm can start tqdm's monitor thread, and a live thread makes later worker
    pools in the process avoid ``fork``.
    """
    if not _enabled:
        return _SilentBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, dynamic_ncols=True, **options)


class _SilentBar:
    """A progress bar that counts and shows nothing."""

    def __init__(self) -> None:
        self.n: int | float = 0

    def update(self, n: int | float = 1) -> None:
        self.n += n

    def set_postfix(self, *args: Any, **kwargs: Any) -> None:
        pass

    def set_description(self, *args: Any, **kwargs: Any) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> "_SilentBar":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
