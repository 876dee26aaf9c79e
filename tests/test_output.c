/* SPDX-License-Identifier: BSD-3-Clause
 *
 * HDF5 run files through the library: the layout of README "Output files" read back with the HDF5
 * API (root attributes, /traj/<k>/{t,x} with x0 and outcome, /model, /field), chunked streaming
 * over many steps, and atomicity: a run that fails mid-way neither replaces an existing file nor
 * leaves a temporary file behind.
 */
#include "check.h"

#include <dirent.h>
#include <hdf5.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static int has_attr(hid_t obj, const char *name) { return H5Aexists(obj, name) > 0; }

static hsize_t rows(hid_t f, const char *path, hsize_t *cols)
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    if (d < 0) return 0;
    hid_t sp = H5Dget_space(d);
    hsize_t dims[2] = {0, 0};
    H5Sget_simple_extent_dims(sp, dims, NULL);
    if (cols) *cols = dims[1];
    H5Sclose(sp);
    H5Dclose(d);
    return dims[0];
}

static void layout(void)
{
    const char *path = "out_layout.h5";
    gd_sim *s = make_sim((const char *const[]){"model.reg", "clip", "model.loss", "wgan", "integrator.steps", "100001",
                                               "integrator.h", "0.001", "run.x0", "1,1;0.5,0;3,-4", "run.save_every", "10", NULL});
    gd_sim_set_command(s, "test_output layout");
    CHECK_OK(gd_sim_run(s, path));
    CHECK(gd_sim_get_ntraj(s) == 3);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    CHECK(f >= 0);
    const char *root[] = {"gandyn_version", "format_version", "command", "config", "created"};
    for (int i = 0; i < 5; i++) CHECK(has_attr(f, root[i]));
    for (int k = 0; k < 3; k++) {
        char g[64], tp[64], xp[64];
        snprintf(g, sizeof g, "/traj/%d", k);
        snprintf(tp, sizeof tp, "/traj/%d/t", k);
        snprintf(xp, sizeof xp, "/traj/%d/x", k);
        hsize_t cols = 0;
        /* x0 plus every 10th of 100001 steps plus the last: 1 + 10000 + 1 rows */
        CHECK(rows(f, xp, &cols) == 10002 && cols == 2);
        CHECK(rows(f, tp, NULL) == 10002);
        hid_t grp = H5Gopen2(f, g, H5P_DEFAULT);
        CHECK(has_attr(grp, "x0") && has_attr(grp, "outcome"));
        H5Gclose(grp);
        /* the last stored row is the final state */
        hid_t d = H5Dopen2(f, xp, H5P_DEFAULT), sp = H5Dget_space(d);
        hsize_t start[2] = {10001, 0}, count[2] = {1, 2};
        H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL);
        hid_t ms = H5Screate_simple(2, count, NULL);
        double last[2];
        H5Dread(d, H5T_NATIVE_DOUBLE, ms, sp, H5P_DEFAULT, last);
        CHECK(last[0] == gd_sim_get_xfinal(s, k)[0] && last[1] == gd_sim_get_xfinal(s, k)[1]);
        H5Sclose(ms), H5Sclose(sp), H5Dclose(d);
    }
    CHECK(rows(f, "/model/equilibrium", NULL) == 2);
    CHECK(rows(f, "/model/bounds", NULL) == 2);
    CHECK(rows(f, "/field/u", NULL) == 17);
    H5Fclose(f);
    /* the config attribute is the full resolved configuration */
    CHECK(strstr(gd_sim_get_config_text(s), "reg = clip") != NULL);
    CHECK(strstr(gd_sim_get_config_text(s), "name = simgd") != NULL);
    gd_sim_free(&s);
    unlink(path);
}

static long file_size(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

/* Temporary twins of path (".NAME.tmp.XXXXXX") left in the working directory. */
static int temp_files_left(const char *path)
{
    char prefix[256];
    snprintf(prefix, sizeof prefix, ".%s.tmp.", path);
    int n = 0;
    DIR *d = opendir(".");
    for (struct dirent *e; d && (e = readdir(d));) n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
    if (d) closedir(d);
    return n;
}

static void atomic(void)
{
    const char *path = "out_atomic.h5";
    gd_sim *good = make_sim((const char *const[]){"integrator.steps", "50", NULL});
    CHECK_OK(gd_sim_run(good, path));
    long size = file_size(path);
    CHECK(size > 0);
    /* Newton cannot converge in one iteration at this step: a solver failure in the second
     * trajectory ends that trajectory, is recorded, and the run goes on. */
    gd_sim *bad = make_sim((const char *const[]){"integrator.name", "implicit_midpoint", "integrator.h", "50",
                                                 "integrator.newton_max", "1", "run.x0", "0,0;1,1", NULL});
    CHECK_OK(gd_sim_run(bad, "out_failed.h5"));
    CHECK(gd_sim_get_failure(bad, 0) == GD_FAIL_NONE && gd_sim_get_failure(bad, 1) == GD_FAIL_CONV);
    CHECK(strstr(gd_sim_get_failure_message(bad, 1), "Newton") != NULL);
    CHECK(gd_sim_get_steps(bad, 1) == 0);
    unlink("out_failed.h5");
    /* a write past the file-size limit (a full disk): an I/O error, the good file intact */
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = 4096;
    signal(SIGXFSZ, SIG_IGN);
    gd_sim *big = make_sim((const char *const[]){"integrator.steps", "5000", NULL});
    setrlimit(RLIMIT_FSIZE, &lim);
    int rc = gd_sim_run(big, path);
    setrlimit(RLIMIT_FSIZE, &old);
    CHECK(rc == GD_EIO);
    CHECK(strstr(gd_sim_errmsg(big), path) != NULL);
    CHECK(file_size(path) == size);
    CHECK(temp_files_left(path) == 0);
    gd_sim_free(&big);
    /* unwritable target: a clear I/O error, nothing created */
    rc = gd_sim_run(good, "no_such_dir/x.h5");
    CHECK(rc == GD_EIO);
    CHECK(strstr(gd_sim_errmsg(good), "no_such_dir/x.h5") != NULL);
    gd_sim_free(&good);
    gd_sim_free(&bad);
    unlink(path);
}

static void bad_config(void)
{
    static const char *const cases[][3] = {
        {"model.name", "nope", "unknown model 'nope'"},
        {"integrator.name", "nope", "unknown integrator 'nope'"},
        {"model.bogus", "1", "unknown key model.bogus"},
        {"integrator.h", "-0.1", "integrator.h = -0.1 is out of range"},
        {"integrator.h", "0", "integrator.h = 0 is out of range"},
        {"model.gamma", "nan", "model.gamma = 'nan' is not a finite number"},
        {"model.gamma", "abc", "not a finite number"},
        {"model.reg", "l2", "model.reg = 'l2' is not one of"},
        {"run.x0", "1", "entry 1 has 1 values, expected 2"},
        {"integrator.n_d", "1.5", "not an integer"},
        {"integrator.method", "rk", "integrator.method = 'rk' is not one of"}, /* cvode's key, checked under simgd */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gd_sim *s = gd_sim_create();
        CHECK_OK(gd_sim_set(s, cases[i][0], cases[i][1]));
        CHECK(gd_sim_setup(s) == GD_EUSAGE);
        if (!strstr(gd_sim_errmsg(s), cases[i][2])) fprintf(stderr, "message: %s\n", gd_sim_errmsg(s));
        CHECK(strstr(gd_sim_errmsg(s), cases[i][2]) != NULL);
        CHECK(strchr(gd_sim_errmsg(s), '\n') == NULL);
        gd_sim_free(&s);
    }
    gd_sim *s = gd_sim_create();
    CHECK(gd_sim_set(s, "bogus.key", "1") == GD_EUSAGE);
    CHECK(gd_sim_load(s, "does/not/exist.ini") == GD_EUSAGE);
    gd_sim_free(&s);
}

/* Where "\nKEY =" occurs in [text, end), or NULL; *count: how often. */
static const char *key_line(const char *text, const char *end, const char *key, int *count)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\n%s =", key);
    const char *first = NULL;
    *count = 0;
    for (const char *p = strstr(text, pat); p && p < end; p = strstr(p + 1, pat)) {
        if (!first) first = p;
        ++*count;
    }
    return first;
}

/* Keys belong to the rule that reads them, yet a config may hold another rule's (written for
 * altgd, run with simgd): it is checked by that rule's row, changes nothing, and is written
 * back. The [integrator] section of the config names every key of every rule once, in the
 * order files of earlier versions have (sweep checkpoints and part files hash this text). */
static void other_rules_keys(void)
{
    static const char *const order[] = {"h",    "lr_g", "lr_d", "n_g",  "n_d",        "order",     "steps",     "t_end",
                                        "method", "nls", "linsol", "rtol", "atol", "newton_tol", "max_steps", "newton_max"};
    gd_sim *a = make_sim((const char *const[]){"integrator.steps", "40", "run.x0", "0.5,0.3", NULL});
    gd_sim *b = make_sim((const char *const[]){"integrator.steps", "40", "run.x0", "0.5,0.3", "integrator.n_d", "5", "integrator.t_end", "7",
                                               "integrator.method", "bdf", "integrator.newton_max", "3", NULL});
    CHECK_OK(gd_sim_run(a, ""));
    CHECK_OK(gd_sim_run(b, ""));
    CHECK(memcmp(gd_sim_get_xfinal(a, 0), gd_sim_get_xfinal(b, 0), 2 * sizeof(double)) == 0);
    const char *text = gd_sim_get_config_text(b), *sec = strstr(text, "[integrator]\nname = simgd"), *end = sec ? strstr(sec, "\n[run]") : NULL;
    CHECK(sec && end);
    if (!sec || !end) return;
    CHECK(strstr(sec, "\nn_d = 5\n") && strstr(sec, "\nt_end = 7\n") && strstr(sec, "\nmethod = bdf\n") && strstr(sec, "\nnewton_max = 3\n"));
    const char *prev = sec;
    int n;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *at = key_line(sec, end, order[i], &n);
        CHECK(at > prev && n == 1);
        prev = at ? at : prev;
    }
    for (const gd_param *p = gd_integrator_shared_params(); p->key; p++) CHECK(key_line(sec, end, p->key, &n) && n == 1);
    for (const gd_integrator_type *const *t = gd_integrator_types(); *t; t++)
        for (const gd_param *p = gd_integrator_type_params(*t); p->key; p++) CHECK(key_line(sec, end, p->key, &n) && n == 1);
    gd_sim_free(&a), gd_sim_free(&b);
    /* the same on a stepper: another rule's key is checked by its row, an unknown one refused */
    gd_model *m = make_model("linear", NULL);
    gd_stepper *st = gd_stepper_create(gd_integrator_type_find("simgd"), m);
    CHECK_OK(gd_stepper_set(st, "n_d", "5"));
    CHECK(gd_stepper_set(st, "n_d", "0") == GD_EUSAGE && strstr(gd_stepper_errmsg(st), "integrator.n_d = 0 is out of range"));
    CHECK(gd_stepper_set(st, "nope", "1") == GD_EUSAGE && strstr(gd_stepper_errmsg(st), "unknown key integrator.nope"));
    gd_stepper_free(&st);
    gd_model_free(&m);
    /* which rule reads what: the step sizes only the fixed-step rules, steps every one */
    const gd_integrator_type *alt = gd_integrator_type_find("altgd"), *cv = gd_integrator_type_find("cvode");
    CHECK(gd_integrator_type_reads(alt, "n_d") && gd_integrator_type_reads(alt, "h") && !gd_integrator_type_reads(alt, "t_end"));
    CHECK(gd_integrator_type_reads(cv, "t_end") && gd_integrator_type_reads(cv, "steps") && !gd_integrator_type_reads(cv, "h"));
}

int main(void)
{
    layout();
    atomic();
    bad_config();
    other_rules_keys();
    return check_report("test_output");
}
