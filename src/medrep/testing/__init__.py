"""Contract checks that plugin authors run against their plugins.

``check_plugin`` builds a plugin through the registry (or takes an instance) and runs the
checks of its kind: input and output types and shapes, determinism under a seed, and a
save/load round trip where the plugin has learned state. It raises
:class:`ContractError` listing every failed check, and returns the names of the checks
that ran. A third-party test suite needs one line per plugin::

    from medrep.testing import check_plugin

    def test_my_tokenizer_contract():
        check_plugin("tokenizer", "my-tokenizer")
"""

from medrep.testing._check import ContractError, check_plugin
from medrep.testing._samples import SampleVectors, sample_documents

__all__ = ["check_plugin", "ContractError", "SampleVectors", "sample_documents"]
