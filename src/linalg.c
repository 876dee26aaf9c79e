/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Dense linear algebra through LAPACKE.
 */
#include "gd_impl.h"

#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

int gd_eigenvalues(int n, const double *A, double *wr, double *wi)
{
    double *a = malloc(sizeof(double) * (size_t)n * (size_t)n);
    if (!a) return GD_ENOMEM;
    memcpy(a, A, sizeof(double) * (size_t)n * (size_t)n); /* dgeev overwrites its input */
    lapack_int info = LAPACKE_dgeev(LAPACK_ROW_MAJOR, 'N', 'N', n, a, n, wr, wi, NULL, n, NULL, n);
    free(a);
    return info == 0 ? GD_OK : GD_ESOLVER;
}
