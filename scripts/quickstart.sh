#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# One command for a fresh Debian 12 machine (as root): install the dependencies, build
# gandyn, install it under /usr/local (so that Debian's python3 imports the Python package
# gandyn from any directory: docs/python.md), and run the main job on its default example,
# the reference notebook's Dirac-GAN figure set (27 runs). HDF5 files and PNG pictures land
# in output/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
cmake --install build > /dev/null
examples/dirac/notebook.sh output/dirac_notebook
echo "open output/dirac_notebook/*.png; build/gandyn --help for more; /usr/bin/python3 -c 'import gandyn' (docs/python.md)"
