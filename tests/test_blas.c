/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The BLAS thread pinning of src/linalg.c (compiled into this test: the functions are internal
 * to the library). With a pthreads OpenBLAS: a small call runs on one thread and the count is
 * restored afterwards; a large one is left alone; inside an OpenMP region every call is
 * pinned; concurrent and nested pins restore the count the first one found, whatever their
 * order. With any other BLAS nothing is pinned. `test_blas disabled` runs under
 * GANDYN_BLAS_SERIAL_BELOW=0 (CTest sets it) and checks that nothing is pinned either.
 */
#include "check.h"
#include "gd_impl.h"

#include <dlfcn.h>
#include <omp.h>
#include <string.h>

static void (*set_threads)(int);
static int (*get_threads)(void);

/* The pthreads OpenBLAS's own controls, found as the library finds them; 0 without one. */
static int openblas_pthreads(void)
{
    void *s = dlsym(RTLD_DEFAULT, "openblas_set_num_threads"), *g = dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
    void *p = dlsym(RTLD_DEFAULT, "openblas_get_parallel");
    int (*parallel)(void) = NULL;
    memcpy(&set_threads, &s, sizeof s), memcpy(&get_threads, &g, sizeof g), memcpy(&parallel, &p, sizeof p);
    return s && g && parallel && parallel() == 1;
}

static void pinned_when_small(void)
{
    set_threads(2);
    int pin = gd_blas_serial_begin(10);
    CHECK(pin == 1 && get_threads() == 1);
    int inner = gd_blas_serial_begin(GD_BLAS_SERIAL_BELOW - 1); /* nested: stays pinned until the outer end */
    CHECK(inner == 1);
    gd_blas_serial_end(inner);
    CHECK(get_threads() == 1);
    gd_blas_serial_end(pin);
    CHECK(get_threads() == 2);

    pin = gd_blas_serial_begin(GD_BLAS_SERIAL_BELOW); /* large, serial caller: OpenBLAS decides */
    CHECK(pin == 0 && get_threads() == 2);
    gd_blas_serial_end(pin);
    CHECK(get_threads() == 2);
}

/* In a parallel region even a large call is pinned. Overlapping pins restore the count the
 * first found, in any order: here thread 0 pins, thread 1 pins, thread 0 unpins (thread 1
 * must still run on one BLAS thread), thread 1 unpins (the count must be back). A per-call
 * save and restore would fail both checks. Barriers order the steps, not timing. */
static void pinned_in_parallel(void)
{
    set_threads(2);
    int pins = 0, during = 0, team = 0;
#pragma omp parallel num_threads(2) reduction(+ : pins)
    {
        int me = omp_get_thread_num(), pin = 0;
#pragma omp single
        team = omp_get_num_threads();
        if (me == 0) pin = gd_blas_serial_begin(100000);
#pragma omp barrier
        if (me == 1) pin = gd_blas_serial_begin(100000);
#pragma omp barrier
        pins += pin;
        if (me == 0) gd_blas_serial_end(pin);
#pragma omp barrier
#pragma omp single
        during = get_threads();
        if (me == 1) gd_blas_serial_end(pin);
    }
    CHECK(pins == team);
    CHECK(during == 1 || team < 2);
    CHECK(get_threads() == 2);
    /* many short overlapping pins from several threads, then the count is the one before */
#pragma omp parallel for num_threads(4) schedule(dynamic, 1)
    for (int i = 0; i < 4000; i++) gd_blas_serial_end(gd_blas_serial_begin(i % 7 ? 10 : 100000));
    CHECK(get_threads() == 2);
}

/* The pinned calls still compute: [[2, 1], [1, 2]] (eigenvalues 1, 3) plus a 2 on the
 * diagonal, through gd_eigenvalues (LAPACK from n = 3). */
static void eigenvalues_right(void)
{
    const double A[9] = {2, 1, 0, 1, 2, 0, 0, 0, 2};
    double wr[3], wi[3];
    CHECK_OK(gd_eigenvalues(3, A, wr, wi));
    double lo = fmin(wr[0], fmin(wr[1], wr[2])), hi = fmax(wr[0], fmax(wr[1], wr[2]));
    CHECK_NEAR(lo, 1, 1e-14);
    CHECK_NEAR(hi, 3, 1e-14);
    CHECK_NEAR(wr[0] + wr[1] + wr[2], 6, 1e-14);
}

int main(int argc, char **argv)
{
    int disabled = argc > 1 && strcmp(argv[1], "disabled") == 0;
    if (!openblas_pthreads()) {
        printf("test_blas: the BLAS in use is not a pthreads OpenBLAS: nothing may be pinned\n");
        CHECK(gd_blas_serial_begin(10) == 0);
    } else if (disabled) {
        set_threads(2);
        int pin = gd_blas_serial_begin(10);
        CHECK(pin == 0 && get_threads() == 2);
        gd_blas_serial_end(pin);
    } else {
        pinned_when_small();
        pinned_in_parallel();
    }
    eigenvalues_right();
    return check_report("test_blas");
}
