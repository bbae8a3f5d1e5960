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
    """Whether progress bars are shown."""
    return _enabled


def track(iterable: Iterable[T], *, total: int | float | None = None, desc: str = "", unit: str = "it", **options: Any) -> Iterator[T]:
    """Iterate over ``iterable``, with a tqdm bar when progress is enabled."""
    if not _enabled:
        yield from iterable
        return
    from tqdm.auto import tqdm

    yield from tqdm(iterable, total=total, desc=desc, unit=unit, dynamic_ncols=True, **options)


def bar(*, total: int | float | None = None, desc: str = "", unit: str = "it", **options: Any) -> Any:
    """Return a manual tqdm bar (``update(n)``, ``close()``), disabled unless progress is on."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, disable=not _enabled, dynamic_ncols=True, **options)
