#!/usr/bin/env bash
# Set up the environment, then run the test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${MEDREP_DATA_DIR:-}" ] && [ -d ../shared/data ]; then
    MEDREP_DATA_DIR=$(cd ../shared/data && pwd)
    export MEDREP_DATA_DIR
fi
exec .venv/bin/python -m pytest "$@"
