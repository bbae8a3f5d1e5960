"""Source datasets: layouts, label presets, integrity checks and conversion to nnU-Net v2.

Typical use::

    from medrep_seg.dataset import DatasetSpec, check_dataset, convert_dataset

    spec = DatasetSpec(channels=["fld", "t1c"], labels="brats2015")
    check_dataset("brain-tumour/train", spec).raise_if_failed()
    convert_dataset("brain-tumour/train", "Dataset501_BraTS2015", spec)
"""

from medrep_seg.dataset.checks import IntegrityReport, Problem, check_dataset
from medrep_seg.dataset.convert import ConversionResult, convert_dataset
from medrep_seg.dataset.labels import PRESETS, LabelMapping, label_mapping
from medrep_seg.dataset.layouts import MODALITY_NAMES, CaseFiles, DatasetSpec, SourceDataset, detect_layout, discover

__all__ = [
    "PRESETS",
    "MODALITY_NAMES",
    "CaseFiles",
    "ConversionResult",
    "DatasetSpec",
    "IntegrityReport",
    "LabelMapping",
    "Problem",
    "SourceDataset",
    "check_dataset",
    "convert_dataset",
    "detect_layout",
    "discover",
    "label_mapping",
]
