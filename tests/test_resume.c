/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The optimizer's state in run files (run.save_opt) and continuing a run (run.resume):
 *  - a run of 2N iterations equals N iterations plus N more resumed from its file, bit for
 *    bit, in the final state, the optimizer's vectors, the iteration count and the time, for
 *    momentum, nesterov, adam (sim and alt, bias correction on: the count matters), rmsprop,
 *    optimistic, and the stateless simgd and cgd; two starts each;
 *  - save_opt = all stores one row per saved state: momentum's b_k equals (x_k - x_{k-1})/h (the
 *    rule: x+ = x + h b+), adam's v_k = beta2 v_{k-1} + (1 - beta2) F(x_{k-1})^2 recomputed here
 *    from the saved states, step counts 0, 1, 2, ... (int64); final stores the last row only;
 *    none no group; the sign convention is an attribute;
 *  - refusals: a file without the optimizer's state, a missing file, another model's file (two
 *    particles in the plane: 4 coordinates per row).
 */
#include "check.h"

#include <hdf5.h>
#include <string.h>

enum { N = 40 };

/* Dataset path of file (rows x cols doubles or int64 read as such) into out; rows returned. */
static long read_rows(const char *file, const char *path, double *out, long cap, hid_t type)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return -1;
    long rows = -1;
    if (H5Lexists(f, path, H5P_DEFAULT) > 0) {
        hid_t d = H5Dopen2(f, path, H5P_DEFAULT), sp = H5Dget_space(d);
        hsize_t dims[2] = {0, 1};
        H5Sget_simple_extent_dims(sp, dims, NULL);
        rows = (long)dims[0];
        if ((long)(dims[0] * dims[1]) <= cap) H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
        H5Sclose(sp);
        H5Dclose(d);
    }
    H5Fclose(f);
    return rows;
}

static int exists(const char *file, const char *path)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    int e = f >= 0 && H5Lexists(f, path, H5P_DEFAULT) > 0;
    if (f >= 0) H5Fclose(f);
    return e;
}

static const char *const game[] = {"model.reg", "gp", "model.gamma", "0.3", "run.x0", "1,1;0.3,-0.2", "run.field_n", "0", "integrator.h", "0.1", NULL};

/* The last row of every /traj/<k>/opt dataset and x, t of files a and b agree bit for bit. */
static void same_ends(const char *rule, const char *a, const char *b, const char *const *names)
{
    char path[128];
    for (int k = 0; k < 2; k++) {
        const char *all[8] = {"x", "t", NULL};
        int na = 2;
        for (int j = 0; names[j]; j++) all[na++] = names[j];
        for (int j = 0; j < na; j++) {
            double va[2 * (2 * N + 1)], vb[2 * (2 * N + 1)];
            int opt = j >= 2;
            snprintf(path, sizeof path, "/traj/%d/%s%s", k, opt ? "opt/" : "", all[j]);
            long ra = read_rows(a, path, va, 2 * (2 * N + 1), H5T_NATIVE_DOUBLE), rb = read_rows(b, path, vb, 2 * (2 * N + 1), H5T_NATIVE_DOUBLE);
            int w = strcmp(all[j], "t") && strcmp(all[j], "step") ? 2 : 1;
            int same = ra > 0 && rb > 0 && memcmp(va + (ra - 1) * w, vb + (rb - 1) * w, sizeof(double) * (size_t)w) == 0;
            if (!same) fprintf(stderr, "%s: %s differs after resuming (rows %ld, %ld)\n", rule, path, ra, rb);
            CHECK(same);
        }
    }
}

/* 2N iterations against N + N (resumed), save_opt = final. */
static void resume_equals_one_run(const char *rule, const char *const *extra, const char *const *names)
{
    char steps2[16], steps1[16];
    snprintf(steps2, sizeof steps2, "%d", 2 * N);
    snprintf(steps1, sizeof steps1, "%d", N);
    gd_sim *whole = make_sim_with(game, extra), *first = make_sim_with(game, extra);
    CHECK_OK(gd_sim_set(whole, "integrator.name", rule));
    CHECK_OK(gd_sim_set(whole, "integrator.steps", steps2));
    CHECK_OK(gd_sim_setup(whole));
    CHECK_OK(gd_sim_run(whole, "whole.h5"));
    CHECK_OK(gd_sim_set(first, "integrator.name", rule));
    CHECK_OK(gd_sim_set(first, "integrator.steps", steps1));
    CHECK_OK(gd_sim_setup(first));
    CHECK_OK(gd_sim_run(first, "half.h5"));
    CHECK_OK(gd_sim_set(first, "run.resume", "half.h5"));
    CHECK_OK(gd_sim_setup(first));
    CHECK_OK(gd_sim_run(first, "resumed.h5"));
    CHECK(gd_sim_get_ntraj(first) == 2);
    for (int k = 0; k < 2; k++) CHECK(memcmp(gd_sim_get_xfinal(whole, k), gd_sim_get_xfinal(first, k), 2 * sizeof(double)) == 0);
    const char *with_step[8] = {NULL};
    int n = 0;
    for (; names[n]; n++) with_step[n] = names[n];
    with_step[n] = strcmp(rule, "cvode") ? "step" : NULL;
    same_ends(rule, "whole.h5", "resumed.h5", with_step);
    double step[1];
    CHECK(read_rows("resumed.h5", "/traj/1/opt/step", step, 1, H5T_NATIVE_DOUBLE) == 1 && step[0] == 2 * N); /* final: one row */
    gd_sim_free(&whole), gd_sim_free(&first);
}

static void resumes(void)
{
    const char *const none[] = {NULL}, *const b[] = {"b", NULL}, *const mv[] = {"m", "v", NULL}, *const v[] = {"v", NULL};
    const char *const g[] = {"g_prev", NULL};
    resume_equals_one_run("momentum", NULL, b);
    resume_equals_one_run("nesterov", (const char *const[]){"integrator.update", "alt", "integrator.n_d", "2", NULL}, b);
    resume_equals_one_run("adam", (const char *const[]){"integrator.beta1", "0.9", "integrator.beta2", "0.99", NULL}, mv);
    resume_equals_one_run("adam", (const char *const[]){"integrator.update", "alt", "integrator.n_g", "2", "integrator.order", "disc_first", NULL}, mv);
    resume_equals_one_run("rmsprop", (const char *const[]){"integrator.bias_correction", "true", NULL}, v);
    resume_equals_one_run("optimistic", NULL, g);
    resume_equals_one_run("simgd", NULL, none);
    resume_equals_one_run("cgd", NULL, none);
}

/* save_opt = all: the stored rows follow the rule. */
static void stored_rows(void)
{
    enum { S = 12 };
    gd_sim *s = make_sim_with(game, (const char *const[]){"integrator.name", "momentum", "integrator.steps", "12", "run.save_opt", "all", NULL});
    CHECK_OK(gd_sim_run(s, "all.h5"));
    double x[2 * (S + 1)], bb[2 * (S + 1)], st[S + 1];
    long long sl[S + 1];
    CHECK(read_rows("all.h5", "/traj/0/x", x, 2 * (S + 1), H5T_NATIVE_DOUBLE) == S + 1);
    CHECK(read_rows("all.h5", "/traj/0/opt/b", bb, 2 * (S + 1), H5T_NATIVE_DOUBLE) == S + 1);
    CHECK(read_rows("all.h5", "/traj/0/opt/step", st, S + 1, H5T_NATIVE_DOUBLE) == S + 1);
    CHECK(read_rows("all.h5", "/traj/0/opt/step", (double *)sl, S + 1, H5T_NATIVE_LLONG) == S + 1);
    CHECK(bb[0] == 0 && bb[1] == 0); /* the buffer starts at 0 */
    for (int k = 1; k <= S; k++) {
        CHECK(st[k] == k && sl[k] == k);
        for (int i = 0; i < 2; i++) CHECK_NEAR(bb[2 * k + i], (x[2 * k + i] - x[2 * (k - 1) + i]) / 0.1, 1e-12);
    }
    hid_t f = H5Fopen("all.h5", H5F_ACC_RDONLY, H5P_DEFAULT), d = H5Dopen2(f, "/traj/0/opt/step", H5P_DEFAULT), ty = H5Dget_type(d);
    CHECK(H5Tget_class(ty) == H5T_INTEGER && H5Tget_size(ty) == 8);
    CHECK(H5Aexists_by_name(f, "/traj/0/opt", "convention", H5P_DEFAULT) > 0);
    H5Tclose(ty), H5Dclose(d), H5Fclose(f);
    gd_sim_free(&s);
    /* adam's v from the saved states: v_k = beta2 v_{k-1} + (1 - beta2) F(x_{k-1})^2 */
    s = make_sim_with(game, (const char *const[]){"integrator.name", "adam", "integrator.steps", "12", "run.save_opt", "all", "integrator.beta2", "0.9", NULL});
    CHECK_OK(gd_sim_run(s, "all.h5"));
    double vv[2 * (S + 1)], F[2];
    CHECK(read_rows("all.h5", "/traj/0/x", x, 2 * (S + 1), H5T_NATIVE_DOUBLE) == S + 1);
    CHECK(read_rows("all.h5", "/traj/0/opt/v", vv, 2 * (S + 1), H5T_NATIVE_DOUBLE) == S + 1);
    for (int k = 1; k <= S; k++) {
        CHECK_OK(gd_model_field(gd_sim_get_model(s), x + 2 * (k - 1), F));
        for (int i = 0; i < 2; i++) CHECK_NEAR(vv[2 * k + i], 0.9 * vv[2 * (k - 1) + i] + 0.1 * F[i] * F[i], 1e-15);
    }
    /* none: no group; final (the default): one row */
    CHECK_OK(gd_sim_set(s, "run.save_opt", "none"));
    CHECK_OK(gd_sim_setup(s));
    CHECK_OK(gd_sim_run(s, "none.h5"));
    CHECK(!exists("none.h5", "/traj/0/opt") && exists("none.h5", "/traj/0/x"));
    gd_sim_free(&s);
}

static void refusals(void)
{
    /* a file written without the optimizer's state */
    gd_sim *s = make_sim_with(game, (const char *const[]){"integrator.name", "adam", "integrator.steps", "5", "run.save_opt", "none", NULL});
    CHECK_OK(gd_sim_run(s, "noopt.h5"));
    CHECK_OK(gd_sim_set(s, "run.resume", "noopt.h5"));
    CHECK_OK(gd_sim_setup(s));
    CHECK(gd_sim_run(s, "r.h5") == GD_EUSAGE && strstr(gd_sim_errmsg(s), "has no /traj/0/opt/m") && strstr(gd_sim_errmsg(s), "save_opt = final or all"));
    /* another rule's state (momentum's b for adam) */
    gd_sim *m = make_sim_with(game, (const char *const[]){"integrator.name", "momentum", "integrator.steps", "5", NULL});
    CHECK_OK(gd_sim_run(m, "mom.h5"));
    CHECK_OK(gd_sim_set(s, "run.resume", "mom.h5"));
    CHECK_OK(gd_sim_setup(s));
    CHECK(gd_sim_run(s, "r.h5") == GD_EUSAGE && strstr(gd_sim_errmsg(s), "integrator 'adam'"));
    /* a missing file */
    CHECK_OK(gd_sim_set(s, "run.resume", "missing.h5"));
    CHECK_OK(gd_sim_setup(s));
    CHECK(gd_sim_run(s, "r.h5") != GD_OK && strstr(gd_sim_errmsg(s), "missing.h5"));
    gd_sim_free(&s), gd_sim_free(&m);
    /* another model's states (4 coordinates per row) */
    s = make_sim_with((const char *const[]){"model.name", "particles", "model.particles", "0.5,0.3;-0.4,0.2", "model.data", "0,0;1,1", "run.field_n", "0",
                                  "integrator.steps", "3", NULL},
            NULL);
    CHECK_OK(gd_sim_run(s, "particles.h5"));
    gd_sim_free(&s);
    s = make_sim_with(game, (const char *const[]){"run.resume", "particles.h5", NULL});
    CHECK(gd_sim_run(s, "r.h5") == GD_EUSAGE && strstr(gd_sim_errmsg(s), "this run needs 2"));
    CHECK(!exists("r.h5", "/traj"));
    gd_sim_free(&s);
}

int main(void)
{
    resumes();
    stored_rows();
    refusals();
    return check_report("test_resume");
}
