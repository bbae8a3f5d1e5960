#!/usr/bin/env bash
# Create .venv (if missing) and install medrep with every extra, pinned by constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet "pip==26.3"
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[all,test]"
