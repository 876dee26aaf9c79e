/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Optimised replacements for the serial N_Vector operations CVODE calls on every step.
 * Debian's libsundials 6.4.1 is compiled without optimisation (its N_V*_Serial loops keep
 * every value on the stack), and on 2-D games those loops are a fifth of CVODE's time.
 */
#ifndef GD_CVODE_VEC_H
#define GD_CVODE_VEC_H

#include <nvector/nvector_serial.h>

/* Install the fast operations on a serial vector; clones CVODE makes from it inherit them. */
void gd_cvode_fast_ops(N_Vector v);

#endif
