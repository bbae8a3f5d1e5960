#!/usr/bin/env bash
# Set up the environment, then run the words and the segmentation pipelines on the real
# data in MEDREP_DATA_DIR (default: ../shared/data) with short CPU configurations.
# Reports go to OUTPUT (default: medrep-output/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${MEDREP_DATA_DIR:-}" ]; then
    if [ ! -d ../shared/data ]; then
        echo "error: MEDREP_DATA_DIR is not set and ../shared/data does not exist" >&2
        echo "hint: export MEDREP_DATA_DIR=/path/to/data, laid out as README.md's Data section shows" >&2
        exit 2
    fi
    MEDREP_DATA_DIR=$(cd ../shared/data && pwd)
    export MEDREP_DATA_DIR
fi
output=${OUTPUT:-medrep-output}
export MEDREP_WORKDIR=${MEDREP_WORKDIR:-$PWD/$output/workdir}

.venv/bin/medrep words run --config examples/configs/words_quick.toml -o "$output/words"
.venv/bin/medrep seg run --config examples/configs/seg_quick.toml -o "$output/seg"

echo
echo "Words report:        $output/words/report.html (and report.md, report.json)"
echo "Segmentation report: $output/seg/report.html (and report.md)"
