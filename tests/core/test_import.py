"""``import medrep`` and plugin listing stay light."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["torch", "transformers", "gensim", "nnunetv2", "tokenizers", "nibabel", "sklearn", "matplotlib", "nltk"]

PROBE = """
import json, sys
import medrep
after_import = [m for m in {heavy!r} if m in sys.modules]
medrep.available()
medrep.plugins()
after_listing = [m for m in {heavy!r} if m in sys.modules]
print(json.dumps([after_import, after_listing]))
"""


def test_import_and_listing_load_no_heavy_library() -> None:
    output = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY)], check=True, capture_output=True, text=True
    ).stdout

    after_import, after_listing = json.loads(output)
    assert after_import == []
    assert after_listing == []


def test_cli_help_loads_no_heavy_library() -> None:
    probe = (
        "import sys; from medrep.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    output = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout

    assert output.strip().splitlines()[-1] == "[]"
