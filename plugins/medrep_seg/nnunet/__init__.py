"""The nnU-Net v2 adapter: everything in medrep that imports nnunetv2 lives in this package.

- :mod:`~medrep_seg.nnunet.paths`: nnU-Net's folders and environment, set from medrep's
  settings before nnunetv2 is imported (light; imported here).
- :mod:`~medrep_seg.nnunet.planning`: fingerprint and plans (``plan_dataset``).
- :mod:`~medrep_seg.nnunet.preprocessing`: the preprocessor that runs medrep's chain
  (``preprocess_dataset``, ``preprocess_case``).

Import the last two explicitly; they import nnunetv2 and torch.
"""

from medrep_seg.nnunet.paths import (
    NnunetFolders,
    NnunetOptions,
    configure_nnunet,
    default_processes,
    ensure_environment,
    get_nnunet_options,
    import_nnunet,
    nnunet_folders,
    resolve_dataset,
)

__all__ = [
    "NnunetFolders",
    "NnunetOptions",
    "configure_nnunet",
    "default_processes",
    "ensure_environment",
    "get_nnunet_options",
    "import_nnunet",
    "nnunet_folders",
    "resolve_dataset",
]
