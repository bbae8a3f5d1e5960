"""keep_freed_memory: freed blocks are reused instead of being mapped again by the kernel."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator is Linux-only")

# Allocates and frees a 64 MiB array ten times, counting the page faults, before and after
# keep_freed_memory. Without it, every allocation maps fresh pages that the kernel faults in.
_CHURN = """
import json, os, resource
import numpy as np
from medrep_seg.nnunet.allocator import keep_freed_memory

def churn():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(10):
        block = np.ones(64 * 2**20 // 8)
        del block
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before

default = churn()
applied = keep_freed_memory()
churn()  # the first allocation after the change still faults its pages in once
tuned = churn()
print(json.dumps({"default": default, "tuned": tuned, "applied": applied,
                  "environment": os.environ.get("MALLOC_MMAP_THRESHOLD_")}))
"""


def _run(environment: dict[str, str]) -> dict:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("MALLOC_")}
    completed = subprocess.run(
        [sys.executable, "-c", _CHURN], env={**clean, **environment}, capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_freed_blocks_reused():
    result = _run({})
    assert result["applied"] is True
    assert result["default"] > 0
    assert result["tuned"] * 4 < result["default"], result
    # Worker processes started afterwards inherit the setting through the environment.
    assert result["environment"] == str(2**30)


def test_user_settings_kept():
    result = _run({"MALLOC_MMAP_THRESHOLD_": "131072"})
    assert result["applied"] is False
    assert result["environment"] == "131072"
