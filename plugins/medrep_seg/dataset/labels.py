"""Label presets and the mapping of source label values to nnU-Net's labels.

The declared source values come from a preset or an explicit list, never from the values
found in the files: a label file with an unexpected value is an integrity error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from medrep.errors import DataError

__all__ = ["LabelPreset", "PRESETS", "LabelMapping", "label_mapping", "integral_values", "labels_hint"]


@dataclass(frozen=True)
class LabelPreset:
    """The label values of one data source and, for BraTS, how they form the three regions."""

    values: tuple[int, ...]
    names: dict[int, str]
    #: Source value -> nnU-Net region label (1 oedema, 2 non-enhancing core, 3 enhancing).
    to_regions: dict[int, int] = field(default_factory=dict)
    foreground_name: str = "foreground"


PRESETS: dict[str, LabelPreset] = {
    "binary": LabelPreset(values=(0, 1), names={1: "foreground"}),
    # BraTS 2015 (the release of the brain-tumour data used in medrep's tests).
    "brats2015": LabelPreset(
        values=(0, 1, 2, 3, 4),
        names={1: "necrosis", 2: "oedema", 3: "non-enhancing tumour", 4: "enhancing tumour"},
        to_regions={1: 2, 2: 1, 3: 2, 4: 3},
        foreground_name="whole tumour",
    ),
    "brats2021": LabelPreset(
        values=(0, 1, 2, 4),
        names={1: "necrotic tumour core", 2: "oedema", 4: "enhancing tumour"},
        to_regions={1: 2, 2: 1, 4: 3},
        foreground_name="whole tumour",
    ),
    "brats2023": LabelPreset(
        values=(0, 1, 2, 3),
        names={1: "necrotic tumour core", 2: "oedema", 3: "enhancing tumour"},
        to_regions={1: 2, 2: 1, 3: 3},
        foreground_name="whole tumour",
    ),
}


@dataclass(frozen=True)
class LabelMapping:
    """The mapping of source label values to nnU-Net labels, with the matching ``dataset.json`` entries."""

    declared: tuple[int, ...]
    lookup: dict[int, int]
    labels: dict[str, Any]
    regions_class_order: list[int] | None = None

    def apply(self, values: np.ndarray) -> np.ndarray:
        """Map an integer label array (values already checked to be declared) to ``uint8``."""
        table = np.zeros(max(self.declared) + 1, dtype=np.uint8)
        for source, target in self.lookup.items():
            table[source] = target
        return table[values]


def label_mapping(labels: str | list[int], target: str) -> LabelMapping:
    """Return the mapping for a preset name (or a list of declared values) and a target.

    Targets: ``whole-tumour`` (every nonzero value becomes 1), ``regions`` (BraTS whole
    tumour, tumour core and enhancing tumour as nnU-Net regions; BraTS presets only) and
    ``classes`` (each declared value its own class, renumbered 0, 1, 2, ... in order).
    """
    if isinstance(labels, str):
        if labels not in PRESETS:
            raise DataError(f"unknown label preset {labels!r}", hint=f"use one of: {', '.join(PRESETS)}, or a list of values")
        preset = PRESETS[labels]
    else:
        values = tuple(sorted(set(int(value) for value in labels)))
        if not values or values[0] != 0 or any(value < 0 for value in values):
            raise DataError(f"invalid declared label values {list(values)}", hint="declare 0 (background) and the non-negative label values")
        preset = LabelPreset(values=values, names={value: f"label {value}" for value in values if value})

    if target == "whole-tumour":
        lookup = {value: int(value != 0) for value in preset.values}
        return LabelMapping(preset.values, lookup, {"background": 0, preset.foreground_name: 1})
    if target == "classes":
        lookup = {value: index for index, value in enumerate(preset.values)}
        names = {"background": 0}
        names.update({preset.names.get(value, f"label {value}"): lookup[value] for value in preset.values if value})
        return LabelMapping(preset.values, lookup, names)
    if target == "regions":
        if not preset.to_regions:
            raise DataError(
                f"label target 'regions' needs a BraTS preset, got {labels!r}",
                hint="pass labels='brats2015', 'brats2021' or 'brats2023'",
            )
        lookup = {0: 0, **preset.to_regions}
        names = {"background": 0, "whole tumour": [1, 2, 3], "tumour core": [2, 3], "enhancing tumour": [3]}
        return LabelMapping(preset.values, lookup, names, regions_class_order=[1, 2, 3])
    raise DataError(f"unknown label target {target!r}", hint="use 'whole-tumour', 'regions' or 'classes'")


def integral_values(data: np.ndarray, tolerance: float = 1e-4) -> tuple[np.ndarray | None, list[float]]:
    """Return ``(integer array, [])`` when every value is integral, else ``(None, offending values)``.

    Float labels (as some datasets store them) are accepted when each value is within
    ``tolerance`` of an integer. Otherwise up to five offending values are returned.
    """
    if np.issubdtype(data.dtype, np.integer):
        return data.astype(np.int64, copy=False), []
    if not np.isfinite(data).all():
        return None, [float(value) for value in np.unique(data[~np.isfinite(data)])[:5]]
    rounded = np.rint(data)
    off = np.abs(data - rounded) > tolerance
    if off.any():
        return None, [float(value) for value in np.unique(data[off])[:5]]
    return rounded.astype(np.int64), []


def present_values(values: np.ndarray) -> list[int]:
    """Return the sorted distinct values of an integer array."""
    if values.size and values.min() >= 0 and values.max() < 65536:
        return [int(value) for value in np.flatnonzero(np.bincount(values.ravel()))]
    return [int(value) for value in np.unique(values)]


def labels_hint(found: set[int]) -> str:
    """Return a hint naming the label presets whose values include every value ``found``.

    The preset is only suggested, never applied: which structure a value stands for is the
    data source's choice, and two sources can use the same values for different things.
    """
    values = sorted(found)
    listed = ",".join(str(value) for value in values)
    matches = [name for name, preset in PRESETS.items() if found <= set(preset.values)]
    matches.sort(key=lambda name: len(PRESETS[name].values))
    text = f"the label files contain the values {', '.join(str(value) for value in values)}"
    if not matches:
        return f"{text}, which no preset includes: declare them with --labels {listed}"
    if len(matches) == 1:
        name = matches[0]
        meaning = ", ".join(f"{value} {structure}" for value, structure in sorted(PRESETS[name].names.items()))
        return (
            f"{text}, the values of the preset {name} ({meaning}): if that is what they mean, pass --labels {name}; "
            f"otherwise declare the values with --labels {listed}"
        )
    return (
        f"{text}, which the presets {', '.join(matches)} include: pass the one that describes the source "
        f"(--labels {matches[0]}, say), or declare the values with --labels {listed}"
    )
