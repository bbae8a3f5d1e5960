"""The dice-ce, dice and ce loss plugins: values, weighting and deep supervision."""

from __future__ import annotations

import pytest
import torch

import medrep
from medrep.errors import PluginConfigError
from medrep.testing import check_plugin
from medrep_seg.losses._compound import deep_supervision_weights


@pytest.fixture
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    return torch.randn(2, 3, 8, 8, 8), torch.randint(0, 3, (2, 1, 8, 8, 8))


@pytest.mark.parametrize("name", ["dice-ce", "dice", "ce"])
def test_loss_passes_contract(name: str) -> None:
    assert check_plugin("loss", name)


def test_dice_ce_is_weighted_sum(batch: tuple[torch.Tensor, torch.Tensor]) -> None:
    logits, target = batch
    dice = medrep.get("loss", "dice").build()(logits, target)
    ce = medrep.get("loss", "ce").build()(logits, target)
    combined = medrep.get("loss", "dice-ce", w_dice=0.5, w_ce=2.0).build()(logits, target)

    assert float(combined) == pytest.approx(0.5 * float(dice) + 2.0 * float(ce), rel=1e-5)


def test_ce_matches_torch(batch: tuple[torch.Tensor, torch.Tensor]) -> None:
    logits, target = batch
    expected = torch.nn.functional.cross_entropy(logits, target[:, 0])

    assert float(medrep.get("loss", "ce").build()(logits, target)) == pytest.approx(float(expected), rel=1e-6)


def test_perfect_prediction_dice_near_minus_one() -> None:
    target = torch.zeros(1, 1, 8, 8, 8, dtype=torch.long)
    target[..., 2:6, 2:6, 2:6] = 1
    logits = torch.cat([(target == 0).float(), (target == 1).float()], dim=1) * 50

    assert float(medrep.get("loss", "dice").build()(logits, target)) == pytest.approx(-1.0, abs=1e-4)


def test_nnunet_deep_supervision_weights() -> None:
    assert deep_supervision_weights(3) == pytest.approx([2 / 3, 1 / 3, 0.0])
    assert deep_supervision_weights(1) == [1.0]
    assert deep_supervision_weights(3, decay=1.0) == pytest.approx([0.5, 0.5, 0.0])


def test_deep_supervision_weighting(batch: tuple[torch.Tensor, torch.Tensor]) -> None:
    logits, target = batch
    coarse_logits, coarse_target = logits[..., ::2, ::2, ::2], target[..., ::2, ::2, ::2]
    plain = medrep.get("loss", "ce").build()
    full, coarse = float(plain(logits, target)), float(plain(coarse_logits, coarse_target))

    trainer_weights = medrep.get("loss", "ce").build(deep_supervision_weights=[0.75, 0.25])
    decayed = medrep.get("loss", "ce", deep_supervision_decay=1.0).build(deep_supervision_weights=[0.75, 0.25, 0.0])
    outputs, targets = [logits, coarse_logits, coarse_logits], [target, coarse_target, coarse_target]

    assert float(trainer_weights(outputs[:2], targets[:2])) == pytest.approx(0.75 * full + 0.25 * coarse, rel=1e-5)
    assert float(decayed(outputs, targets)) == pytest.approx(0.5 * full + 0.5 * coarse, rel=1e-5)


def test_ignore_label_excluded(batch: tuple[torch.Tensor, torch.Tensor]) -> None:
    logits, target = batch
    ignored = target.clone()
    ignored[:, :, :4] = 3  # the ignore label
    loss = medrep.get("loss", "ce").build(ignore_label=3)
    expected = torch.nn.functional.cross_entropy(logits[:, :, 4:], target[:, 0, 4:])

    assert float(loss(logits, ignored)) == pytest.approx(float(expected), rel=1e-5)


def test_regions_use_sigmoid_targets() -> None:
    torch.manual_seed(1)
    logits = torch.randn(2, 2, 8, 8, 8)
    regions = (torch.rand(2, 2, 8, 8, 8) > 0.5).long()
    expected = torch.nn.functional.binary_cross_entropy_with_logits(logits, regions.float())

    assert float(medrep.get("loss", "ce").build(is_regions=True)(logits, regions)) == pytest.approx(float(expected), rel=1e-5)


def test_zero_weights_rejected() -> None:
    with pytest.raises(PluginConfigError, match="both 0"):
        medrep.get("loss", "dice-ce", w_dice=0.0, w_ce=0.0)
