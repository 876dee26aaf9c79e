/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Attractor fields of sweep cells and basins (sweep.attractor; docs/bifurcations.md, "Sweeps
 * and basins"), on validation case D8: the GAN Dirac, altgd with n_d = 5, h = 1.85, 1e6 steps
 * per cell. The starts of its table reach a period-2 orbit +-(0.25747293, 0.60348996), a
 * period-5 orbit through (0.07713325, -0.06849326) (or its mirror image), a period-12 orbit
 * through +-(0.35337149, 1.00198916), a stall at |x| ~ 6.32-6.69, and the unstable fixed point
 * at 0 (multipliers -0.59366, -1.68446). Orbit points to 1e-8; lambda_1 of an orbit is
 * ln max|mu| / period with the tabulated |mu(Phi^k)|. And the basins of a flow (flow_basins).
 */
#include "check.h"

#include <hdf5.h>
#include <unistd.h>

static const char *const d8[] = {"model.reg", "none", "integrator.name", "altgd", "integrator.n_d", "5", "integrator.h", "1.85",
                                 "integrator.steps", "1000000", "sweep.attractor", "1", NULL};

/* A sweep of the D8 configuration over the two start coordinates, run. */
static gd_sweep *d8_sweep(gd_sim **s, const char *x, const char *y, const char *kernel)
{
    const char *kv[40];
    int n = 0;
    while (d8[n]) kv[n] = d8[n], n++;
    const char *more[] = {"sweep.x", x, "sweep.y", y, "sweep.kernel", kernel, NULL};
    for (int i = 0; more[i]; i++) kv[n++] = more[i];
    kv[n] = NULL;
    *s = make_sim(kv);
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(*s, &w));
    CHECK(gd_sweep_is_basin(w));
    CHECK_OK(gd_sweep_run(w));
    return w;
}

/* The cell of start (x, y) in a sweep whose axes hold it (to 1e-12). */
static long cell_at(const gd_sweep *w, double x, double y)
{
    const double *ax = gd_sweep_get_axis(w, 0), *ay = gd_sweep_get_axis(w, 1);
    for (long j = 0; j < gd_sweep_ny(w); j++)
        for (long i = 0; i < gd_sweep_nx(w); i++)
            if (fabs(ax[i] - x) < 1e-12 && fabs(ay[j] - y) < 1e-12) return j * gd_sweep_nx(w) + i;
    fprintf(stderr, "no cell at (%g, %g)\n", x, y);
    exit(1);
}

/* The basin attractor of label j holds p or -p (to tol, every coordinate). */
static int attractor_holds(const gd_sweep *w, int j, const double *p, double tol)
{
    int cls, period, m;
    const double *pts = gd_sweep_get_basin_attractor(w, j, &cls, &period, &m);
    for (int k = 0; pts && k < m; k++)
        for (int sgn = -1; sgn <= 1; sgn += 2)
            if (fabs(pts[2 * k] - sgn * p[0]) <= tol && fabs(pts[2 * k + 1] - sgn * p[1]) <= tol) return 1;
    return 0;
}

/* Labels numbered in row-major order of first appearance: each new one is one more than the
 * largest before it; -1 exactly for diverged cells. */
static void check_label_order(const gd_sweep *w)
{
    int count = 0, top = -1;
    const int *b = gd_sweep_get_basin(w, &count);
    const signed char *cls = gd_sweep_get_attractor(w);
    for (long i = 0; b && i < gd_sweep_ncells(w); i++) {
        CHECK(b[i] <= top + 1);
        CHECK((b[i] == -1) == (cls[i] == GD_ATTRACTOR_DIVERGE));
        if (b[i] > top) top = b[i];
    }
    CHECK(b && top + 1 == count);
}

static void d8_grid(void)
{
    gd_sim *s;
    gd_sweep *w = d8_sweep(&s, "run.x0.0:-2:2:21", "run.x0.1:-2:2:21", "auto");
    CHECK(gd_sweep_is_batched(w));
    const signed char *cls = gd_sweep_get_attractor(w), *unstable = gd_sweep_get_unstable(w);
    const int *period = gd_sweep_get_period(w);
    const double *lyap1 = gd_sweep_get_lyap1(w), *amp = gd_sweep_get_amplitude(w);
    int nb = 0;
    const int *basin = gd_sweep_get_basin(w, &nb);
    CHECK(cls && basin);
    if (!cls || !basin) return;
    static const struct { double x, y; int cls, period; double mu, pt[2]; } c[] = {
        {0, 0.2, GD_ATTRACTOR_PERIODIC, 2, 0.99944782, {0.25747293, 0.60348996}},
        {0.2, 0.2, GD_ATTRACTOR_PERIODIC, 5, 0.99043976, {0.07713325, -0.06849326}},
        {-0.4, -0.8, GD_ATTRACTOR_PERIODIC, 5, 0.99043976, {0.07713325, -0.06849326}},
        {0.4, 1.2, GD_ATTRACTOR_PERIODIC, 12, 0.98595665, {0.35337149, 1.00198916}},
        {1, 1, GD_ATTRACTOR_STALL, 0, NAN, {6.618, 0}},
        {2, 2, GD_ATTRACTOR_STALL, 0, NAN, {6.32, 0}},
        {0, 0, GD_ATTRACTOR_FIXED, 1, 1.68446, {0, 0}},
    };
    int label[7];
    for (int k = 0; k < 7; k++) {
        long i = cell_at(w, c[k].x, c[k].y);
        label[k] = basin[i];
        CHECK(cls[i] == c[k].cls && period[i] == c[k].period);
        if (cls[i] != c[k].cls || period[i] != c[k].period) fprintf(stderr, "(%g, %g): %s, period %d\n", c[k].x, c[k].y, gd_attractor_class_name(cls[i]), period[i]);
        CHECK(unstable[i] == (c[k].cls == GD_ATTRACTOR_FIXED));
        if (c[k].cls == GD_ATTRACTOR_STALL) CHECK_NEAR(amp[i], c[k].pt[0], 0.01); /* |x| ~ 6.618, 6.32 (x* = 0) */
        else CHECK_NEAR(lyap1[i], log(c[k].mu) / c[k].period, c[k].cls == GD_ATTRACTOR_FIXED ? 1e-5 : 1e-6 / c[k].period);
        if (c[k].cls == GD_ATTRACTOR_PERIODIC) CHECK(attractor_holds(w, basin[i], c[k].pt, 1e-8));
    }
    /* the same label where the table's rows agree, distinct ones where they differ */
    CHECK(label[1] == label[2] && label[4] == label[5]);
    int distinct[5] = {label[0], label[1], label[3], label[4], label[6]};
    for (int a = 0; a < 5; a++)
        for (int b = a + 1; b < 5; b++) CHECK(distinct[a] != distinct[b]);
    double zero[2] = {0, 0};
    CHECK(attractor_holds(w, label[6], zero, 0));
    /* every cell reaches one of these five attractors: no other class, period or label */
    long stall = 0;
    for (long i = 0; i < gd_sweep_ncells(w); i++) {
        int known = 0;
        for (int k = 0; k < 7; k++) known |= basin[i] == label[k];
        CHECK(known);
        stall += cls[i] == GD_ATTRACTOR_STALL;
    }
    CHECK(nb == 5);
    check_label_order(w);
    /* The spec's text says 383 of 441 cells stall; its own criteria (steps < 1e-6 L, |x| > 1e-3
     * after 1e6 iterations), recomputed by a plain iteration of the map, give 425. */
    printf("D8 21 x 21 grid: %ld of 441 cells stall, %d attractors\n", stall, nb);
    CHECK(stall >= 420 && stall <= 430);
    gd_sweep_free(&w);
    gd_sim_free(&s);
}

/* The two starts outside the grid, through both kernels and the file. */
static void d8_small(void)
{
    signed char cls[2][4];
    int basin[2][4];
    for (int kernel = 0; kernel < 2; kernel++) {
        gd_sim *s;
        gd_sweep *w = d8_sweep(&s, "run.x0.0:1e-3:0.5:2", "run.x0.1:1e-3:0.5:2", kernel ? "cell" : "auto");
        CHECK(gd_sweep_is_batched(w) == !kernel);
        int nb;
        const int *b = gd_sweep_get_basin(w, &nb);
        const signed char *c = gd_sweep_get_attractor(w);
        const int *period = gd_sweep_get_period(w);
        if (!b || !c) {
            CHECK(0);
            return;
        }
        long p2 = cell_at(w, 1e-3, 1e-3), st = cell_at(w, 0.5, 0.5);
        double x2[2] = {0.25747293, 0.60348996};
        CHECK(c[p2] == GD_ATTRACTOR_PERIODIC && period[p2] == 2 && attractor_holds(w, b[p2], x2, 1e-8));
        CHECK(c[st] == GD_ATTRACTOR_STALL && b[st] != b[p2]); /* steps below 1e-8, yet no fixed point */
        CHECK_NEAR(gd_sweep_get_amplitude(w)[st], 6.689, 0.01);
        CHECK(gd_sweep_get_steps_used(w)[p2] == 1000000);
        memcpy(cls[kernel], c, 4);
        memcpy(basin[kernel], b, sizeof basin[kernel]);
        check_label_order(w);
        if (!kernel) { /* the file holds what the getters return */
            CHECK_OK(gd_sweep_write(w, "basin.h5"));
            hid_t f = H5Fopen("basin.h5", H5F_ACC_RDONLY, H5P_DEFAULT);
            int fb[4] = {9, 9, 9, 9}, fper = 0;
            double pts[4] = {0};
            hid_t d = H5Dopen2(f, "/sweep/basin", H5P_DEFAULT);
            CHECK(d >= 0 && H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, fb) >= 0);
            H5Dclose(d);
            char path[64];
            snprintf(path, sizeof path, "/basin/attractors/%d/period", b[p2]);
            d = H5Dopen2(f, path, H5P_DEFAULT);
            CHECK(d >= 0 && H5Dread(d, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, &fper) >= 0);
            H5Dclose(d);
            snprintf(path, sizeof path, "/basin/attractors/%d/points", b[p2]);
            d = H5Dopen2(f, path, H5P_DEFAULT);
            CHECK(d >= 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, pts) >= 0);
            H5Dclose(d);
            H5Fclose(f);
            remove("basin.h5");
            CHECK(!memcmp(fb, b, sizeof fb) && fper == 2);
            CHECK_NEAR(fabs(pts[0]), x2[0], 1e-8);
            CHECK_NEAR(fabs(pts[3]), x2[1], 1e-8);
        }
        gd_sweep_free(&w);
        gd_sim_free(&s);
    }
    CHECK(!memcmp(cls[0], cls[1], 4) && !memcmp(basin[0], basin[1], sizeof basin[0]));
}

/* Off by default (tests/test_sweep_attractor.c covers flows and rules with history). */
static void options(void)
{
    const char *off[] = {"sweep.x", "integrator.h:0.1:1:4", "integrator.steps", "100", NULL};
    gd_sim *s = make_sim(off);
    gd_sweep *w = NULL;
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK_OK(gd_sweep_run(w));
    int nb = 7;
    CHECK(!gd_sweep_get_attractor(w) && !gd_sweep_get_lyap1(w) && !gd_sweep_get_basin(w, &nb) && nb == 0 && !gd_sweep_is_basin(w));
    gd_sweep_free(&w);
    gd_sim_free(&s);
    /* the fields on a sweep that is no basin: GAN + GP simgd below the NS point h = 1.2 */
    const char *gp[] = {"model.reg", "gp", "model.gamma", "0.3", "run.x0", "1e-3,1e-3", "sweep.x", "integrator.h:1:1.1:2", "integrator.steps", "5000", "sweep.attractor", "1", NULL};
    s = make_sim(gp);
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK_OK(gd_sweep_run(w));
    const signed char *c = gd_sweep_get_attractor(w);
    CHECK(c && c[0] == GD_ATTRACTOR_FIXED && c[1] == GD_ATTRACTOR_FIXED && !gd_sweep_get_basin(w, &nb));
    /* a fixed point's lambda_1 is ln rho of the map there, as the sweep predicted it */
    CHECK_NEAR(gd_sweep_get_lyap1(w)[0], log(gd_sweep_get_rho(w)[0]), 1e-9);
    gd_sweep_free(&w);
    gd_sim_free(&s);
    /* sweep.attractor = 2: the cell the tail tests leave (the circle past the NS point, D2 at
     * h = 1.21 after 2e6 iterations) is classified by its exponents: quasi_periodic, rotation
     * 0.097401 (1e-4), |x| up to 0.2179 (1e-3 rel) */
    const char *d2[] = {"model.reg", "gp", "model.gamma", "0.3", "run.x0", "1e-3,1e-3", "sweep.x", "integrator.h:1.19:1.21:2", "integrator.steps", "2000000",
                        "sweep.attractor", "2", NULL};
    s = make_sim(d2);
    CHECK_OK(gd_sweep_create(s, &w));
    CHECK_OK(gd_sweep_run(w));
    c = gd_sweep_get_attractor(w);
    CHECK(c && c[0] == GD_ATTRACTOR_FIXED && c[1] == GD_ATTRACTOR_QUASI_PERIODIC);
    if (c) {
        CHECK_NEAR(gd_sweep_get_rotation(w)[1], 0.097401, 1e-4);
        CHECK_REL(gd_sweep_get_amplitude(w)[1], 0.2179, 1e-3);
        CHECK(fabs(gd_sweep_get_lyap1(w)[1]) < 1e-4 && gd_sweep_get_steps_used(w)[1] > 2000000);
    }
    gd_sweep_free(&w);
    gd_sim_free(&s);
}

/* Basins of a flow: the bautin form r' = r (mu + r^2 - r^4), theta' = 1 at mu = -0.1 has a stable
 * equilibrium at 0, an unstable cycle at r_u^2 = (1 - sqrt(1 + 4 mu)) / 2 and a stable one at
 * r_s^2 = (1 + sqrt(1 + 4 mu)) / 2, of period 2 pi. Starts inside r_u go to 0, those outside to
 * the outer cycle, which every such cell reaches at another phase: one label for all of them
 * (the cycle matched by its samples), its period 2 pi (1e-6) and its points on r_s (1e-6).
 * Starts within 0.03 of r_u are only checked to carry one of the two labels. The labels do not
 * depend on the threads. */
static void flow_basins(void)
{
    const double mu = -0.1, ru = sqrt((1 - sqrt(1 + 4 * mu)) / 2), rs = sqrt((1 + sqrt(1 + 4 * mu)) / 2);
    const char *kv[] = {"model.name", "normal_form", "model.form", "bautin", "model.mu", "-0.1", "integrator.name", "cvode", "integrator.t_end", "100",
                        "integrator.steps", "100", "sweep.attractor", "1", "sweep.x", "run.x0.0:-1.25:1.25:11", "sweep.y", "run.x0.1:-1.25:1.25:11", NULL};
    int first[121] = {0};
    for (int threads = 1; threads <= 2; threads++) {
        gd_sim *s = make_sim(kv);
        gd_sweep *w = NULL;
        CHECK_OK(gd_sweep_create(s, &w));
        if (!w) {
            fprintf(stderr, "flow basin: %s\n", gd_sim_errmsg(s));
            gd_sim_free(&s);
            return;
        }
        gd_sweep_set_threads(w, threads);
        CHECK_OK(gd_sweep_run(w));
        int nb = 0, fixed = -1, cycle = -1, inside = 0, outside = 0;
        const int *b = gd_sweep_get_basin(w, &nb);
        CHECK(b && nb == 2);
        for (int j = 0; b && j < nb; j++) {
            int cls, period, m;
            const double *pts = gd_sweep_get_basin_attractor(w, j, &cls, &period, &m);
            if (cls == GD_ATTRACTOR_FIXED) {
                fixed = j;
                CHECK(m == 1 && hypot(pts[0], pts[1]) < 1e-8);
            }
            if (cls == GD_ATTRACTOR_PERIODIC) {
                cycle = j;
                CHECK(m > 100);
                for (int k = 0; k < m; k++) CHECK_NEAR(hypot(pts[2 * k], pts[2 * k + 1]), rs, 1e-6);
            }
        }
        CHECK(fixed >= 0 && cycle >= 0);
        for (long i = 0; b && i < gd_sweep_ncells(w); i++) {
            double r0 = hypot(gd_sweep_get_axis(w, 0)[i % 11], gd_sweep_get_axis(w, 1)[i / 11]);
            if (threads == 1) first[i] = b[i];
            CHECK(b[i] == first[i]);
            if (fabs(r0 - ru) < 0.03) {
                CHECK(b[i] == fixed || b[i] == cycle);
                continue;
            }
            int in = r0 < ru;
            inside += in, outside += !in;
            CHECK(b[i] == (in ? fixed : cycle));
            CHECK(gd_sweep_get_attractor(w)[i] == (in ? GD_ATTRACTOR_FIXED : GD_ATTRACTOR_PERIODIC));
            if (!in) CHECK_NEAR(gd_sweep_get_period_t(w)[i], 2 * M_PI, 1e-6);
        }
        if (threads == 1) printf("flow basin (bautin, mu = -0.1): %d cells inside r_u = %.6f, %d outside\n", inside, ru, outside);
        CHECK(inside >= 5 && outside >= 90);
        gd_sweep_free(&w);
        gd_sim_free(&s);
    }
}

/* D8's map on 21 x 21 starts over [-2, 2]^2 (441 cells, 2 blocks), 2e4 steps: 4 attractors. */
static const char *const d8_short[] = {"model.reg", "none", "integrator.name", "altgd", "integrator.n_d", "5", "integrator.h", "1.85",
                                       "integrator.steps", "20000", "sweep.attractor", "1", "sweep.x", "run.x0.0:-2:2:21", "sweep.y",
                                       "run.x0.1:-2:2:21", NULL};

/* The labels of two basin sweeps and every attractor (class, period, points) equal, bit for bit. */
static void same_basin(const gd_sweep *whole, const gd_sweep *other)
{
    int na = 0, nb = 0;
    const int *a = gd_sweep_get_basin(whole, &na), *b = gd_sweep_get_basin(other, &nb);
    CHECK(a && b && na == nb && na >= 3 && memcmp(a, b, sizeof(int) * (size_t)gd_sweep_ncells(whole)) == 0);
    for (int j = 0; a && b && j < na; j++) {
        int ca, cb, pa, pb, ma, mb;
        const double *xa = gd_sweep_get_basin_attractor(whole, j, &ca, &pa, &ma), *xb = gd_sweep_get_basin_attractor(other, j, &cb, &pb, &mb);
        CHECK(ca == cb && pa == pb && ma == mb && (ma == 0 || memcmp(xa, xb, sizeof(double) * 2 * (size_t)ma) == 0));
    }
}

/* The labels and tables travel as they do between MPI ranks: a sweep that computed only the
 * blocks of [0, 256) and one that computed only [256, N) hand theirs (records, then basin
 * tables) to a third that computed nothing, whose labels and attractors then equal the whole
 * run's; cells handed over without tables (buf NULL) leave it unlabelled; a damaged table is
 * refused with the sweep's message. */
static void handed_over(void)
{
    gd_sim *s = make_sim(d8_short);
    gd_sweep *whole = NULL, *part[2] = {NULL, NULL}, *to = NULL, *bare = NULL;
    CHECK_OK(gd_sweep_create(s, &whole));
    CHECK_OK(gd_sweep_run(whole));
    const long n = gd_sweep_ncells(whole), cut = gd_sweep_block_size(), lo[2] = {0, cut}, hi[2] = {cut, n};
    CHECK(n == 441);
    CHECK_OK(gd_sweep_create(s, &to));
    CHECK_OK(gd_sweep_create(s, &bare));
    void *rec = malloc(gd_sweep_record_size() * (size_t)n);
    for (int k = 0; k < 2; k++) {
        CHECK_OK(gd_sweep_create(s, &part[k]));
        CHECK_OK(gd_sweep_run_range(part[k], lo[k], hi[k]));
        size_t len = 0, len2 = 0;
        CHECK_OK(gd_sweep_export_basin(part[k], lo[k], hi[k], NULL, &len));
        double *buf = malloc(sizeof(double) * len);
        CHECK_OK(gd_sweep_export_basin(part[k], lo[k], hi[k], buf, &len2));
        CHECK(len2 == len && len > (size_t)(hi[k] - lo[k]));
        CHECK(gd_sweep_export_basin(part[k], lo[1 - k], hi[1 - k], NULL, &len2) == GD_ENOTAVAIL); /* not computed there */
        CHECK_OK(gd_sweep_export(part[k], lo[k], hi[k], rec));
        CHECK_OK(gd_sweep_import(to, lo[k], hi[k], rec));
        CHECK_OK(gd_sweep_import(bare, lo[k], hi[k], rec));
        /* damaged: a label past its block's table, then a table cut short */
        double keep = buf[3];
        buf[3] = 1000;
        CHECK(gd_sweep_import_basin(to, lo[k], hi[k], buf, len) == GD_EUSAGE && strstr(gd_sweep_errmsg(to), "damaged"));
        buf[3] = keep;
        CHECK(gd_sweep_import_basin(to, lo[k], hi[k], buf, len - 1) == GD_EUSAGE);
        CHECK(!gd_sweep_get_basin(to, NULL));
        CHECK_OK(gd_sweep_import_basin(to, lo[k], hi[k], buf, len));
        CHECK_OK(gd_sweep_import_basin(bare, lo[k], hi[k], k ? NULL : buf, k ? 0 : len));
        free(buf);
    }
    same_basin(whole, to);
    CHECK(!gd_sweep_get_basin(bare, NULL) && gd_sweep_is_basin(bare));
    free(rec);
    gd_sweep_free(&whole), gd_sweep_free(&part[0]), gd_sweep_free(&part[1]), gd_sweep_free(&to), gd_sweep_free(&bare);
    gd_sim_free(&s);
}

/* A basin sweep resumed from its checkpoint: the restored blocks bring their tables, so the
 * labels and attractors equal an uninterrupted run's. The checkpoint's last record is cut short
 * (a kill mid-write): it is dropped and its block computed again. */
static void resumed(void)
{
    const char *ck = "out_basin_resume.ckpt";
    gd_sim *s = make_sim(d8_short);
    gd_sweep *whole = NULL, *cut = NULL, *again = NULL;
    CHECK_OK(gd_sweep_create(s, &whole));
    CHECK_OK(gd_sweep_run(whole));
    CHECK_OK(gd_sweep_create(s, &cut));
    CHECK_OK(gd_sweep_set_checkpoint(cut, ck, 0));
    CHECK_OK(gd_sweep_run(cut));
    gd_sweep_free(&cut);
    FILE *f = fopen(ck, "rb+");
    long size = 0;
    if (f) fseek(f, 0, SEEK_END), size = ftell(f), fclose(f);
    CHECK(size > 24 && truncate(ck, size - 5) == 0);
    CHECK_OK(gd_sweep_create(s, &again));
    CHECK_OK(gd_sweep_set_checkpoint(again, ck, 1));
    long restored = gd_sweep_get_done(again), n = gd_sweep_ncells(again);
    CHECK(restored == 256 || restored == n - 256); /* one of the two blocks */
    CHECK(!gd_sweep_get_basin(again, NULL));
    CHECK_OK(gd_sweep_run(again));
    same_basin(whole, again);
    gd_sweep_free(&whole), gd_sweep_free(&again);
    gd_sim_free(&s);
    remove(ck);
}

int main(void)
{
    resumed();
    handed_over();
    flow_basins();
    options();
    d8_small();
    d8_grid();
    return check_report("test_basin");
}
