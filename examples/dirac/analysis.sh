#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The analyses of docs/models/dirac.md on the Dirac-GAN, with pictures:
#  - eigenvalue locus of the gradient penalty (the notebook's eigval_gradpen: gamma from 0
#    to 1.5 = 1.5 gamma_crit) with simgd's stability region and rho(gamma);
#  - AltGD n_d = 5 on the unregularized GAN: rho against h, critical step 1.788854;
#  - optimistic GDA's stability region with the GP model's h*lambda;
#  - measured vs predicted spiral rates of GP 0.3 (flow and simgd map);
#  - phase portraits of GP 0.3 under simgd and of NS-GAN + GP under altgd n_d = 5.
# Usage: examples/dirac/analysis.sh [OUTDIR]    (GANDYN=path/to/gandyn to choose the binary)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
gandyn=${GANDYN:-$here/../../build/gandyn}
out=${1:-output/dirac_analysis}
gp=$here/notebook/gan_gradpen.ini
mkdir -p "$out"
"$gandyn" eig "$gp" --scan model.gamma:0:1.5:41 -o "$out/eig_gradpen_locus.h5"
"$gandyn" eig "$here/notebook/gan.ini" --set integrator.name=altgd --set integrator.n_d=5 \
    --scan integrator.h:0.05:2.5:50 -o "$out/eig_gan_altgd5_h.h5"
"$gandyn" eig "$gp" --set integrator.name=optimistic -o "$out/eig_gradpen_optimistic.h5"
"$gandyn" rate "$gp" -o "$out/rate_gradpen.h5"
"$gandyn" portrait "$gp" -o "$out/portrait_gradpen_simgd.h5"
"$gandyn" portrait "$here/notebook/nsgan_gradpen.ini" --set integrator.name=altgd --set integrator.n_d=5 \
    -o "$out/portrait_nsgan_gradpen_altgd5.h5"
"$gandyn" plot "$out"/*.h5
