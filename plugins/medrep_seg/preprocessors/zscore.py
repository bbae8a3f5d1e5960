"""``zscore``: intensity normalisation, per image inside the brain or with dataset statistics (CT)."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, Literal

import numpy as np
from pydantic import Field

from medrep.config import PluginConfig
from medrep.errors import DataError, NotFittedError
from medrep.kinds import ImageCase, Preprocessor

logger = logging.getLogger(__name__)


class ZScore(Preprocessor):
    """Z-score each channel: per image inside the brain mask, or clipped with dataset statistics (CT)."""

    class Config(PluginConfig):
        variant: Literal["per-image", "ct"] = Field(
            default="per-image",
            description=(
                "'per-image' subtracts the mean and divides by the s.d. of the channel's voxels inside the "
                "brain mask (MRI); 'ct' clips to the dataset's foreground 0.5 and 99.5 percentiles, then "
                "subtracts the dataset's foreground mean and divides by its s.d."
            ),
        )
        channels: list[int] | None = Field(
            default=None, description="indices of the channels to normalise; default: every channel"
        )
        use_mask: bool = Field(
            default=True,
            description="per-image: use the case's brain mask (set by crop) for the statistics and set voxels outside it to 0",
        )
        epsilon: float = Field(
            default=1e-8, gt=0.0, description="an s.d. at or below this marks a constant channel, which becomes 0"
        )

    def fit(self, fingerprint: dict[str, Any]) -> "ZScore":
        """Store the dataset's foreground intensity statistics (needed by the CT variant)."""
        properties = fingerprint.get("foreground_intensity_properties_per_channel")
        if properties is None:
            if self.config.variant == "ct":
                raise DataError(
                    "zscore(variant='ct') needs 'foreground_intensity_properties_per_channel' from the fingerprint",
                    hint="run `medrep seg plan` first; it computes the dataset fingerprint",
                )
            return self
        self.intensity_properties_ = {int(channel): dict(values) for channel, values in properties.items()}
        return self

    def __call__(self, case: ImageCase) -> ImageCase:
        image = np.asarray(case.image, dtype=np.float32)
        name = case.case_id or "(unnamed)"
        if not np.isfinite(image).all():
            raise DataError(
                f"case {name}: the image contains NaN or infinite voxels",
                hint="run `medrep seg check` on the source data and fix or drop the case",
            )
        channels = self._channels(image.shape[0], name)
        mask = self._mask(case, name)

        output = np.empty_like(image)
        for index in range(image.shape[0]):
            if index not in channels:
                output[index] = image[index]
            elif self.config.variant == "ct":
                self._normalise_ct(image[index], output[index], index, name)
            else:
                self._normalise_per_image(image[index], mask, output[index], index, name)
        return dataclasses.replace(case, image=output)

    def _channels(self, count: int, name: str) -> list[int]:
        if self.config.channels is None:
            return list(range(count))
        invalid = [index for index in self.config.channels if not 0 <= index < count]
        if invalid:
            raise DataError(
                f"case {name}: zscore channels {invalid} do not exist; the image has {count} channel(s)",
                hint=f"pass channel indices from 0 to {count - 1}",
            )
        return list(self.config.channels)

    def _mask(self, case: ImageCase, name: str) -> np.ndarray | None:
        if not self.config.use_mask or case.mask is None or self.config.variant == "ct":
            return None
        mask = np.asarray(case.mask)
        mask = mask if mask.dtype == bool else mask > 0.5
        if not mask.any():
            logger.warning("case %s: the brain mask is empty; z-scoring over the whole image instead", name)
            return None
        return mask

    def _normalise_per_image(
        self, channel: np.ndarray, mask: np.ndarray | None, output: np.ndarray, index: int, name: str
    ) -> None:
        values = channel[mask] if mask is not None else channel
        mean = float(values.mean(dtype=np.float64))
        std = float(values.std(dtype=np.float64))
        if std <= self.config.epsilon:
            where = "inside the brain mask" if mask is not None else "over the image"
            logger.warning("case %s: channel %d is constant (%g) %s; it is set to 0", name, index, mean, where)
            output[...] = 0.0
            return
        np.subtract(channel, np.float32(mean), out=output)
        output /= np.float32(std)
        if mask is not None:
            np.multiply(output, mask, out=output)  # zero outside the mask without a full-size temporary

    def _normalise_ct(self, channel: np.ndarray, output: np.ndarray, index: int, name: str) -> None:
        statistics = getattr(self, "intensity_properties_", None)
        if statistics is None:
            raise NotFittedError(
                "zscore(variant='ct') has no dataset statistics",
                hint="call fit() with the dataset fingerprint first (`medrep seg plan` computes it)",
            )
        if index not in statistics:
            raise DataError(
                f"case {name}: no dataset statistics for channel {index}; the fingerprint has channels {sorted(statistics)}",
                hint="plan the dataset again after changing its channels",
            )
        values = statistics[index]
        if values["std"] <= self.config.epsilon:
            logger.warning("case %s: channel %d has a constant foreground over the dataset; it is set to 0", name, index)
            output[...] = 0.0
            return
        np.clip(channel, values["percentile_00_5"], values["percentile_99_5"], out=output)
        output -= np.float32(values["mean"])
        output /= np.float32(values["std"])
