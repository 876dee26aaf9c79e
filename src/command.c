/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The gandyn commands (include/gandyn/command.h; contract: README.md "Using it" and `gandyn
 * COMMAND --help`): argument parsing, the run, the text and --json output, written to the
 * caller's streams. src/cli.c is main() over gd_command; the Python package calls
 * gd_command_capture. Exit status 0 success, 2 usage/configuration error, 1 failed run (I/O,
 * solver).
 */
#include "gandyn.h"
#include "gandyn/command.h"
#include "gandyn/estimate.h"
#include "gandyn/game.h"
#include "gandyn_paths.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One call of gd_command: where its text goes, and what a sweep's signal handling replaced. */
typedef struct {
    FILE *out, *err;
    gd_command_io *io;
    int handlers; /* SIGINT/SIGTERM handlers installed: old_int, old_term to restore */
    struct sigaction old_int, old_term;
} gd_cx;

/* 2: the configuration or command line, including sizes it asks for beyond memory; 1: files, the solver */
static int exit_code(int rc) { return rc == GD_EUSAGE || rc == GD_ENOMEM ? 2 : rc < 0 ? 1 : 0; }

/* The error line: on err after "gandyn: ", or into the caller's msg; code is the GD_* code behind it. */
static int fail_code(gd_cx *cx, int status, int code, const char *fmt, const char *a, const char *b)
{
    cx->io->code = code;
    if (cx->io->msg) {
        snprintf(cx->io->msg, GD_COMMAND_MSG, fmt, a, b);
        return status;
    }
    fprintf(cx->err, "gandyn: ");
    fprintf(cx->err, fmt, a, b);
    fputc('\n', cx->err);
    return status;
}

/* A library call's failure rc: its exit status and code. */
static int fail_rc(gd_cx *cx, int rc, const char *fmt, const char *a, const char *b) { return fail_code(cx, exit_code(rc), rc, fmt, a, b); }

/* Errors of the command line (status 2) or of this file (status 1). */
static int fail(gd_cx *cx, int status, const char *fmt, const char *a, const char *b)
{
    return fail_code(cx, status, status == 2 ? GD_EUSAGE : GD_EIO, fmt, a, b);
}

/* ------------------------------------------------------------------ JSON out -- */
static void json_str(gd_cx *cx, const char *s)
{
    fputc('"', cx->out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fprintf(cx->out, "\\%c", *s);
        else if ((unsigned char)*s < 0x20) fprintf(cx->out, "\\u%04x", *s);
        else fputc(*s, cx->out);
    }
    fputc('"', cx->out);
}

/* A command's output file, NULL or "" when it wrote none (-o ''): the JSON member and the
 * text line every command ends with. */
static void json_output(gd_cx *cx, const char *path)
{
    fprintf(cx->out, ",\"output\":");
    if (path && path[0]) json_str(cx, path);
    else fprintf(cx->out, "null");
}

static void text_wrote(gd_cx *cx, const char *path)
{
    if (path && path[0]) fprintf(cx->out, "wrote %s\n", path);
}

static void json_num(gd_cx *cx, double v)
{
    if (isfinite(v)) fprintf(cx->out, "%.17g", v);
    else fprintf(cx->out, "null");
}

static void json_vec(gd_cx *cx, const double *x, int n)
{
    fputc('[', cx->out);
    for (int i = 0; i < n; i++) {
        if (i) fputc(',', cx->out);
        json_num(cx, x[i]);
    }
    fputc(']', cx->out);
}

/* A member after an object's first: ,"key":v (a number or null), resp. ,"key":[...] */
static void json_knum(gd_cx *cx, const char *key, double v)
{
    fprintf(cx->out, ",\"%s\":", key);
    json_num(cx, v);
}

static void json_kvec(gd_cx *cx, const char *key, const double *x, int n)
{
    fprintf(cx->out, ",\"%s\":", key);
    json_vec(cx, x, n);
}

/* n such members from a table; with finite_only those that are NaN or infinite are left out. */
static void json_knums(gd_cx *cx, int n, const char *const *keys, const double *v, int finite_only)
{
    for (int i = 0; i < n; i++)
        if (!finite_only || isfinite(v[i])) json_knum(cx, keys[i], v[i]);
}

/* {"k0":v0,"k1":v1,...} (integers as doubles print the same, below 2^53) */
static void json_object(gd_cx *cx, int n, const char *const *keys, const double *v)
{
    fprintf(cx->out, "{\"%s\":", keys[0]);
    json_num(cx, v[0]);
    json_knums(cx, n - 1, keys + 1, v + 1, 0);
    fputc('}', cx->out);
}

/* [[re,im],...]: complex numbers as pairs */
static void json_complex_list(gd_cx *cx, int n, const double *re, const double *im)
{
    fputc('[', cx->out);
    for (int i = 0; i < n; i++) {
        fprintf(cx->out, "%s[", i ? "," : "");
        json_num(cx, re[i]);
        fputc(',', cx->out);
        json_num(cx, im[i]);
        fputc(']', cx->out);
    }
    fputc(']', cx->out);
}

/* [[..],[..],...]: rows of a row-major matrix */
static void json_rows(gd_cx *cx, int rows, int cols, const double *a)
{
    fputc('[', cx->out);
    for (int i = 0; i < rows; i++) {
        if (i) fputc(',', cx->out);
        json_vec(cx, a + (size_t)i * (size_t)cols, cols);
    }
    fputc(']', cx->out);
}

/* ------------------------------------------------------------------ list ------ */
static const char *type_name(gd_ptype t)
{
    static const char *const n[] = {"double", "int", "enum", "string"};
    return n[t];
}

static void print_param_text(gd_cx *cx, const gd_param *p)
{
    fprintf(cx->out, "    %-14s = %-12s %s\n", p->key, p->def[0] ? p->def : "(empty)", p->help); /* the help says what empty means */
}

static void print_params_text(gd_cx *cx, const gd_param *p, const char *const *only)
{
    for (; p->key; p++) {
        int used = !only;
        for (int i = 0; only && only[i]; i++) used |= strcmp(only[i], p->key) == 0;
        if (used) print_param_text(cx, p);
    }
}

/* One key as a JSON object, after a comma unless *first. */
static void print_param_json(gd_cx *cx, const gd_param *p, int *first)
{
    fprintf(cx->out, "%s{\"key\":", *first ? "" : ",");
    json_str(cx, p->key);
    fprintf(cx->out, ",\"type\":\"%s\",\"default\":", type_name(p->type));
    json_str(cx, p->def);
    fprintf(cx->out, ",\"help\":");
    json_str(cx, p->help);
    if (p->type == GD_P_DOUBLE || p->type == GD_P_INT) { /* the allowed interval; null: unbounded */
        fprintf(cx->out, ",\"range\":{\"min\":");
        json_num(cx, p->lo);
        json_knum(cx, "max", p->hi);
        fprintf(cx->out, ",\"min_open\":%s,\"max_open\":%s}", p->flags & GD_PF_LO_OPEN ? "true" : "false", p->flags & GD_PF_HI_OPEN ? "true" : "false");
    }
    if (p->choices) {
        fprintf(cx->out, ",\"choices\":[");
        for (int i = 0; p->choices[i]; i++) {
            if (i) fputc(',', cx->out);
            json_str(cx, p->choices[i]);
        }
        fputc(']', cx->out);
    }
    fputc('}', cx->out);
    *first = 0;
}

static void print_params_json(gd_cx *cx, const gd_param *p)
{
    int first = 1;
    fputc('[', cx->out);
    for (; p->key; p++) print_param_json(cx, p, &first);
    fputc(']', cx->out);
}

static void print_param(gd_cx *cx, const gd_param *p, int json, int *first)
{
    if (json) print_param_json(cx, p, first);
    else print_param_text(cx, p);
}

/* The keys an integrator reads: the shared ones it uses, then its own. */
static void print_rule_params(gd_cx *cx, const gd_integrator_type *t, int json)
{
    int first = 1;
    if (json) fputc('[', cx->out);
    for (const gd_param *p = gd_integrator_shared_params(); p->key; p++)
        if (gd_integrator_type_reads(t, p->key)) print_param(cx, p, json, &first);
    for (const gd_param *p = gd_integrator_type_params(t); p->key; p++) print_param(cx, p, json, &first);
    if (json) fputc(']', cx->out);
}

static void json_entry_head(gd_cx *cx, int first, const char *name, const char *summary)
{
    fprintf(cx->out, "%s{\"name\":", first ? "" : ",");
    json_str(cx, name);
    fprintf(cx->out, ",\"summary\":");
    json_str(cx, summary);
}

static int cmd_list(gd_cx *cx, int argc, const char *const *argv)
{
    int json = 0, models = 1, integrators = 1, sections = 1;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (strcmp(argv[i], "models") == 0) integrators = sections = 0;
        else if (strcmp(argv[i], "integrators") == 0) models = sections = 0;
        else if (strcmp(argv[i], "sections") == 0) models = integrators = 0;
        else return fail(cx, 2, "list: unknown argument '%s' (models | integrators | sections | --json)", argv[i], "");
    }
    static const char *const fixed[] = {"run", "sweep", "rate", "portrait", "noise", "lookahead", "modifier", "continuation", "lyapunov", "attractor", "critical", NULL}; /* the sections every model and rule share */
    const gd_model_type *const *mt = gd_model_types();
    const gd_integrator_type *const *it = gd_integrator_types();
    if (json) {
        fprintf(cx->out, "{");
        if (models) {
            fprintf(cx->out, "\"models\":[");
            for (int i = 0; mt[i]; i++) {
                json_entry_head(cx, i == 0, gd_model_type_name(mt[i]), gd_model_type_summary(mt[i]));
                fprintf(cx->out, ",\"params\":");
                print_params_json(cx, gd_model_type_params(mt[i]));
                fputc('}', cx->out);
            }
            fprintf(cx->out, "]%s", integrators ? "," : "");
        }
        if (integrators) {
            fprintf(cx->out, "\"integrators\":[");
            for (int i = 0; it[i]; i++) {
                json_entry_head(cx, i == 0, gd_integrator_type_name(it[i]), gd_integrator_type_summary(it[i]));
                fprintf(cx->out, ",\"order\":%d,\"fixed_step\":%s,\"params\":", gd_integrator_type_order(it[i]),
                       gd_integrator_type_is_fixed_step(it[i]) ? "true" : "false");
                print_rule_params(cx, it[i], 1);
                fprintf(cx->out, ",\"state\":["); /* the map's state, vector by vector */
                for (int j = 0; gd_integrator_type_state_name(it[i], j); j++) {
                    if (j) fputc(',', cx->out);
                    json_str(cx, gd_integrator_type_state_name(it[i], j));
                }
                fputc(']', cx->out);
                fputc('}', cx->out);
            }
            fprintf(cx->out, "]%s", sections ? "," : "");
        }
        if (sections) {
            fprintf(cx->out, "\"sections\":{");
            for (int i = 0; fixed[i]; i++) {
                fprintf(cx->out, "%s\"%s\":", i ? "," : "", fixed[i]);
                print_params_json(cx, gd_sim_section_params(fixed[i]));
            }
            fprintf(cx->out, "}");
        }
        fprintf(cx->out, "}\n");
        return 0;
    }
    if (models) {
        fprintf(cx->out, "models ([model] name = ...):\n");
        for (int i = 0; mt[i]; i++) {
            fprintf(cx->out, "  %s: %s\n", gd_model_type_name(mt[i]), gd_model_type_summary(mt[i]));
            print_params_text(cx, gd_model_type_params(mt[i]), NULL);
        }
    }
    if (integrators) {
        fprintf(cx->out, "integrators ([integrator] name = ...):\n");
        for (int i = 0; it[i]; i++) {
            int order = gd_integrator_type_order(it[i]);
            if (order > 0) fprintf(cx->out, "  %s (order %d): %s\n", gd_integrator_type_name(it[i]), order, gd_integrator_type_summary(it[i]));
            else fprintf(cx->out, "  %s (variable order): %s\n", gd_integrator_type_name(it[i]), gd_integrator_type_summary(it[i]));
            print_rule_params(cx, it[i], 0);
        }
    }
    for (int i = 0; sections && fixed[i]; i++) {
        fprintf(cx->out, "[%s]:\n", fixed[i]);
        print_params_text(cx, gd_sim_section_params(fixed[i]), NULL);
    }
    return 0;
}

/* ------------------------------------------------------------------ run ------- */
enum { OPT_SCAN = 1, OPT_SWEEP = 2, OPT_CRITICAL = 4, OPT_SPECTRUM = 8, OPT_CONTINUE = 16, OPT_LYAPUNOV = 32, OPT_ORBIT = 64, OPT_NORMAL = 128 };

typedef struct {
    const char *config, *output, *scan, *param, *trace, *count;
    const char *period, *ds, *max_steps, *from, *cycles; /* continue: [continuation] keys given as options; --from */
    const char *nvalues;                 /* critical --n: critical.n */
    int classes;                         /* critical --classes (or --n): the class scan */
    int json, allowed, resume, threads, ground_state;
    double lo, hi, rtol;
    double period_guess; /* orbit: --period-guess (NaN: the first return time) */
    double at;           /* normal: --at (NaN: not given) */
    const char *type;    /* normal: --type */
    long cells[2]; /* --cells LO:HI; HI = 0: all cells */
    int nset;
    const char **set; /* "section.key=value", applied after the file */
} run_args;

static int number(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end || errno == ERANGE || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

static char *join_args(int argc, const char *const *argv)
{
    size_t n = 8;
    for (int i = 0; i < argc; i++) n += strlen(argv[i]) + 1;
    char *s = malloc(n);
    if (!s) return NULL;
    strcpy(s, "gandyn");
    for (int i = 0; i < argc; i++) {
        strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

/* CONFIG, --set K=V (repeatable), -o FILE, --json. Returns an exit status. */
static int parse_run(gd_cx *cx, int argc, const char *const *argv, run_args *a)
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--json") == 0) a->json = 1;
        else if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
            if (++i == argc) return fail(cx, 2, "%s needs a file name", arg, "");
            a->output = argv[i];
        } else if (strcmp(arg, "--set") == 0 || strncmp(arg, "--set=", 6) == 0) {
            const char *kv = arg[5] == '=' ? arg + 6 : (++i < argc ? argv[i] : NULL);
            if (!kv || !strchr(kv, '=')) return fail(cx, 2, "--set needs section.key=value", "", "");
            a->set[a->nset++] = kv;
        } else if ((a->allowed & OPT_SCAN) && strcmp(arg, "--scan") == 0) {
            if (++i == argc) return fail(cx, 2, "--scan needs KEY:LO:HI:N[:lin|log]", "", "");
            a->scan = argv[i];
        } else if ((a->allowed & OPT_SWEEP) && strcmp(arg, "--resume") == 0) {
            a->resume = 1;
        } else if ((a->allowed & OPT_SWEEP) && strcmp(arg, "--cells") == 0) {
            char *end = NULL;
            if (++i < argc) a->cells[0] = strtol(argv[i], &end, 10), a->cells[1] = end && *end == ':' ? strtol(end + 1, &end, 10) : 0;
            if (i == argc || *end || a->cells[0] < 0 || a->cells[1] <= a->cells[0])
                return fail(cx, 2, "--cells needs LO:HI, whole numbers with 0 <= LO < HI (cells LO to HI - 1)", "", "");
        } else if ((a->allowed & OPT_SWEEP) && strcmp(arg, "--threads") == 0) {
            double v;
            if (++i == argc || !number(argv[i], &v) || v < 1 || v > 4096 || v != floor(v))
                return fail(cx, 2, "--threads needs a whole number from 1 to 4096", "", "");
            a->threads = (int)v;
        } else if (((a->allowed & OPT_CONTINUE) && (!strcmp(arg, "--period") || !strcmp(arg, "--ds") || !strcmp(arg, "--max-steps"))) ||
                   ((a->allowed & OPT_NORMAL) && !strcmp(arg, "--period"))) {
            const char **dst = arg[2] == 'p' ? &a->period : arg[2] == 'd' ? &a->ds : &a->max_steps;
            if (++i == argc) return fail(cx, 2, "%s needs a number", arg, "");
            *dst = argv[i];
        } else if ((a->allowed & (OPT_CONTINUE | OPT_NORMAL)) && strcmp(arg, "--from") == 0) {
            if (++i == argc) return fail(cx, 2, "--from needs equilibrium, x0, orbit or FILE.h5#/points/N", "", "");
            a->from = argv[i];
        } else if ((a->allowed & OPT_CONTINUE) && strcmp(arg, "--cycles") == 0) {
            a->cycles = "1";
        } else if ((a->allowed & (OPT_CRITICAL | OPT_CONTINUE | OPT_NORMAL)) && strcmp(arg, "--param") == 0) {
            if (++i == argc) return fail(cx, 2, "--param needs a key such as integrator.h", "", "");
            a->param = argv[i];
        } else if ((a->allowed & OPT_CRITICAL) && strcmp(arg, "--classes") == 0) {
            a->classes = 1;
        } else if ((a->allowed & OPT_CRITICAL) && strcmp(arg, "--n") == 0) {
            if (++i == argc) return fail(cx, 2, "--n needs a whole number >= 2", "", "");
            a->nvalues = argv[i], a->classes = 1;
        } else if ((a->allowed & OPT_CRITICAL) && strcmp(arg, "--trace") == 0) {
            if (++i == argc) return fail(cx, 2, "--trace needs KEY:LO:HI:N[:lin|log]", "", "");
            a->trace = argv[i];
        } else if (((a->allowed & OPT_CRITICAL) && !strcmp(arg, "--rtol")) || ((a->allowed & (OPT_CRITICAL | OPT_CONTINUE)) && (!strcmp(arg, "--lo") || !strcmp(arg, "--hi")))) {
            double *dst = arg[2] == 'l' ? &a->lo : arg[2] == 'h' ? &a->hi : &a->rtol;
            if (++i == argc || !number(argv[i], dst)) return fail(cx, 2, "%s needs a finite number", arg, "");
        } else if ((a->allowed & OPT_NORMAL) && strcmp(arg, "--at") == 0) {
            if (++i == argc || !number(argv[i], &a->at)) return fail(cx, 2, "--at needs a finite number", "", "");
        } else if ((a->allowed & OPT_NORMAL) && strcmp(arg, "--type") == 0) {
            if (++i == argc) return fail(cx, 2, "--type needs hopf, ns, pd or lp", "", "");
            a->type = argv[i];
        } else if ((a->allowed & OPT_LYAPUNOV) && strcmp(arg, "--count") == 0) {
            double v;
            if (++i == argc || !number(argv[i], &v) || v < 1 || v != floor(v)) return fail(cx, 2, "--count needs a whole number >= 1", "", "");
            a->count = argv[i];
        } else if ((a->allowed & OPT_ORBIT) && strcmp(arg, "--period-guess") == 0) {
            if (++i == argc || !number(argv[i], &a->period_guess) || !(a->period_guess > 0)) return fail(cx, 2, "--period-guess needs a number > 0", "", "");
        } else if ((a->allowed & OPT_SPECTRUM) && strcmp(arg, "--ground-state") == 0) {
            a->ground_state = 1;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return fail(cx, 2, "unknown option '%s' (see gandyn --help)", arg, "");
        } else if (!a->config) {
            a->config = arg;
        } else {
            return fail(cx, 2, "unexpected argument '%s' (one CONFIG only)", arg, "");
        }
    }
    if (!a->config) return fail(cx, 2, "missing CONFIG (use /dev/null for all defaults)", "", "");
    return 0;
}

/* Load the file, apply the overrides, resolve. Returns an exit status. */
static int configure(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    int rc = gd_sim_load(sim, a->config); /* status 2 whatever failed; the code says what */
    for (int i = 0; rc == GD_OK && i < a->nset; i++) {
        const char *eq = strchr(a->set[i], '=');
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)(eq - a->set[i]), a->set[i]);
        rc = gd_sim_set(sim, key, eq + 1);
    }
    const char *ckey[5] = {"continuation.period", "continuation.ds", "continuation.max_steps", "critical.n", "continuation.cycles"},
               *cval[5] = {a->period, a->ds, a->max_steps, a->nvalues, a->cycles};
    for (int i = 0; rc == GD_OK && i < 5; i++)
        if (cval[i]) rc = gd_sim_set(sim, ckey[i], cval[i]);
    if (rc == GD_OK) rc = gd_sim_setup(sim);
    if (rc != GD_OK) return fail_code(cx, 2, rc, "%s", gd_sim_errmsg(sim), "");
    const char *warning = gd_model_warning(gd_sim_get_model(sim));
    if (warning[0]) fprintf(cx->err, "gandyn: warning: %s\n", warning);
    return 0;
}

/* Peak resident memory of this process image in MiB (VmHWM: unlike getrusage's ru_maxrss
 * it does not include the memory of the program that exec'd us), NAN where unknown. */
static double peak_rss_mib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kib = NAN;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lf kB", &kib) == 1) break;
    if (f) fclose(f);
    return kib / 1024;
}

static void print_run_json(gd_cx *cx, const gd_sim *sim, const char *path)
{
    int dim = gd_model_dim(gd_sim_get_model(sim));
    fprintf(cx->out, "{\"trajectories\":[");
    for (int k = 0; k < gd_sim_get_ntraj(sim); k++) {
        fprintf(cx->out, "%s{\"x0\":", k ? "," : "");
        json_vec(cx, gd_sim_get_x0(sim, k), dim);
        json_kvec(cx, "x_final", gd_sim_get_xfinal(sim, k), dim);
        fprintf(cx->out, ",\"steps\":%ld", gd_sim_get_steps(sim, k));
        json_knum(cx, "t_final", gd_sim_get_tfinal(sim, k));
        fprintf(cx->out, ",\"outcome\":\"%s\",\"solver\":\"%s\",\"nfev\":%ld,\"solver_steps\":%ld", gd_outcome_name(gd_sim_get_outcome(sim, k)),
               gd_failure_name(gd_sim_get_failure(sim, k)), gd_sim_get_nfev(sim, k), gd_sim_get_solver_steps(sim, k));
        json_knum(cx, "rate", gd_sim_get_rate(sim, k));
        json_knum(cx, "seconds", gd_sim_get_seconds(sim, k));
        fputc('}', cx->out);
    }
    fputc(']', cx->out);
    json_knum(cx, "peak_rss_mib", peak_rss_mib());
    json_output(cx, path);
    fprintf(cx->out, "}\n");
}

static void print_run_text(gd_cx *cx, const gd_sim *sim, const char *path)
{
    int dim = gd_model_dim(gd_sim_get_model(sim));
    const double *eq = gd_sim_get_equilibrium(sim);
    for (int k = 0; k < gd_sim_get_ntraj(sim); k++) {
        const double *x = gd_sim_get_xfinal(sim, k), *x0 = gd_sim_get_x0(sim, k);
        double r = 0, d = 0, d0 = 0;
        for (int i = 0; i < dim; i++) {
            r += x[i] * x[i];
            d += eq ? (x[i] - eq[i]) * (x[i] - eq[i]) : 0;
            d0 += eq ? (x0[i] - eq[i]) * (x0[i] - eq[i]) : 0;
        }
        fprintf(cx->out, "trajectory %d: %-9s after %ld steps, t = %g, |x| = %.6g", k, gd_outcome_name(gd_sim_get_outcome(sim, k)),
               gd_sim_get_steps(sim, k), gd_sim_get_tfinal(sim, k), sqrt(r));
        if (eq && d0 > 0) fprintf(cx->out, ", |x - x*|/|x0 - x*| = %.3g", sqrt(d / d0));
        if (isfinite(gd_sim_get_rate(sim, k))) fprintf(cx->out, ", contraction %.6g per step", gd_sim_get_rate(sim, k));
        gd_failure why = gd_sim_get_failure(sim, k);
        if (why != GD_FAIL_NONE) fprintf(cx->out, ", stopped early: %s", gd_failure_name(why));
        fputc('\n', cx->out);
        if (why != GD_FAIL_NONE) /* on cx->err too: it must not scroll by unnoticed */
            fprintf(cx->err, "gandyn: trajectory %d stopped early: %s\n", k,
                    gd_sim_get_failure_message(sim, k)[0] ? gd_sim_get_failure_message(sim, k) : gd_failure_name(why));
    }
    text_wrote(cx, path);
}

typedef int (*command_fn)(gd_cx *cx, gd_sim *sim, const run_args *a);

/* Shared driver of the config-taking commands: parse, configure, record the command
 * line, run fn. Returns the exit status. */
static int with_sim(gd_cx *cx, int argc, const char *const *argv, int allowed, command_fn fn)
{
    gd_sim *sim = gd_sim_create();
    run_args a = {.allowed = allowed, .lo = NAN, .hi = NAN, .rtol = 1e-6, .period_guess = NAN, .at = NAN, .set = calloc((size_t)argc + 1, sizeof(char *))};
    if (!sim || !a.set) {
        gd_sim_free(&sim);
        free(a.set);
        return fail(cx, 1, "out of memory", "", "");
    }
    int st = parse_run(cx, argc, argv, &a);
    if (!st) st = configure(cx, sim, &a);
    if (!st) {
        char *cmd = join_args(argc, argv);
        gd_sim_set_command(sim, cmd);
        free(cmd);
        st = fn(cx, sim, &a);
    }
    free(a.set);
    gd_sim_free(&sim);
    return st;
}

static int do_run(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    const char *path = a->output ? a->output : gd_sim_get_output(sim);
    int rc = gd_sim_run(sim, path);
    if (rc != GD_OK) return fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
    if (a->json) print_run_json(cx, sim, path);
    else print_run_text(cx, sim, path);
    return 0;
}

/* At most 12, the dominant first (largest Re for a flow, largest modulus for a map); JSON
 * output keeps all of them. */
static void text_complex_list(gd_cx *cx, int n, const double *re, const double *im, int by_modulus)
{
    enum { SHOW = 12 };
    int idx[SHOW], m = n < SHOW ? n : SHOW, used = 0;
    char taken[4096] = {0};
    for (int k = 0; k < m; k++) {
        int best = -1;
        for (int i = 0; i < n && i < 4096; i++) {
            if (taken[i]) continue;
            double a = by_modulus ? hypot(re[i], im[i]) : re[i], b = best < 0 ? 0 : by_modulus ? hypot(re[best], im[best]) : re[best];
            if (best < 0 || a > b + 1e-15 * fabs(b)) best = i;
        }
        if (best < 0) break;
        taken[best] = 1;
        idx[used++] = best;
    }
    for (int k = 0; k < used; k++) /* + 0.0 prints -0 as 0 */
        fprintf(cx->out, "%s%.9g %c %.9gi", k ? ", " : "", re[idx[k]] + 0.0, im[idx[k]] < 0 ? '-' : '+', fabs(im[idx[k]]));
    if (n > used) fprintf(cx->out, " ... (%d more; --json lists all)", n - used);
}

/* "noise": the stationary covariance of the noisy map (null entries when it has none). */
static void json_noise(gd_cx *cx, const gd_eig_result *e)
{
    fprintf(cx->out, ",\"noise\":{\"sigma\":");
    json_num(cx, e->noise_sigma);
    fprintf(cx->out, ",\"draws\":%d,\"input\":\"central differences of the implemented step in its injected draws\",\"covariance\":", e->noise_draws);
    if (e->cov) json_rows(cx, e->map_dim, e->map_dim, e->cov);
    else fprintf(cx->out, "null");
    json_knum(cx, "trace", e->cov_trace);
    fprintf(cx->out, ",\"se_factors\":");
    if (e->cov_se) json_rows(cx, e->dim, e->dim, e->cov_se);
    else fprintf(cx->out, "null");
    fputc('}', cx->out);
}

static void text_noise(gd_cx *cx, const gd_eig_result *e)
{
    if (!e->cov) {
        fprintf(cx->out, "noise sigma = %g: no stationary covariance (spectral radius >= 1)\n", e->noise_sigma);
        return;
    }
    fprintf(cx->out, "noise sigma = %g (%d draws per iteration): stationary covariance trace %.9g, diagonal", e->noise_sigma, e->noise_draws,
            e->cov_trace);
    for (int i = 0; i < e->dim && i < 12; i++) fprintf(cx->out, "%s%.9g", i ? ", " : " (", e->cov[(size_t)i * e->map_dim + i]);
    fprintf(cx->out, "%s\n", e->dim > 12 ? ", ...)" : ")");
}

static void print_eig(gd_cx *cx, const gd_eig_result *e, const gd_scan_result *sc, const char *path, int json)
{
    if (json) {
        fprintf(cx->out, "{\"equilibrium\":");
        json_vec(cx, e->equilibrium, e->dim);
        fprintf(cx->out, ",\"has_flow\":%s,\"eigenvalues\":", e->has_flow ? "true" : "false");
        if (e->has_flow) json_complex_list(cx, e->dim, e->re, e->im);
        else fprintf(cx->out, "null");
        fprintf(cx->out, ",\"no_flow\":");
        if (e->has_flow) fprintf(cx->out, "null");
        else json_str(cx, e->no_flow);
        fprintf(cx->out, ",\"type\":\"%s\",\"map\":{\"integrator\":\"%s\"", e->type, e->integrator);
        static const char *const rates[] = {"h", "lr_g", "lr_d"};
        json_knums(cx, 3, rates, (const double[]){e->h, e->lr_g, e->lr_d}, 0);
        fprintf(cx->out, ",\"analytic\":%s,\"eigenvalues\":", e->map_analytic ? "true" : "false");
        json_complex_list(cx, e->map_dim, e->map_re, e->map_im);
        json_knum(cx, "spectral_radius", e->rho);
        fprintf(cx->out, ",\"predicted\":\"%s\",\"phase\":\"%s\",\"state_dim\":%d,\"evals\":%d", gd_outcome_name(e->predicted), e->phase, e->map_dim, e->evals);
        json_knum(cx, "per_eval", e->rho_per_eval);
        fprintf(cx->out, ",\"steps\":%ld", e->steps); /* lookahead: k base steps per iteration */
        json_knum(cx, "per_step", e->rho_per_step);
        if (e->v_frozen) { /* adam, rmsprop: the frozen-second-moment map */
            json_kvec(cx, "v_frozen", e->v_frozen, e->dim);
            json_knum(cx, "validity_radius", e->v_radius);
        }
        fputc('}', cx->out);
        if (e->noise_sigma > 0) json_noise(cx, e);
        if (sc) {
            fprintf(cx->out, ",\"scan\":{\"key\":");
            json_str(cx, sc->key);
            json_kvec(cx, "values", sc->values, sc->n);
            json_kvec(cx, "spectral_radius", sc->rho, sc->n);
            fputc('}', cx->out);
        }
        json_output(cx, path);
        fprintf(cx->out, "}\n");
        return;
    }
    fprintf(cx->out, "equilibrium: ");
    for (int i = 0; i < e->dim && i < 12; i++) fprintf(cx->out, "%s%.9g", i ? ", " : "(", e->equilibrium[i]);
    fprintf(cx->out, e->dim > 12 ? ", ... %d coordinates)\n" : ")\n", e->dim);
    if (e->has_flow) {
        fprintf(cx->out, "eigenvalues: ");
        text_complex_list(cx, e->dim, e->re, e->im, 0);
    } else {
        fprintf(cx->out, "no flow spectrum: the model has no vector field here (%s); the map's spectrum follows", e->no_flow);
    }
    char steps[96];
    if (e->lr_g == e->h && e->lr_d == e->h) snprintf(steps, sizeof steps, "h = %g", e->h);
    else snprintf(steps, sizeof steps, "lr_g = %g, lr_d = %g", e->lr_g, e->lr_d); /* what the map uses, not h */
    fprintf(cx->out, "\ntype: %s\nmap of %s (%s, %s): ", e->type, e->integrator, steps, e->map_analytic ? "analytic" : "finite differences");
    text_complex_list(cx, e->map_dim, e->map_re, e->map_im, 1);
    fprintf(cx->out, "\nspectral radius: %.9g -> %s (%s)\n", e->rho, gd_outcome_name(e->predicted), e->phase);
    if (e->steps > 1) fprintf(cx->out, "per base step (lookahead cycle of %ld): %.9g\n", e->steps, e->rho_per_step);
    if (e->v_frozen) {
        fprintf(cx->out, "frozen second moment v = ");
        for (int i = 0; i < e->dim && i < 12; i++) fprintf(cx->out, "%s%.9g", i ? ", " : "(", e->v_frozen[i]);
        fprintf(cx->out, "%s; the map is the rule's linearisation for |F| <~ %.3g\n", e->dim > 12 ? ", ...)" : ")", e->v_radius);
    }
    if (e->noise_sigma > 0) text_noise(cx, e);
    if (sc) fprintf(cx->out, "scan of %s: %d values, spectral radius %.6g .. %.6g\n", sc->key, sc->n, sc->rho[0], sc->rho[sc->n - 1]);
    text_wrote(cx, path);
}

static int do_eig(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    gd_eig_result e;
    gd_scan_result sc = {0};
    int rc = gd_sim_eig(sim, &e);
    if (rc == GD_OK && a->scan) rc = gd_sim_eig_scan(sim, a->scan, &sc);
    const char *path = a->output ? a->output : a->scan ? "output/eig.h5" : NULL;
    if (path && !path[0]) path = NULL; /* -o '': no file */
    if (rc == GD_OK && path) rc = gd_sim_write_eig(sim, path, &e, a->scan ? &sc : NULL);
    if (rc == GD_OK) print_eig(cx, &e, a->scan ? &sc : NULL, path, a->json);
    gd_eig_result_free(&e);
    gd_scan_result_free(&sc);
    return rc == GD_OK ? 0 : fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
}

static void print_rate(gd_cx *cx, const gd_rate_result *r, const char *path, int json)
{
    if (json) {
        fprintf(cx->out, "{");
        static const char *const reim[] = {"re", "im", "returns"}, *const polar[] = {"rho", "angle"};
        if (r->has_continuous) {
            fprintf(cx->out, "\"continuous\":{\"measured\":");
            json_object(cx, 2, reim, (const double[]){r->c_re, r->c_im});
            fprintf(cx->out, ",\"predicted\":");
            json_object(cx, 2, reim, (const double[]){r->c_pred_re, r->c_pred_im});
            fprintf(cx->out, ",\"poincare\":");
            json_object(cx, 3, reim, (const double[]){r->c_poincare_re, r->c_poincare_im, r->c_returns});
            fprintf(cx->out, ",\"points\":%d}%s", r->c_points, r->has_discrete ? "," : "");
        }
        if (r->has_discrete) {
            fprintf(cx->out, "\"discrete\":{\"measured\":");
            json_object(cx, 2, polar, (const double[]){r->d_rho, r->d_angle});
            fprintf(cx->out, ",\"predicted\":");
            json_object(cx, 2, polar, (const double[]){r->d_pred_rho, r->d_pred_angle});
            fprintf(cx->out, ",\"points\":%d}", r->d_points);
        }
        json_output(cx, path);
        fprintf(cx->out, "}\n");
        return;
    }
    if (r->has_continuous)
        fprintf(cx->out, "continuous: measured %.9g %+.9gi, predicted %.9g %+.9gi (%d points); Poincare returns (%d): %.9g %+.9gi\n", r->c_re,
               r->c_im, r->c_pred_re, r->c_pred_im, r->c_points, r->c_returns, r->c_poincare_re, r->c_poincare_im);
    if (r->has_discrete)
        fprintf(cx->out, "discrete: measured rho %.9g angle %.9g, predicted rho %.9g angle %.9g (%d points)\n", r->d_rho, r->d_angle,
               r->d_pred_rho, r->d_pred_angle, r->d_points);
    text_wrote(cx, path);
}

static int do_rate(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    gd_rate_result r;
    const char *path = a->output ? a->output : "output/rate.h5";
    int rc = gd_sim_rate(sim, path, &r);
    if (rc != GD_OK) return fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
    print_rate(cx, &r, path, a->json);
    return 0;
}

static int do_portrait(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    const char *path = a->output ? a->output : "output/portrait.h5";
    gd_portrait_result r;
    int rc = gd_sim_portrait_census(sim, path, &r);
    if (rc != GD_OK) return fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
    if (a->json) {
        fprintf(cx->out, "{\"trajectories\":%d,\"equilibria\":%d", gd_sim_get_ntraj(sim), r.equilibria);
        json_knum(cx, "index_sum", r.index_sum);
        json_knum(cx, "index_expected", r.index_expected);
        json_output(cx, path);
        fprintf(cx->out, "}\n");
    } else {
        char sum[24] = "undefined", want[24] = "undefined";
        if (!isnan(r.index_sum)) snprintf(sum, sizeof sum, "%g", r.index_sum);
        if (!isnan(r.index_expected)) snprintf(want, sizeof want, "%g", r.index_expected);
        fprintf(cx->out, "portrait: %d trajectories, %d equilibria in the box, index sum %s (expected %s)\n", gd_sim_get_ntraj(sim), r.equilibria, sum, want);
        text_wrote(cx, path);
    }
    if (r.index_sum != r.index_expected && !isnan(r.index_sum) && !isnan(r.index_expected)) /* Poincare-Hopf: some were missed */
        fprintf(cx->err, "gandyn: warning: the equilibria's indices add up to %g, the box needs %g: some were not found (raise portrait.seeds)\n",
                r.index_sum, r.index_expected);
    return 0;
}

/* ------------------------------------------------------------------ smoothness */
static void smoothness_text(gd_cx *cx, const gd_smoothness_result *r, const char *indent)
{
    fprintf(cx->out, "%scurvature (eigenvalues of -DF) at the start: [%.10g, %.10g]\n", indent, r->start_bottom, r->start_top);
    fprintf(cx->out, "%safter the run (%s): [%.10g, %.10g]\n", indent, r->outcome, r->final_bottom, r->final_top);
    if (r->has_equilibrium) fprintf(cx->out, "%sat the equilibrium: [%.10g, %.10g]\n", indent, r->eq_bottom, r->eq_top);
    fprintf(cx->out, "%sgradient descent step limit 2/L = %.10g\n", indent, r->h_limit);
}

static void smoothness_json(gd_cx *cx, const gd_smoothness_result *r)
{
    int eq = r->has_equilibrium; /* without one its two are null */
    const double v[] = {r->start_top, r->start_bottom, r->final_top, r->final_bottom, eq ? r->eq_top : NAN, eq ? r->eq_bottom : NAN, r->h_limit};
    static const char *const k[] = {"start_top", "start_bottom", "final_top", "final_bottom", "eq_top", "eq_bottom", "h_limit"};
    fprintf(cx->out, "\"outcome\":");
    json_str(cx, r->outcome);
    json_knums(cx, 7, k, v, 0);
}

/* The first start's numbers as before; with several starts each one's after it (text), or
 * in "starts" (JSON). */
static int do_smoothness(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    gd_smoothness_result r;
    int rc = gd_sim_smoothness(sim, &r);
    if (rc != GD_OK) return fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
    if (!a->json) {
        for (int k = 0; k < r.nstarts; k++) {
            if (r.nstarts > 1) fprintf(cx->out, "start %d of %d:\n", k + 1, r.nstarts);
            smoothness_text(cx, &r.each[k], r.nstarts > 1 ? "  " : "");
        }
        gd_smoothness_result_free(&r);
        return 0;
    }
    fputc('{', cx->out);
    smoothness_json(cx, &r);
    fprintf(cx->out, ",\"starts\":[");
    for (int k = 0; k < r.nstarts; k++) {
        fprintf(cx->out, k ? ",{" : "{");
        smoothness_json(cx, &r.each[k]);
        fputc('}', cx->out);
    }
    fprintf(cx->out, "]}\n");
    gd_smoothness_result_free(&r);
    return 0;
}

/* ------------------------------------------------------------------ spectrum -- */
static void print_spectrum_json(gd_cx *cx, const gd_spectrum_result *r, const char *path)
{
    fprintf(cx->out, "{\"laplacian\":");
    json_vec(cx, r->lambda, r->M);
    fprintf(cx->out, ",\"operator\":");
    json_complex_list(cx, r->n_operator, r->op_re, r->op_im);
    fprintf(cx->out, ",\"roots\":[");
    for (int k = 0; k < r->M; k++) { /* each mode's two */
        if (k) fputc(',', cx->out);
        json_complex_list(cx, 2, r->root_re + 2 * k, r->root_im + 2 * k);
    }
    fprintf(cx->out, "],\"slowest\":");
    static const char *const slow[] = {"k", "lambda", "re", "im"};
    json_object(cx, 4, slow, (const double[]){r->slowest, r->lambda[r->slowest], r->root_re[2 * r->slowest], r->root_im[2 * r->slowest]});
    json_knum(cx, "rate", r->rate);
    json_knum(cx, "mode_gap", r->n_operator ? r->mode_gap : NAN);
    json_output(cx, path);
}

static void print_spectrum_text(gd_cx *cx, const gd_spectrum_result *r, const char *path)
{
    int show = r->M < 8 ? r->M : 8;
    fprintf(cx->out, "-Delta_p, %d grid points, lowest eigenvalues:", r->M);
    for (int k = 0; k < show; k++) fprintf(cx->out, " %.10g", r->lambda[k]);
    fprintf(cx->out, "\nslowest mode k = %d (lambda = %.10g): s = %.10g %+.10gi, rate %.10g\n", r->slowest, r->lambda[r->slowest],
           r->root_re[2 * r->slowest], r->root_im[2 * r->slowest], r->rate);
    if (r->n_operator)
        fprintf(cx->out, "operator: %d eigenvalues; the largest distance from one to a mode root is %.3g\n", r->n_operator, r->mode_gap);
    else
        fprintf(cx->out, "operator: skipped (more than %d coordinates)\n", GD_SPECTRUM_OPERATOR_MAX);
    text_wrote(cx, path);
}

static void print_spectrum_scan(gd_cx *cx, const gd_spectrum_scan *sc, int json)
{
    if (!json) {
        fprintf(cx->out, "lambda_1 along %s: largest %.10g at %.10g (best sample %d of %d)\n", sc->key, sc->best_lambda1, sc->best_value, sc->best + 1, sc->n);
        return;
    }
    fprintf(cx->out, ",\"scan\":{\"key\":");
    json_str(cx, sc->key);
    json_kvec(cx, "values", sc->values, sc->n);
    json_kvec(cx, "lambda1", sc->lambda1, sc->n);
    json_kvec(cx, "rate", sc->rate, sc->n);
    fprintf(cx->out, ",\"best\":");
    static const char *const best[] = {"value", "lambda1"};
    json_object(cx, 2, best, (const double[]){sc->best_value, sc->best_lambda1});
    fputc('}', cx->out);
}

static int do_spectrum(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    const char *path = a->output ? a->output : "output/spectrum.h5";
    gd_spectrum_result r = {0};
    gd_spectrum_scan sc = {0};
    int rc = a->scan ? gd_sim_spectrum_scan(sim, a->scan, a->ground_state, &sc) : GD_OK;
    if (rc == GD_OK) rc = gd_sim_spectrum(sim, a->ground_state, &r);
    if (rc == GD_OK && path[0]) rc = gd_sim_write_spectrum(sim, path, &r, a->scan ? &sc : NULL);
    if (rc == GD_OK && a->json) {
        print_spectrum_json(cx, &r, path);
        if (a->scan) print_spectrum_scan(cx, &sc, 1);
        fprintf(cx->out, "}\n");
    } else if (rc == GD_OK) {
        print_spectrum_text(cx, &r, path);
        if (a->scan) print_spectrum_scan(cx, &sc, 0);
    }
    gd_spectrum_result_free(&r);
    gd_spectrum_scan_free(&sc);
    return rc == GD_OK ? 0 : fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
}

/* ------------------------------------------------------------------ sweep ----- */
/* The sweep SIGINT/SIGTERM cancel (gd_command_io.signals); one at a time per process. */
static gd_sweep *volatile running_sweep;

static void on_signal(int sig)
{
    (void)sig;
    if (running_sweep) gd_sweep_cancel(running_sweep);
}

/* Progress on err: a redrawn bar on a terminal, a plain line every few seconds otherwise.
 * A --cells run counts the cells of its own blocks (total), less the done ones elsewhere. */
typedef struct { FILE *err; int tty; long offset, total; } progress_state;

static void progress(void *user, long done, long total, double secs)
{
    const progress_state *p = user;
    if (p->total) done -= p->offset, total = p->total;
    double rate = secs > 0 ? done / secs : 0, left = rate > 0 ? (total - done) / rate : 0;
    if (p->tty) {
        int w = (int)(30.0 * done / (total ? total : 1));
        fprintf(p->err, "\r[%.*s%*s] %ld/%ld cells, %.3g cells/s, %.0f s left ", w, "##############################", 30 - w, "",
                done, total, rate, left);
        if (done == total) fputc('\n', p->err);
    } else {
        fprintf(p->err, "sweep: %ld/%ld cells, %.3g cells/s, %.0f s left\n", done, total, rate, left);
    }
}

/* SIGINT and SIGTERM cancel w from now until restore_signals (the end of gd_command). */
static void catch_signals(gd_cx *cx, gd_sweep *w)
{
    running_sweep = w;
    if (cx->handlers) return;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &cx->old_int);
    sigaction(SIGTERM, &sa, &cx->old_term);
    cx->handlers = 1;
}

static void restore_signals(gd_cx *cx)
{
    if (!cx->handlers) return;
    sigaction(SIGINT, &cx->old_int, NULL);
    sigaction(SIGTERM, &cx->old_term, NULL);
    cx->handlers = 0;
}

/* sweep.attractor: the cells of [lo, hi) per attractor class, the undetermined ones (the first
 * GD_LIST_UNDETERMINED listed), and a basin's attractors; as JSON members or text lines. */
#define GD_LIST_UNDETERMINED 1000
static void print_attractors(gd_cx *cx, const gd_sweep *w, long lo, long hi, int json)
{
    const signed char *cls = gd_sweep_get_attractor(w);
    long counts[GD_ATTRACTOR_UNDETERMINED + 1] = {0}, listed = 0;
    for (long i = lo; i < hi; i++) counts[cls[i]]++;
    fprintf(cx->out, json ? ",\"attractors\":{" : "attractors:");
    for (int k = 0; k <= GD_ATTRACTOR_UNDETERMINED; k++) fprintf(cx->out, json ? "%s\"%s\":%ld" : "%s %s %ld", k ? "," : "", gd_attractor_class_name(k), counts[k]);
    fprintf(cx->out, json ? "},\"undetermined\":[" : "\n");
    for (long i = lo; json && i < hi && listed < GD_LIST_UNDETERMINED; i++)
        if (cls[i] == GD_ATTRACTOR_UNDETERMINED) fprintf(cx->out, "%s%ld", listed++ ? "," : "", i);
    if (json) fprintf(cx->out, "]");
    int nb = 0;
    if (!gd_sweep_get_basin(w, &nb)) {
        if (!json && gd_sweep_is_basin(w))
            fprintf(cx->out, "basin: not labelled: some cells were imported without their attractor tables; run the sweep again\n");
        return;
    }
    fprintf(cx->out, json ? ",\"basin\":[" : "basin: %d attractors:", nb);
    for (int j = 0; j < nb; j++) {
        int c, period, m;
        gd_sweep_get_basin_attractor(w, j, &c, &period, &m);
        if (json) fprintf(cx->out, "%s{\"label\":%d,\"class\":\"%s\",\"period\":%d,\"points\":%d}", j ? "," : "", j, gd_attractor_class_name(c), period, m);
        else fprintf(cx->out, "%s %d %s", j ? "," : "", j, gd_attractor_class_name(c));
        if (!json && period > 1) fprintf(cx->out, " %d", period);
    }
    fprintf(cx->out, json ? "]" : "\n");
}

/* The closing lines of sweep and merge over cells [lo, hi): a cx->err line for cells that
 * stopped early, then the JSON object or text. range: a --cells part; nparts: a merge. */
static void print_sweep(gd_cx *cx, const gd_sweep *w, long lo, long hi, int range, int nparts, const char *path, int json)
{
    long counts[3], why[GD_FAIL_COUNT], failed = gd_sweep_get_failures_range(w, lo, hi, why), n = gd_sweep_ncells(w);
    double agree = gd_sweep_get_agreement_range(w, lo, hi, counts);
    const char *kernel = gd_sweep_is_batched(w) ? "batched" : "per-cell";
    char kinds[512] = "";
    for (int k = 1, at = 0; k < GD_FAIL_COUNT; k++)
        if (why[k] && at < (int)sizeof kinds) at += snprintf(kinds + at, sizeof kinds - (size_t)at, "%s%s %ld", at ? ", " : "", gd_failure_name(k), why[k]);
    if (failed) /* recorded in /sweep/solver; said here so that it is not missed */
        fprintf(cx->err, "gandyn: %ld cells stopped early (%s); they count as diverged\n", failed, kinds);
    if (json) {
        fprintf(cx->out, "{\"cells\":%ld,", hi - lo);
        if (range) fprintf(cx->out, "\"range\":[%ld,%ld],\"total\":%ld,", lo, hi, n);
        if (nparts) fprintf(cx->out, "\"parts\":%d,", nparts);
        fprintf(cx->out, "\"counts\":{\"converge\":%ld,\"oscillate\":%ld,\"diverge\":%ld},\"failed\":%ld", counts[0], counts[1], counts[2], failed);
        json_knum(cx, "agreement", agree);
        if (gd_sweep_get_attractor(w)) print_attractors(cx, w, lo, hi, 1);
        fprintf(cx->out, ",\"kernel\":\"%s\"", kernel);
        json_knum(cx, "peak_rss_mib", peak_rss_mib());
        json_output(cx, path);
        fprintf(cx->out, "}\n");
        return;
    }
    if (range) fprintf(cx->out, "cells %ld:%ld of %ld", lo, hi, n);
    else fprintf(cx->out, "%ld cells", n);
    if (nparts) fprintf(cx->out, " merged from %d parts", nparts);
    fprintf(cx->out, " (%s kernel): %ld converge, %ld oscillate, %ld diverge; agreement with the prediction %.4f\n", kernel, counts[0], counts[1], counts[2], agree);
    if (gd_sweep_get_attractor(w)) print_attractors(cx, w, lo, hi, 0);
    text_wrote(cx, path);
}

/* Cells [lo, hi) in this process, checkpointed to ckpt (if named), stopped by SIGINT/SIGTERM
 * when the caller asked for it. */
static int sweep_local(gd_cx *cx, gd_sweep *w, const char *ckpt, int resume, long lo, long hi, progress_state *ps)
{
    int rc = ckpt[0] ? gd_sweep_set_checkpoint(w, ckpt, resume) : GD_OK;
    long n = gd_sweep_ncells(w), block = gd_sweep_block_size(), b0 = lo / block * block, b1 = (hi + block - 1) / block * block;
    if (b1 > n) b1 = n;
    long had = gd_sweep_get_done_range(w, b0, b1); /* from the checkpoint */
    if (hi - lo < n) ps->offset = gd_sweep_get_done(w) - had, ps->total = b1 - b0;
    if (rc != GD_OK || had == b1 - b0) return rc;
    if (!cx->io->signals) return gd_sweep_run_range(w, lo, hi); /* another thread's sweep may own the handlers */
    catch_signals(cx, w);
    rc = gd_sweep_run_range(w, lo, hi);
    running_sweep = NULL;
    return rc;
}

/* The caller's distributed run (MPI ranks), when it has one: GD_ENOTAVAIL to run here. A
 * refusal of its own (GD_EUSAGE with a reason) is said here, *said = 1. */
static int sweep_elsewhere(gd_cx *cx, gd_sweep *w, int part, int *writer, int *said)
{
    char why[GD_COMMAND_MSG] = "";
    if (!cx->io->sweep_runner) return GD_ENOTAVAIL;
    int rc = cx->io->sweep_runner(cx->io->user, w, part, writer, why);
    if (rc == GD_EUSAGE && why[0]) *said = 1, fail(cx, 2, "sweep: %s", why, "");
    return rc;
}

static int do_sweep(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    const char *path = a->output ? a->output : "output/sweep.h5";
    int part = a->cells[1] > 0;
    if (!path[0] && a->resume) return fail(cx, 2, "sweep: --resume needs the output file (-o FILE) whose checkpoint it reads", "", "");
    if (part && (!a->output || !path[0])) return fail(cx, 2, "sweep: --cells needs -o FILE, the partial file it writes", "", "");
    char ckpt[4096] = ""; /* without a file there is nothing to resume into, so no checkpoint */
    if (path[0]) snprintf(ckpt, sizeof ckpt, "%s.ckpt", path);
    gd_sweep *w = NULL;
    int rc = gd_sweep_create(sim, &w);
    if (rc != GD_OK) return fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
    long n = gd_sweep_ncells(w), lo = part ? a->cells[0] : 0, hi = part ? a->cells[1] : n;
    if (hi > n) {
        char why[160];
        snprintf(why, sizeof why, "--cells %ld:%ld: the sweep has %ld cells (0 <= LO < HI <= %ld)", lo, hi, n, n);
        gd_sweep_free(&w);
        return fail(cx, 2, "sweep: %s", why, "");
    }
    progress_state ps = {cx->err, isatty(fileno(cx->err)), 0, 0};
    gd_sweep_set_threads(w, a->threads);
    if (cx->io->progress) gd_sweep_set_monitor(w, progress, &ps, ps.tty ? 0.2 : 5.0);
    int writer = 1, said = 0;
    rc = sweep_elsewhere(cx, w, part, &writer, &said);
    if (said || !writer) { /* refused, or a rank that neither writes nor prints */
        gd_sweep_free(&w);
        return said ? 2 : rc == GD_OK ? 0 : 1;
    }
    if (rc == GD_ENOTAVAIL) rc = sweep_local(cx, w, ckpt, a->resume, lo, hi, &ps);
    if (rc == GD_OK) rc = part ? gd_sweep_write_part(w, lo, hi, path) : gd_sweep_write(w, path);
    if (rc != GD_OK) {
        int st = fail_rc(cx, rc, rc == GD_ECANCELED ? "%s; rerun with --resume to finish" : "%s",
                         gd_sweep_errmsg(w)[0] ? gd_sweep_errmsg(w) : gd_sim_errmsg(sim), "");
        gd_sweep_free(&w);
        return st;
    }
    if (ckpt[0]) {
        gd_sweep_set_checkpoint(w, NULL, 0);
        unlink(ckpt);
    }
    print_sweep(cx, w, lo, hi, part, 0, path, a->json);
    gd_sweep_free(&w);
    return 0;
}

/* gandyn merge PART.h5... [-o FILE] [--json]: the parts of --cells runs into one sweep file. */
static int cmd_merge(gd_cx *cx, int argc, const char *const *argv)
{
    const char *path = "output/sweep.h5";
    const char **parts = calloc((size_t)argc + 1, sizeof *parts);
    int n = 0, json = 0, st = parts ? 0 : fail(cx, 1, "out of memory", "", "");
    for (int i = 0; i < argc && !st; i++) {
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) {
            if (++i == argc || !argv[i][0]) st = fail(cx, 2, "merge: %s needs a file name", argv[i - 1], "");
            else path = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') st = fail(cx, 2, "merge: unknown option '%s' (see gandyn merge --help)", argv[i], "");
        else parts[n++] = argv[i];
    }
    if (!st && n == 0) st = fail(cx, 2, "merge: missing PART.h5 files (written by gandyn sweep --cells)", "", "");
    gd_sim *sim = NULL;
    gd_sweep *w = NULL;
    char msg[512];
    int rc = st ? GD_OK : gd_sweep_merge(parts, n, &sim, &w, msg);
    if (!st && rc != GD_OK) st = fail_rc(cx, rc, "merge: %s", msg, "");
    if (!st) {
        char *cmd = join_args(argc + 1, argv - 1); /* with "merge" */
        gd_sim_set_command(sim, cmd ? cmd : "gandyn merge");
        free(cmd);
        rc = gd_sweep_write(w, path);
        st = rc == GD_OK ? 0 : fail_rc(cx, rc, "merge: %s", gd_sweep_errmsg(w), "");
    }
    if (!st) print_sweep(cx, w, 0, gd_sweep_ncells(w), 0, n, path, json);
    gd_sweep_free(&w);
    gd_sim_free(&sim);
    free(parts);
    return st;
}

static void print_critical_json(gd_cx *cx, const gd_critical_result *r)
{
    fprintf(cx->out, "\"value\":");
    json_num(cx, r->value);
    fprintf(cx->out, ",\"below\":\"%s\",\"above\":\"%s\"", gd_outcome_name(r->below), gd_outcome_name(r->above));
    json_knum(cx, "predicted", r->predicted);
    fprintf(cx->out, ",\"iterations\":%d", r->iterations);
}

/* --trace: the boundary curve over a second key, one bisection per value. */
static int critical_trace(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    char key2[128], msg[512];
    double lo, hi;
    long n;
    int logscale;
    if (gd_parse_axis(a->trace, key2, sizeof key2, &lo, &hi, &n, &logscale, msg) != GD_OK) return fail(cx, 2, "--trace: %s", msg, "");
    double *at = malloc(sizeof(double) * (size_t)n);
    gd_critical_result *r = calloc((size_t)n, sizeof *r);
    int st = !at || !r ? fail(cx, 1, "out of memory", "", "") : 0;
    for (long i = 0; !st && i < n; i++) at[i] = gd_axis_value(lo, hi, n, logscale, i);
    int rc = st ? GD_OK : gd_sim_critical_trace(sim, a->param, a->lo, a->hi, a->rtol, key2, (int)n, at, r);
    if (!st && rc != GD_OK) st = fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
    if (!st && a->json) {
        fprintf(cx->out, "{\"param\":");
        json_str(cx, a->param);
        fprintf(cx->out, ",\"trace\":");
        json_str(cx, key2);
        fprintf(cx->out, ",\"points\":[");
        for (long i = 0; i < n; i++) {
            fprintf(cx->out, "%s{\"at\":", i ? "," : "");
            json_num(cx, at[i]);
            fputc(',', cx->out);
            print_critical_json(cx, &r[i]);
            fputc('}', cx->out);
        }
        fprintf(cx->out, "]}\n");
    } else if (!st) {
        fprintf(cx->out, "%-24s %-18s %-18s %s\n", key2, a->param, "predicted", "below / above");
        for (long i = 0; i < n; i++)
            fprintf(cx->out, "%-24.10g %-18.10g %-18.10g %s / %s\n", at[i], r[i].value, r[i].predicted, gd_outcome_name(r[i].below),
                   gd_outcome_name(r[i].above));
    }
    free(at);
    free(r);
    return st;
}

static void print_lyapunov(gd_cx *cx, const gd_lyapunov_result *r, const char *path, int json)
{
    if (json) {
        fprintf(cx->out, "{\"exponents\":");
        json_vec(cx, r->exponents, r->count);
        json_kvec(cx, "stderr", r->se, r->count);
        fprintf(cx->out, ",\"steps\":%ld", r->steps);
        json_knum(cx, "time", r->time);
        fprintf(cx->out, ",\"batches\":%d,\"flow\":%s,\"analytic\":%s", r->batches, r->flow ? "true" : "false", r->analytic ? "true" : "false");
        static const char *const sums[] = {"sum", "mean_trace", "sum_check"};
        json_knums(cx, 3, sums, (const double[]){r->sum, r->mean_trace, r->sum_check}, 0);
        json_output(cx, path);
        fprintf(cx->out, "}\n");
        return;
    }
    fprintf(cx->out, "Lyapunov exponents (%s, per %s; %ld %s in %d batches, %s Jacobian):\n", r->flow ? "flow, variational equations" : "one-iteration map",
            r->flow ? "unit time" : "iteration", r->steps, r->flow ? "QR intervals" : "iterations", r->batches, r->analytic ? "analytic" : "central-difference");
    for (int i = 0; i < r->count; i++) fprintf(cx->out, "  lambda_%d = %.10g +- %.2g\n", i + 1, r->exponents[i], r->se[i]);
    if (isfinite(r->mean_trace))
        fprintf(cx->out, "sum %.12g against the mean of %s %.12g (difference %.2g relative)\n", r->sum, r->flow ? "tr J" : "ln|det D Phi|", r->mean_trace, r->sum_check);
    text_wrote(cx, path);
}

static int do_lyapunov(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    gd_lyapunov_result r;
    int rc = a->count ? gd_sim_set(sim, "lyapunov.count", a->count) : GD_OK;
    if (rc == GD_OK && a->count) rc = gd_sim_setup(sim);
    if (rc != GD_OK) return fail_code(cx, 2, rc, "%s", gd_sim_errmsg(sim), "");
    const char *path = a->output && a->output[0] ? a->output : NULL;
    rc = gd_sim_lyapunov(sim, &r);
    if (rc == GD_OK && path) rc = gd_sim_write_lyapunov(sim, path, &r);
    if (rc == GD_OK) print_lyapunov(cx, &r, path, a->json);
    gd_lyapunov_result_free(&r);
    return rc == GD_OK ? 0 : fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
}

static void print_attractor_json(gd_cx *cx, const gd_attractor_result *r, const char *path)
{
    fprintf(cx->out, "{\"class\":\"%s\",\"period\":%d,\"orbit\":", gd_attractor_class_name(r->cls), r->period);
    json_rows(cx, r->orbit ? r->period : 0, r->dim, r->orbit);
    fprintf(cx->out, ",\"multipliers\":");
    json_complex_list(cx, r->orbit ? r->dim : 0, r->mult_re, r->mult_im);
    fprintf(cx->out, ",\"unstable\":%d", r->unstable);
    static const char *const keys[] = {"contraction", "period_t", "amplitude", "rotation", "mean_z"};
    json_knums(cx, 5, keys, (const double[]){r->contraction, r->period_t, r->amplitude, r->rotation, r->mean_z}, 0);
    json_kvec(cx, "lyapunov", r->lyapunov, r->lyapunov ? r->nlyap : 0);
    fprintf(cx->out, ",\"steps\":%ld", r->steps);
    json_output(cx, path);
    fprintf(cx->out, "}\n");
}

static void print_attractor_text(gd_cx *cx, const gd_attractor_result *r, const char *path)
{
    fprintf(cx->out, "class: %s", gd_attractor_class_name(r->cls));
    if (r->cls == GD_ATTRACTOR_PERIODIC) fprintf(cx->out, r->period ? " (period %d)" : " (no period up to attractor.period_max: long)", r->period);
    fprintf(cx->out, "%s after %ld iterations\n", r->unstable ? ", unstable" : "", r->steps);
    for (int j = 0; r->orbit && j < r->period && j < 16; j++) {
        fprintf(cx->out, "  orbit point %d: (", j);
        for (int i = 0; i < r->dim; i++) fprintf(cx->out, "%s%.10g", i ? ", " : "", r->orbit[(size_t)j * r->dim + i]);
        fprintf(cx->out, ")\n");
    }
    if (r->orbit && isfinite(r->period_t)) {
        fprintf(cx->out, "cycle of the flow: T = %.12g, Floquet multipliers (trivial first):", r->period_t);
        for (int i = 0; i < r->dim; i++) fprintf(cx->out, " %.8g%+.8gi", r->mult_re[i], r->mult_im[i]);
        fprintf(cx->out, " (contraction time %.6g)\n", r->contraction);
    } else if (r->orbit) {
        fprintf(cx->out, "multipliers of the %d-fold map:", r->period);
        for (int i = 0; i < r->dim; i++) fprintf(cx->out, " %.8g%+.8gi", r->mult_re[i], r->mult_im[i]);
        fprintf(cx->out, " (contraction time %.6g)\n", r->contraction);
    }
    if (r->lyapunov) {
        fprintf(cx->out, "Lyapunov exponents:");
        for (int i = 0; i < r->nlyap; i++) fprintf(cx->out, " %.6g", r->lyapunov[i]);
        fputc('\n', cx->out);
    }
    if (r->cls != GD_ATTRACTOR_DIVERGE) fprintf(cx->out, "amplitude %.8g, rotation %.8g, mean |z| %.8g\n", r->amplitude, r->rotation, r->mean_z);
    text_wrote(cx, path);
}

static int do_attractor(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    gd_attractor_result r;
    const char *path = a->output && a->output[0] ? a->output : NULL;
    int rc = gd_sim_attractor(sim, &r);
    if (rc == GD_OK && path) rc = gd_sim_write_attractor(sim, path, &r);
    if (rc == GD_OK && a->json) print_attractor_json(cx, &r, path);
    else if (rc == GD_OK) print_attractor_text(cx, &r, path);
    gd_attractor_result_free(&r);
    return rc == GD_OK ? 0 : fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
}

static void print_side(gd_cx *cx, const char *name, int cls, int period)
{
    fprintf(cx->out, ",\"%s\":{\"class\":\"%s\",\"period\":%d}", name, gd_attractor_class_name(cls), period);
}

static void print_boundary_json(gd_cx *cx, const gd_critical_boundary *b)
{
    static const char *const num[] = {"value", "end", "refined", "theta", "coeff"};
    const double v[] = {b->value, b->end, b->refined, b->theta, b->coeff};
    fprintf(cx->out, "{\"kind\":\"%s\",\"label\":\"%s\"", b->kind, b->local ? "local" : "global");
    json_knums(cx, 5, num, v, 0);
    print_side(cx, "below", b->below_cls, b->below_period);
    print_side(cx, "above", b->above_cls, b->above_period);
    json_kvec(cx, "bracket", b->bracket, 2);
    fprintf(cx->out, ",\"type\":\"%s\",\"criticality\":\"%s\",\"resonance\":\"%s\",\"changes\":%d,\"fractions\":{", b->type, b->criticality,
            b->resonance, b->changes);
    for (int c = 0, first = 1; c < 8; c++) {
        if (b->fraction[c] <= 0) continue;
        fprintf(cx->out, "%s\"%s\":", first ? "" : ",", gd_attractor_class_name(c));
        json_num(cx, b->fraction[c]);
        first = 0;
    }
    fprintf(cx->out, "}}");
}

static void print_scan_text(gd_cx *cx, const gd_critical_scan *r, const char *path)
{
    fprintf(cx->out, "%s on [%.10g, %.10g]: %d values classified (tol %.3g), %d boundaries\n", r->param, r->lo, r->hi, r->n, r->tol, r->nb);
    for (int j = 0; j < r->nb; j++) {
        const gd_critical_boundary *b = &r->b[j];
        fprintf(cx->out, "  %-7s %-14.10g", b->kind, b->value);
        if (!strcmp(b->kind, "mixed")) fprintf(cx->out, "to %.10g, %d class changes", b->end, b->changes);
        else fprintf(cx->out, "%s %d -> %s %d", gd_attractor_class_name(b->below_cls), b->below_period, gd_attractor_class_name(b->above_cls), b->above_period);
        int res = b->resonance[0] && strcmp(b->resonance, "none");
        if (b->local) fprintf(cx->out, "; %s at %.12g%s%s%s%s%s", b->type, b->refined, b->criticality[0] || res ? " (" : "", b->criticality,
                              b->criticality[0] && res ? ", " : "", res ? b->resonance : "", b->criticality[0] || res ? ")" : "");
        else fprintf(cx->out, "; global: no eigenvalue crossing");
        fputc('\n', cx->out);
    }
    text_wrote(cx, path);
}

/* --classes: every boundary of the observed attractor class over [lo, hi]. */
static int critical_classes(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    const char *path = a->output && a->output[0] ? a->output : NULL;
    gd_critical_scan r;
    int rc = gd_sim_critical_scan(sim, a->param, a->lo, a->hi, &r);
    if (rc == GD_OK && path) rc = gd_sim_write_critical(sim, path, &r);
    if (rc != GD_OK) {
        gd_critical_scan_free(&r);
        return fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
    }
    if (a->json) {
        fprintf(cx->out, "{\"param\":");
        json_str(cx, a->param);
        fputc(',', cx->out);
        print_critical_json(cx, &r.first);
        fprintf(cx->out, ",\"values\":%d", r.n);
        json_knum(cx, "tol", r.tol);
        fprintf(cx->out, ",\"boundaries\":[");
        for (int j = 0; j < r.nb; j++) {
            if (j) fputc(',', cx->out);
            print_boundary_json(cx, &r.b[j]);
        }
        fputc(']', cx->out);
        json_output(cx, path);
        fprintf(cx->out, "}\n");
    } else {
        print_scan_text(cx, &r, path);
    }
    gd_critical_scan_free(&r);
    return 0;
}

static void print_orbit(gd_cx *cx, const gd_orbit_result *r, const char *path, int json)
{
    if (json) {
        fprintf(cx->out, "{\"T\":");
        json_num(cx, r->T);
        json_kvec(cx, "x0", r->x0, r->dim);
        fprintf(cx->out, ",\"multipliers\":");
        json_complex_list(cx, r->dim, r->mult_re, r->mult_im);
        fprintf(cx->out, ",\"unstable\":%d", r->unstable);
        static const char *const keys[] = {"trivial_error", "residual", "iterations", "amplitude", "mean_sq", "analytic"};
        json_knums(cx, 6, keys, (const double[]){r->trivial_error, r->residual, r->iterations, r->amplitude, r->mean_sq, r->analytic}, 0);
        json_output(cx, path);
        fprintf(cx->out, "}\n");
        return;
    }
    fprintf(cx->out, "periodic orbit: T = %.12g (%d Newton steps, |phi_T(x0) - x0| = %.2g), %s\n  x0 = (", r->T, r->iterations, r->residual,
            r->unstable ? "unstable" : "stable");
    for (int i = 0; i < r->dim; i++) fprintf(cx->out, "%s%.12g", i ? ", " : "", r->x0[i]);
    fprintf(cx->out, ")\nFloquet multipliers (trivial first, off 1 by %.2g):", r->trivial_error);
    for (int i = 0; i < r->dim; i++) fprintf(cx->out, " %.10g%+.10gi", r->mult_re[i], r->mult_im[i]);
    fprintf(cx->out, "\namplitude %.10g, mean |x|^2 %.10g (%s Jacobian)\n", r->amplitude, r->mean_sq, r->analytic ? "analytic" : "central-difference");
    text_wrote(cx, path);
}

static int do_orbit(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    gd_orbit_result r;
    const char *path = a->output && a->output[0] ? a->output : NULL;
    int rc = gd_sim_orbit(sim, a->period_guess, &r);
    if (rc == GD_OK && path) rc = gd_sim_write_orbit(sim, path, &r);
    if (rc == GD_OK) print_orbit(cx, &r, path, a->json);
    gd_orbit_result_free(&r);
    return rc == GD_OK ? 0 : fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
}

static int do_critical(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    if (!a->param || isnan(a->lo) || isnan(a->hi)) return fail(cx, 2, "critical needs --param KEY --lo A --hi B", "", "");
    if (a->classes && a->trace) return fail(cx, 2, "critical: --trace repeats the outcome bisection; it does not combine with --classes or --n", "", "");
    if (a->classes) return critical_classes(cx, sim, a);
    if (a->trace) return critical_trace(cx, sim, a);
    gd_critical_result r;
    int rc = gd_sim_critical(sim, a->param, a->lo, a->hi, a->rtol, &r);
    if (rc != GD_OK) return fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
    if (a->json) {
        fprintf(cx->out, "{\"param\":");
        json_str(cx, a->param);
        fputc(',', cx->out);
        print_critical_json(cx, &r);
        fprintf(cx->out, "}\n");
    } else {
        fprintf(cx->out, "%s: %s below %.10g, %s above (%d bisections); predicted rho = 1 at %.10g\n", a->param, gd_outcome_name(r.below), r.value,
               gd_outcome_name(r.above), r.iterations, r.predicted);
    }
    return 0;
}

/* ------------------------------------------------------------------ continue -- */
static void continue_json(gd_cx *cx, const gd_continue_result *r, const char *path)
{
    fprintf(cx->out, "{\"param\":");
    json_str(cx, r->param);
    fprintf(cx->out, ",\"branches\":[");
    for (int b = 0; b < r->nbranches; b++) {
        const gd_branch *B = &r->branches[b];
        fprintf(cx->out, "%s{\"kind\":\"%s\",\"period\":%d,\"points\":%d,\"parent_point\":", b ? "," : "", B->kind, B->period, B->n);
        if (B->parent >= 0) fprintf(cx->out, "%d", B->parent);
        else fprintf(cx->out, "null");
        double pr[2] = {B->p[0], B->p[0]};
        for (int i = 1; i < B->n; i++) pr[0] = fmin(pr[0], B->p[i]), pr[1] = fmax(pr[1], B->p[i]);
        json_kvec(cx, "p_range", pr, 2);
        if (B->T) { /* a cycle branch: its periods and amplitudes at both ends */
            json_kvec(cx, "T", (const double[]){B->T[0], B->T[B->n - 1]}, 2);
            json_kvec(cx, "amplitude", (const double[]){B->amplitude[0], B->amplitude[B->n - 1]}, 2);
        }
        fprintf(cx->out, ",\"stop\":[\"%s\",\"%s\"]}", B->stop[0], B->stop[1]);
    }
    fprintf(cx->out, "],\"special\":[");
    for (int i = 0; i < r->nspecial; i++) {
        const gd_special_point *s = &r->special[i];
        const gd_branch *B = &r->branches[s->branch];
        fprintf(cx->out, "%s{\"type\":\"%s\",\"test\":\"%s\",\"branch\":%d,\"index\":%d", i ? "," : "", gd_point_type_name(s->type), s->test, s->branch, s->index);
        json_knum(cx, "p", s->p);
        if (s->type == GD_PT_NEUTRAL) json_knum(cx, "p_end", s->p_end);
        json_kvec(cx, "x", s->x, B->dim);
        fprintf(cx->out, ",\"eigenvalues\":");
        json_complex_list(cx, B->eig_dim, B->eig_re + (size_t)s->index * B->eig_dim, B->eig_im + (size_t)s->index * B->eig_dim);
        static const char *const names[] = {"omega", "theta", "coeff", "c1_re", "c1_im"};
        json_knums(cx, 5, names, (const double[]){s->omega, s->theta, s->coeff, s->c1_re, s->c1_im}, 1);
        if (s->type == GD_PT_H && isfinite(s->coeff)) json_knum(cx, "l1", s->coeff);
        fprintf(cx->out, ",\"criticality\":\"%s\",\"resonance\":\"%s\",\"child\":", s->criticality, s->resonance);
        if (s->child >= 0) fprintf(cx->out, "%d}", s->child);
        else fprintf(cx->out, "null}");
    }
    fputc(']', cx->out);
    json_output(cx, path);
    fprintf(cx->out, "}\n");
}

static void continue_text(gd_cx *cx, const gd_continue_result *r, const char *path)
{
    for (int b = 0; b < r->nbranches; b++) {
        const gd_branch *B = &r->branches[b];
        fprintf(cx->out, "branch %d: %s", b, B->kind);
        if (B->period > 1) fprintf(cx->out, " (period %d)", B->period);
        double lo = B->p[0], hi = B->p[0];
        for (int i = 1; i < B->n; i++) lo = fmin(lo, B->p[i]), hi = fmax(hi, B->p[i]);
        fprintf(cx->out, ", %d points, %s from %.10g to %.10g, within [%.10g, %.10g] (ends: %s, %s)", B->n, r->param, B->p[0], B->p[B->n - 1], lo, hi,
                B->stop[0], B->stop[1]);
        if (B->parent >= 0) fprintf(cx->out, ", from special point %d", B->parent);
        if (B->T) fprintf(cx->out, "; T from %.10g to %.10g, amplitude from %.6g to %.6g", B->T[0], B->T[B->n - 1], B->amplitude[0], B->amplitude[B->n - 1]);
        fputc('\n', cx->out);
    }
    for (int i = 0; i < r->nspecial; i++) {
        const gd_special_point *s = &r->special[i];
        fprintf(cx->out, "  %d: %-7s branch %d at %s = %.12g", i, r->branches[s->branch].T && s->type == GD_PT_LP ? "LPC" : gd_point_type_name(s->type), s->branch, r->param, s->p);
        if (s->type == GD_PT_NEUTRAL) fprintf(cx->out, " .. %.12g (test %s)", s->p_end, s->test);
        if (isfinite(s->omega)) fprintf(cx->out, ", omega %.9g", s->omega);
        if (isfinite(s->theta)) fprintf(cx->out, ", theta %.9g", s->theta);
        if (isfinite(s->coeff)) fprintf(cx->out, ", %s %.9g", s->type == GD_PT_H ? "l1" : s->type == GD_PT_LP ? "a" : s->type == GD_PT_PD ? "c" : "coefficient", s->coeff);
        if (s->criticality[0]) fprintf(cx->out, ", %s", s->criticality);
        if (strcmp(s->resonance, "none")) fprintf(cx->out, ", %s", s->resonance);
        if (s->child >= 0) fprintf(cx->out, " -> branch %d", s->child);
        fputc('\n', cx->out);
    }
    text_wrote(cx, path);
}

static int do_continue(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    if (!a->param || isnan(a->lo) || isnan(a->hi)) return fail(cx, 2, "continue needs --param KEY --lo A --hi B", "", "");
    const char *path = a->output ? a->output : "output/continue.h5";
    gd_continue_result r = {0};
    int rc = a->from ? gd_sim_continue_from(sim, a->param, a->from) : GD_OK;
    if (rc != GD_OK) return fail_code(cx, 2, rc, "%s", gd_sim_errmsg(sim), "");
    rc = gd_sim_continue(sim, a->param, a->lo, a->hi, &r);
    if (rc == GD_OK && path[0]) rc = gd_sim_write_continue(sim, path, &r);
    if (rc == GD_OK && a->json) continue_json(cx, &r, path);
    else if (rc == GD_OK) continue_text(cx, &r, path);
    gd_continue_result_free(&r);
    return rc == GD_OK ? 0 : fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
}

/* ------------------------------------------------------------------ normal ---- */
static const char *normal_coeff_name(int type) { return type == GD_PT_H ? "l1" : type == GD_PT_LP ? "a" : type == GD_PT_PD ? "c" : "d"; }

static void normal_json(gd_cx *cx, const gd_normal_result *r, const char *path)
{
    fprintf(cx->out, "{\"param\":");
    json_str(cx, r->param);
    fprintf(cx->out, ",\"type\":\"%s\",\"kind\":\"%s\",\"period\":%d", gd_point_type_name(r->type), r->kind, r->period);
    json_knum(cx, "p", r->p);
    json_kvec(cx, "x", r->x, r->dim);
    fprintf(cx->out, ",\"eigenvalues\":");
    json_complex_list(cx, r->eig_dim, r->eig_re, r->eig_im);
    json_kvec(cx, "eigenvalue", (const double[]){r->mu_re, r->mu_im}, 2); /* the critical one, [re, im] */
    static const char *const names[] = {"omega", "theta", "distance", "coeff", "c1_re", "c1_im", "amplitude"};
    json_knums(cx, 7, names, (const double[]){r->omega, r->theta, r->distance, r->coeff, r->c1_re, r->c1_im, r->amplitude}, 1);
    if (isfinite(r->coeff)) json_knum(cx, normal_coeff_name(r->type), r->coeff);
    fprintf(cx->out, ",\"criticality\":\"%s\",\"resonance\":\"%s\"", r->criticality, r->resonance);
    json_output(cx, path);
    fprintf(cx->out, "}\n");
}

static void normal_text(gd_cx *cx, const gd_normal_result *r, const char *path)
{
    int flow = !strcmp(r->kind, "equilibrium");
    fprintf(cx->out, "%s at %s = %.12g", r->kind, r->param, r->p);
    if (r->period > 1) fprintf(cx->out, " (period %d)", r->period);
    fprintf(cx->out, ", x =");
    for (int i = 0; i < r->dim && i < 12; i++) fprintf(cx->out, " %.9g", r->x[i]);
    fprintf(cx->out, "%s\n%s: ", r->dim > 12 ? " ..." : "", flow ? "eigenvalues" : "multipliers");
    text_complex_list(cx, r->eig_dim, r->eig_re, r->eig_im, !flow);
    fprintf(cx->out, "\n%s: %s %.9g %c %.9gi, %s %.3g", gd_point_type_name(r->type), flow ? "lambda" : "mu", r->mu_re + 0.0, r->mu_im < 0 ? '-' : '+',
            fabs(r->mu_im), flow ? "Re lambda" : "|mu| - 1", r->distance);
    if (isfinite(r->omega)) fprintf(cx->out, ", omega %.9g", r->omega);
    if (isfinite(r->theta)) fprintf(cx->out, ", theta %.9g", r->theta);
    if (isfinite(r->coeff)) fprintf(cx->out, ", %s %.9g", normal_coeff_name(r->type), r->coeff);
    if (r->criticality[0]) fprintf(cx->out, ", %s", r->criticality);
    if (strcmp(r->resonance, "none")) fprintf(cx->out, ", %s", r->resonance);
    if (isfinite(r->amplitude)) fprintf(cx->out, "; predicted orbit %s %.6g", r->type == GD_PT_PD ? "eta" : "|z|", r->amplitude);
    fputc('\n', cx->out);
    text_wrote(cx, path);
}

static int do_normal(gd_cx *cx, gd_sim *sim, const run_args *a)
{
    if (!a->param || isnan(a->at)) return fail(cx, 2, "normal needs --param KEY --at P", "", "");
    static const char *const names[] = {"lp", "hopf", "pd", "ns"};
    static const int types[] = {GD_PT_LP, GD_PT_H, GD_PT_PD, GD_PT_NS};
    int type = GD_PT_REGULAR;
    for (int k = 0; a->type && k < 4; k++)
        if (!strcmp(a->type, names[k])) type = types[k];
    if (a->type && type == GD_PT_REGULAR) return fail(cx, 2, "--type must be hopf, ns, pd or lp (not '%s')", a->type, "");
    gd_normal_result r = {0};
    int rc = a->from ? gd_sim_continue_from(sim, a->param, a->from) : GD_OK;
    if (rc == GD_OK) rc = gd_sim_normal(sim, a->param, a->at, type, &r);
    if (rc != GD_OK) return fail_code(cx, rc == GD_EIO ? 1 : 2, rc, "%s", gd_sim_errmsg(sim), "");
    if (a->output && a->output[0]) rc = gd_sim_write_normal(sim, a->output, &r);
    if (rc == GD_OK && a->json) normal_json(cx, &r, a->output && a->output[0] ? a->output : "");
    else if (rc == GD_OK) normal_text(cx, &r, a->output && a->output[0] ? a->output : "");
    gd_normal_result_free(&r);
    return rc == GD_OK ? 0 : fail_rc(cx, rc, "%s", gd_sim_errmsg(sim), "");
}

/* ------------------------------------------------------------------ estimate -- */
typedef struct {
    const char *data, *dataset, *output;
    gd_estimate_opts o;
    int nev, json;
} estimate_args;

/* A whole number in lo..hi for --nev / --knn. */
static int whole(const char *text, int lo, int hi, int *out)
{
    double v;
    if (!text || !number(text, &v) || v < lo || v > hi || v != floor(v)) return 0;
    *out = (int)v;
    return 1;
}

static int parse_estimate(gd_cx *cx, int argc, const char *const *argv, estimate_args *a)
{
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--json") == 0) a->json = 1;
        else if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0 || strcmp(arg, "--dataset") == 0) {
            if (!val) return fail(cx, 2, "estimate: %s needs a name", arg, "");
            *(strcmp(arg, "--dataset") == 0 ? &a->dataset : &a->output) = argv[++i];
        } else if (strcmp(arg, "--t") == 0 || strcmp(arg, "--alpha") == 0) {
            if (!val || !number(val, arg[2] == 't' ? &a->o.t : &a->o.alpha)) return fail(cx, 2, "estimate: %s needs a finite number", arg, "");
            i++;
        } else if (strcmp(arg, "--nev") == 0 || strcmp(arg, "--knn") == 0) {
            if (!whole(val, 1, GD_ESTIMATE_MAX_N, arg[2] == 'n' ? &a->nev : &a->o.knn))
                return fail(cx, 2, "estimate: %s needs a whole number from 1 to 4000", arg, "");
            i++;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return fail(cx, 2, "estimate: unknown option '%s' (see gandyn --help)", arg, "");
        } else if (!a->data) {
            a->data = arg;
        } else {
            return fail(cx, 2, "estimate: unexpected argument '%s' (one DATA.h5 only)", arg, "");
        }
    }
    if (!a->data) return fail(cx, 2, "estimate: missing DATA.h5 (an HDF5 file of points)", "", "");
    return 0;
}

static void print_estimate(gd_cx *cx, const estimate_args *a, int n, int d, int nev, const double *lam, const gd_estimate_report *r)
{
    if (a->json) {
        fprintf(cx->out, "{\"n\":%d,\"d\":%d", n, d);
        json_knum(cx, "t", a->o.t);
        json_knum(cx, "alpha", a->o.alpha);
        json_kvec(cx, "lambda", lam, nev);
        fprintf(cx->out, ",\"components\":%d,\"largest\":%d,\"outliers\":%d,\"localised\":%d,\"worst\":%d", r->components, r->largest, r->outliers,
                r->localised, r->worst);
        json_knum(cx, "isolation_bound", r->isolation_bound);
        json_output(cx, a->output);
        fprintf(cx->out, "}\n");
        return;
    }
    fprintf(cx->out, "%d points in %d-D, t = %g, alpha = %g\nlambda:", n, d, a->o.t, a->o.alpha);
    for (int j = 0; j < nev; j++) fprintf(cx->out, " %.6g", lam[j]);
    fprintf(cx->out, "\nk-NN graph (k = %d): %d component%s, largest %d points; %d outliers, %d localised modes\n", a->o.knn, r->components,
           r->components == 1 ? "" : "s", r->largest, r->outliers, r->localised);
    text_wrote(cx, a->output);
}

/* Exit status stays 0: the numbers are computed as asked, but lambda_1 may be spurious. */
static void estimate_warning(gd_cx *cx, int n, const double *lam, const gd_estimate_report *r)
{
    if (r->components == 1 && r->outliers == 0 && r->localised == 0) return;
    fprintf(cx->err, "gandyn: warning: %d of %d points are outliers (worst: point %d, kernel mass %.2g from the others), %d localised mode%s",
            r->outliers, n, r->worst, r->worst_mass, r->localised, r->localised == 1 ? "" : "s");
    if (r->first_localised > 0) fprintf(cx->err, " (lambda_%d = %.4g is spurious)", r->first_localised, lam[r->first_localised]);
    fprintf(cx->err, ", %d k-NN component%s; trim the tails or raise --t\n", r->components, r->components == 1 ? "" : "s");
}

static int cmd_estimate(gd_cx *cx, int argc, const char *const *argv)
{
    estimate_args a = {.dataset = "/points", .nev = 6};
    gd_estimate_defaults(&a.o);
    int st = parse_estimate(cx, argc, argv, &a), n = 0, d = 0, rc;
    if (st) return st;
    char msg[512];
    double *x = NULL, *lam = NULL;
    gd_estimate_report rep;
    rc = gd_estimate_read_points(a.data, a.dataset, &n, &d, &x, msg);
    if (rc != GD_OK) return fail(cx, 2, "estimate: %s", msg, "");
    if (a.nev > n) a.nev = n;
    if (!(lam = malloc(sizeof(double) * (size_t)a.nev))) st = fail(cx, 1, "out of memory", "", "");
    if (!st && (rc = gd_estimate_spectrum(n, d, x, &a.o, a.nev, lam, &rep, msg)) != GD_OK) st = fail_rc(cx, rc, "%s", msg, "");
    if (!st && a.output && a.output[0]) {
        char *cmd = join_args(argc + 1, argv - 1); /* with "estimate" */
        rc = gd_estimate_write(a.output, cmd ? cmd : "gandyn estimate", n, d, &a.o, a.nev, lam, &rep, msg);
        free(cmd);
        if (rc != GD_OK) st = fail_rc(cx, rc, "%s", msg, "");
    }
    if (!st) {
        print_estimate(cx, &a, n, d, a.nev, lam, &rep);
        estimate_warning(cx, n, lam, &rep);
    }
    free(x), free(lam);
    return st;
}

/* ------------------------------------------------------------------ plot ------ */
/* plot and gallery run a script of plots/ through the caller's hook (the CLI execs a python3
 * with numpy, h5py and matplotlib); a caller without one (a binding) draws by other means. */
static int run_script(gd_cx *cx, const char *name, int argc, const char *const *argv)
{
    if (cx->io->script) return cx->io->script(cx->io->user, name, argc, argv);
    return fail(cx, 2, "%s runs a plot script from the gandyn executable only (Python: gandyn.plot)", name, "");
}

static int cmd_plot(gd_cx *cx, int argc, const char *const *argv)
{
    struct stat sb;
    int nfiles = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0) {
            if (++i == argc) return fail(cx, 2, "plot: -o needs a file name", "", "");
        } else if (argv[i][0] == '-') {
            return fail(cx, 2, "plot: unknown option '%s'", argv[i], "");
        } else {
            if (stat(argv[i], &sb) != 0) return fail(cx, 2, "plot: cannot open '%s': %s", argv[i], strerror(errno));
            nfiles++;
        }
    }
    if (nfiles == 0) return fail(cx, 2, "plot: missing FILE.h5", "", "");
    return run_script(cx, "gandyn_plot.py", argc, argv);
}

/* gandyn gallery [-o DIR]: every model's examples and checked numbers into DIR/index.html. */
static int cmd_gallery(gd_cx *cx, int argc, const char *const *argv)
{
    const char *dir = "output/gallery";
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) dir = argv[++i];
        else return fail(cx, 2, "gallery: unknown argument '%s' (usage: gandyn gallery [-o DIR])", argv[i], "");
    }
    return run_script(cx, "gallery.py", 1, &dir);
}

/* ------------------------------------------------------------------ commands -- */
/* Every command once: the dispatcher, `gandyn --help` and `gandyn COMMAND --help` all read
 * this table, so the overview lists exactly what is dispatched. */
#define OPT_SET "--set K=V", "set section.key = V after CONFIG is read (repeatable; the keys under 'reads')"
#define OPT_JSON "--json", "print the result as one JSON object"

typedef struct {
    const char *name, *args, *summary;
    const char *about;               /* a few lines: what it computes */
    const char *reads;               /* CONFIG keys, e.g. "model integrator run.x0 sweep.converge_tol,diverge_radius"
                                      * (a section alone: all its keys; model=NAME: that model only); NULL: no CONFIG */
    const char *const *options;      /* pairs: option, meaning; NULL ends */
    const char *example;             /* a command line that works from any directory; '@' = the examples directory */
    int allowed;                     /* with_sim's extra options */
    command_fn sim;                  /* CONFIG-taking commands run through with_sim */
    int (*plain)(gd_cx *cx, int argc, const char *const *argv); /* the others */
} command;

static int cmd_help(gd_cx *cx, int argc, const char *const *argv);

static const command commands[] = {
    {"list", "[models|integrators|sections] [--json]", "models, integrators and the [run], [sweep], [rate], [portrait], [noise], [lookahead], [modifier], [continuation], [lyapunov], [attractor] sections with every parameter",
     "Every registered model and integrator with each of its keys, default and meaning (the keys of\n"
     "the [model] and [integrator] sections), then the keys of [run], [sweep], [rate], [portrait],\n"
     "[noise], [lookahead], [modifier], [continuation], [lyapunov] and [attractor].",
     NULL, (const char *const[]){"models | integrators | sections", "only the models, the integrators, or the other sections", OPT_JSON, NULL},
     "gandyn list integrators", 0, NULL, cmd_list},
    {"run", "CONFIG [--set K=V]... [-o FILE] [--json]", "integrate trajectories, write HDF5",
     "Integrates every start of run.x0 with the configured integrator and writes one HDF5 file: the\n"
     "trajectories, their outcomes, the model's equilibrium and vector field.",
     "model integrator run sweep.converge_tol,diverge_radius,grow_factor,rate_tol,measure noise",
     (const char *const[]){OPT_SET, "-o FILE", "output file (default run.output; '' computes without a file)", OPT_JSON, NULL},
     "gandyn run @/dirac/notebook/gan_gradpen.ini --set integrator.name=altgd --set integrator.n_d=5 -o run.h5", 0, do_run, NULL},
    {"eig", "CONFIG [--set K=V]... [--scan K:LO:HI:N[:lin|log]] [-o FILE] [--json]", "equilibrium, Jacobian spectrum, one-iteration map spectrum",
     "Finds the equilibrium (the model's own, else Newton from the first start), the eigenvalues of the\n"
     "Jacobian there and the fixed-point type, and the spectrum and spectral radius of the integrator's\n"
     "one-iteration map with the predicted outcome. A model without a vector field gets the map's only.",
     "model integrator run.x0 noise",
     (const char *const[]){OPT_SET, "--scan K:LO:HI:N[:lin|log]", "the locus as the numeric key K moves (restored afterwards)", "-o FILE",
                           "write spectra and stability region (default: none; output/eig.h5 with --scan)", OPT_JSON, NULL},
     "gandyn eig @/dirac/notebook/gan_gradpen.ini --scan model.gamma:0:1.5:41 -o eig.h5", OPT_SCAN, do_eig, NULL},
    {"rate", "CONFIG [--set K=V]... [-o FILE] [--json]", "measured spiral-attractor rates vs eigenvalues",
     "Measures the decay rate and rotation of the slowest mode from the first start of run.x0 (CVODE\n"
     "towards x*, fitted in the Jacobian's eigenbasis, and Poincare returns) and, for a fixed-step\n"
     "integrator, per iteration of its map; compares both with the eigenvalues.",
     "model integrator run.x0 rate sweep.diverge_radius noise",
     (const char *const[]){OPT_SET, "-o FILE", "output file (default output/rate.h5; '' none)", OPT_JSON, NULL},
     "gandyn rate @/dirac/notebook/gan_gradpen.ini -o rate.h5", 0, do_rate, NULL},
    {"portrait", "CONFIG [--set K=V]... [-o FILE] [--json]", "field, trajectories, equilibria in a plane",
     "The vector field on a grid of the plane portrait.plane inside portrait.box (other coordinates at\n"
     "the first start), trajectories from a lattice of starts, and every equilibrium Newton finds there.",
     "model integrator run.x0,save_every,save_coords portrait sweep.converge_tol,diverge_radius,grow_factor,rate_tol,measure noise",
     (const char *const[]){OPT_SET, "-o FILE", "output file (default output/portrait.h5; '' none)", OPT_JSON, NULL},
     "gandyn portrait @/dirac/notebook/gan_gradpen.ini -o portrait.h5", 0, do_portrait, NULL},
    {"sweep", "CONFIG [--set K=V]... [--cells LO:HI] [-o FILE] [--resume] [--threads N] [--json]", "1-D/2-D sweep of sweep.x (and sweep.y): outcome per cell",
     "One trajectory per cell of sweep.x (and sweep.y): the observed outcome, the measured contraction,\n"
     "and the outcome and spectral radius the one-iteration map at x* predicts. Checkpointed to\n"
     "FILE.ckpt; any number of threads or MPI ranks gives the same file. --cells computes a part\n"
     "(e.g. one task of a job array) for gandyn merge.",
     "model integrator run.x0 sweep noise",
     (const char *const[]){OPT_SET, "--cells LO:HI", "only cells LO to HI - 1 (cell iy*nx + ix) into a partial file -o FILE",
                           "-o FILE", "output file (default output/sweep.h5; '' none, and no checkpoint)", "--resume",
                           "finish an interrupted sweep from FILE.ckpt", "--threads N", "OpenMP threads (default: OpenMP's)", OPT_JSON, NULL},
     "gandyn sweep @/dirac/notebook/gan_gradpen.ini --set run.x0=1e-6,1e-6 --set sweep.x=integrator.h:0.05:2:40 -o sweep.h5", OPT_SWEEP,
     do_sweep, NULL},
    {"merge", "PART.h5... [-o FILE] [--json]", "the partial files of sweep --cells into one sweep file",
     "Checks that the parts come from one sweep configuration and hold every cell exactly once, sets\n"
     "that configuration up again and writes the file one gandyn sweep of it writes: every dataset and\n"
     "attribute bit for bit but the root command and created. A failing merge writes nothing.",
     NULL, (const char *const[]){"-o FILE", "output file (default output/sweep.h5)", OPT_JSON, NULL},
     "gandyn sweep @/dirac/notebook/gan_gradpen.ini --set sweep.x=integrator.h:0.05:2:40 --cells 0:25 -o a.h5 && "
     "gandyn sweep @/dirac/notebook/gan_gradpen.ini --set sweep.x=integrator.h:0.05:2:40 --cells 25:40 -o b.h5 && "
     "gandyn merge a.h5 b.h5 -o sweep.h5",
     0, NULL, cmd_merge},
    {"critical", "CONFIG --param K --lo A --hi B [--rtol R] [--trace K2:LO:HI:N[:lin|log]] [--classes] [--n N] [--set K=V]... [-o FILE] [--json]",
     "the value of K where the outcome changes, and where rho = 1; every attractor-class boundary",
     "Bisects between --lo and --hi, whose observed outcomes differ, to the value of K where the outcome\n"
     "changes, and to where the predicted spectral radius crosses 1. --trace repeats it for the values\n"
     "of a second key: the boundary curve. --classes (or --n N) instead classifies the attractor of\n"
     "critical.n values over [lo, hi] from run.x0, bisects every change of class to critical.tol and\n"
     "labels each boundary local (an eigenvalue crossing, located by continuation), global, or mixed\n"
     "where the class keeps changing (docs/bifurcations.md); -o writes /scan and /boundaries.",
     "model integrator run.x0 sweep.converge_tol,diverge_radius,grow_factor,rate_tol,measure,noise_factor noise attractor continuation critical",
     (const char *const[]){"--param K", "the numeric key to bisect (model.* or integrator.*)", "--lo A, --hi B", "the bracket", "--rtol R",
                           "stop at |hi - lo| <= R |value| (default 1e-6)", "--trace K2:LO:HI:N[:lin|log]",
                           "one bisection per value of the key K2", "--classes", "scan by attractor class (fixed-step rules, cvode flows)", "--n N",
                           "critical.n, and --classes", OPT_SET, "-o FILE", "with --classes: write /scan and /boundaries (default: no file)", OPT_JSON,
                           NULL},
     "gandyn critical @/dirac/notebook/gan.ini --set integrator.name=altgd --set run.x0=1e-8,1e-8 --set integrator.steps=20000 "
     "--param integrator.h --lo 3 --hi 5",
     OPT_CRITICAL, do_critical, NULL},
    {"continue", "CONFIG --param K --lo A --hi B [--from equilibrium|x0|orbit|FILE.h5#/points/N] [--period K] [--cycles] [--ds DS] [--max-steps N] [--set K=V]... [-o FILE] [--json]",
     "branches of equilibria, fixed and period-k points; bifurcations",
     "Pseudo-arclength continuation in K from its configured value to --lo and --hi: equilibria of the\n"
     "flow (cvode) or fixed points of the rule's map (period-k points with --period), their eigenvalues\n"
     "and stability, and the special points on them (fold LP, branch point BP, Hopf H, period doubling\n"
     "PD, Neimark-Sacker NS, neutral segments) located to 1e-10 with normal-form coefficients and\n"
     "criticality; new branches start at BP, PD and the 1:2 resonance of an odd map, and with --cycles\n"
     "branches of periodic orbits at Hopf points (docs/bifurcations.md).",
     "model integrator run.x0 continuation",
     (const char *const[]){"--param K", "the real model.* or integrator.* key to continue in", "--lo A, --hi B", "the interval (the start, K's value, inside)",
                           "--from S", "the first point: equilibrium | x0 (continuation.start) | orbit (flows: the cycle through run.x0, continued both ways) | FILE.h5#/points/N (special point N of an earlier continue file: its x and p)",
                           "--period K", "continuation.period", "--cycles", "continuation.cycles = 1: periodic orbits from every Hopf point (flows)", "--ds DS", "continuation.ds", "--max-steps N", "continuation.max_steps", OPT_SET,
                           "-o FILE", "output file (default output/continue.h5; '' none)", OPT_JSON, NULL},
     "gandyn continue @/dirac/notebook/gan_gradpen.ini --set integrator.name=simgd --set integrator.h=0.5 --param integrator.h --lo 0.5 --hi 1.5 -o continue.h5",
     OPT_CONTINUE, do_continue, NULL},
    {"normal", "CONFIG --param K --at P [--type hopf|ns|pd|lp] [--from equilibrium|x0|FILE.h5#/points/N] [--period K] [--set K=V]... [-o FILE] [--json]",
     "normal-form coefficient (l1, c, d, a) at one point",
     "At K = P: the equilibrium of the flow (cvode) or the fixed / period-k point of the rule's map\n"
     "from the start continue uses, its eigenvalues, the critical one of the type asked (hopf: the\n"
     "complex pair nearest the imaginary axis; ns: the pair nearest the unit circle; pd: the real\n"
     "multiplier nearest -1; lp: the real eigenvalue nearest 0, multiplier nearest +1; default: the\n"
     "nearest to its crossing), its distance from the crossing, the coefficient continue reports at\n"
     "a special point (l1, c, d, a), criticality, resonance and the predicted orbit (docs/bifurcations.md).",
     "model integrator run.x0 continuation.period,start,newton_tol",
     (const char *const[]){"--param K", "the real model.* or integrator.* key", "--at P", "its value", "--type T",
                           "hopf | ns | pd | lp (default: the eigenvalue nearest its crossing)",
                           "--from S", "the point: equilibrium | x0 (continuation.start) | FILE.h5#/points/N (the x of special point N of a continue file as the start)",
                           "--period K", "continuation.period: a period-K point of the map", OPT_SET, "-o FILE", "write /normal (default: no file)", OPT_JSON, NULL},
     "gandyn normal @/dirac/notebook/gan_gradpen.ini --set integrator.name=simgd --param integrator.h --at 1.2 --type ns",
     OPT_NORMAL, do_normal, NULL},
    {"smoothness", "CONFIG [--set K=V]... [--json]", "gradient flows: curvature at start, run end, equilibrium; step limit 2/L",
     "For a gradient flow (the particles model): the extreme eigenvalues of the curvature -DF at the\n"
     "first start, at the end of a run of the configured integrator and at the equilibrium Newton\n"
     "finds from the start, and gradient descent's local step limit 2/L.",
     "model integrator run.x0 sweep.converge_tol,diverge_radius,grow_factor,rate_tol,measure noise", (const char *const[]){OPT_SET, OPT_JSON, NULL},
     "gandyn smoothness /dev/null --set model.name=particles --set 'model.particles=0.2,0.1;1.7,-0.2;0.1,2.2;2.1,1.8' "
     "--set 'model.data=0,0;2,0;0,2;2,2'",
     0, do_smoothness, NULL},
    {"spectrum", "CONFIG [--ground-state] [--scan K:LO:HI:N[:lin|log]] [--set K=V]... [-o FILE] [--json]",
     "functional model: -Delta_p eigenvalues, mode rates, operator eigenvalues",
     "For the functional model: the eigenvalues of -Delta_p, the two roots of every mode's block, the\n"
     "slowest mode (minus its real part is the local rate) and the full linear operator's eigenvalues.",
     "model=functional",
     (const char *const[]){"--ground-state", "eigenvalues from H = -Delta + V (densities that nearly vanish on the box)",
                           "--scan K:LO:HI:N[:lin|log]", "lambda_1 and the rate along a numeric key, and the value maximising lambda_1",
                           OPT_SET, "-o FILE", "output file (default output/spectrum.h5; '' none)", OPT_JSON, NULL},
     "gandyn spectrum /dev/null --set model.name=functional --set model.gamma=0.5 -o spectrum.h5", OPT_SPECTRUM | OPT_SCAN, do_spectrum, NULL},
    {"lyapunov", "CONFIG [--count M] [--set K=V]... [-o FILE] [--json]", "Lyapunov spectrum by QR, standard errors, sum check",
     "The Lyapunov exponents of the orbit from the first start of run.x0 (Benettin's QR method): of the\n"
     "one-iteration map of a fixed-step integrator on its whole state (per iteration), or of the flow\n"
     "under cvode by its variational equations (per unit time), with standard errors from batch means\n"
     "and their sum against the mean of ln|det D Phi| or of tr J.",
     "model integrator run.x0 lyapunov sweep.diverge_radius",
     (const char *const[]){"--count M", "only the M largest exponents (lyapunov.count)", OPT_SET, "-o FILE", "write /lyapunov (default: no file)", OPT_JSON, NULL},
     "gandyn lyapunov /dev/null --set model.name=normal_form --set model.form=henon --set integrator.h=1 --set lyapunov.steps=200000",
     OPT_LYAPUNOV, do_lyapunov, NULL},
    {"attractor", "CONFIG [--set K=V]... [-o FILE] [--json]", "attractor class of a long run: fixed, periodic, circle, chaotic, stall, ...",
     "Classifies where the orbit from the first start of run.x0 under a fixed-step rule's map (or the\n"
     "flow under cvode: samples every attractor.dt, cycles by a Poincare section and shooting) goes:\n"
     "fixed, periodic (with its period; Newton on the k-fold map from the samples' centroids),\n"
     "quasi_periodic, neutral, chaotic (by the Lyapunov spectrum), stall, diverge or undetermined,\n"
     "with the orbit, its multipliers, the amplitude and, for planar maps, rotation and mean |z|.",
     "model integrator run.x0 attractor sweep.diverge_radius",
     (const char *const[]){OPT_SET, "-o FILE", "write /attractor (default: no file)", OPT_JSON, NULL},
     "gandyn attractor /dev/null --set model.name=normal_form --set model.form=logistic --set model.r=3.5 --set integrator.h=1",
     0, do_attractor, NULL},
    {"orbit", "CONFIG [--period-guess T] [--set K=V]... [-o FILE] [--json]", "periodic orbit of a flow by shooting: period, Floquet multipliers",
     "Finds the periodic orbit of the flow (cvode) through or near the first start of run.x0 by single\n"
     "shooting (Newton on the point and the period, the phase fixed on the section through run.x0),\n"
     "with the monodromy from the variational equations, the Floquet multipliers (the trivial one\n"
     "first), the amplitude and the time average of |x|^2 over one period.",
     "model integrator run.x0",
     (const char *const[]){"--period-guess T", "Newton's first period (default: the first return time to the section)", OPT_SET, "-o FILE",
                           "write /orbit (default: no file)", OPT_JSON, NULL},
     "gandyn orbit /dev/null --set model.name=normal_form --set model.form=hopf --set model.mu=0.1 --set integrator.name=cvode --set run.x0=0.3,0",
     OPT_ORBIT, do_orbit, NULL},
    {"plot", "FILE.h5... [-o FILE.png]", "the natural picture of a gandyn file",
     "Draws each file by the groups it holds (run, eig, rate, portrait, sweep, spectrum, estimate,\n"
     "continue: diagram, dominant multiplier and all multipliers against the unit circle; attractor) with\n"
     "plots/gandyn_plot.py, in a python3 with numpy, h5py and matplotlib (GANDYN_PYTHON overrides).",
     NULL, (const char *const[]){"-o FILE.png", "the picture (one input file; default: FILE.png next to FILE.h5)", NULL},
     "gandyn run @/dirac/notebook/gan_gradpen.ini -o run.h5 && gandyn plot run.h5 -o run.png", 0, NULL, cmd_plot},
    {"gallery", "[-o DIR]", "every model's paper figures and checked numbers -> DIR/index.html",
     "Regenerates every model's key figures from examples/ and measures its checked numbers (the\n"
     "validation cases of docs/models/) into one static DIR/index.html and DIR/checks.json (about 1.5\n"
     "minutes on 2 cores); exit status 1 when a check fails.",
     NULL, (const char *const[]){"-o DIR", "output directory (default output/gallery)", NULL}, "gandyn gallery -o gallery", 0, NULL,
     cmd_gallery},
    {"estimate", "DATA.h5 [--dataset /points] [--t 0.02] [--alpha 0.5] [--nev 6] [--knn 10] [-o FILE] [--json]",
     "low spectrum of Delta_p from samples (diffusion maps)",
     "The lowest eigenvalues of -Delta_p for the density the points are drawn from (Coifman-Lafon\n"
     "diffusion maps), with warnings for outliers and localised modes, which make spurious eigenvalues.",
     NULL,
     (const char *const[]){"--dataset NAME", "the points: n values or an n x d dataset", "--t T", "kernel time, bandwidth^2 / 2 (the bias is O(t))",
                           "--alpha A", "density normalisation in [0, 1] (1/2: Delta_p itself)", "--nev N", "how many eigenvalues", "--knn K",
                           "neighbours per point in the connectivity graph", "-o FILE", "write /lambda (default: no file)", OPT_JSON, NULL},
     "gandyn estimate @/functional/normal_quantiles.h5 --nev 5 -o estimate.h5", 0, NULL, cmd_estimate},
    {"help", "[COMMAND]", "this overview, or one command's usage, keys, options and example",
     "gandyn help COMMAND is gandyn COMMAND --help (or -h).", NULL, (const char *const[]){NULL}, "gandyn help eig", 0, NULL, cmd_help},
};
#define NCOMMANDS (int)(sizeof commands / sizeof commands[0])

static const command *find_command(const char *name)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0) return &commands[i];
    return NULL;
}

static void print_usage(FILE *out)
{
    enum { COL = 49 };
    fprintf(out, "usage: gandyn COMMAND [ARGS]\n");
    for (int i = 0; i < NCOMMANDS; i++) {
        const command *c = &commands[i];
        int n = fprintf(out, "  %s %s", c->name, c->args);
        if (n + 1 > COL) fprintf(out, "\n%*s%s\n", COL, "", c->summary);
        else fprintf(out, "%*s%s\n", COL - n, "", c->summary);
    }
    fprintf(out, "  --help | COMMAND --help | --version\n"
                 "CONFIG is an INI file (/dev/null: all defaults); keys are section.key, see 'gandyn list'.\n"
                 "--plugin FILE (any command, repeatable) loads a shared library's games and rules first.\n");
}

static int unknown_command(gd_cx *cx, const char *name)
{
    char names[512] = "";
    for (int i = 0, at = 0; i < NCOMMANDS; i++) at += snprintf(names + at, sizeof names - (size_t)at, "%s%s", i ? ", " : "", commands[i].name);
    return fail(cx, 2, "unknown command '%s' (commands: %s; see gandyn --help)", name, names);
}

/* n names on one line after lead, sep between them. */
static void print_names(gd_cx *cx, const char *lead, const char *sep, int n, const char *(*name)(int))
{
    fprintf(cx->out, "%s", lead);
    for (int i = 0; i < n; i++) fprintf(cx->out, "%s%s", i ? sep : "", name(i));
    fputc('\n', cx->out);
}

static const char *model_name(int i) { return gd_model_type_name(gd_model_types()[i]); }
static const char *integrator_name(int i) { return gd_integrator_type_name(gd_integrator_types()[i]); }

static int count_types(const void *const *list)
{
    int n = 0;
    while (list[n]) n++;
    return n;
}

/* Every integrator.* key once: the shared ones, then each rule's own. */
static void print_integrator_keys(gd_cx *cx, const char *lead)
{
    const gd_integrator_type *const *it = gd_integrator_types();
    const gd_param *p = gd_integrator_shared_params();
    fprintf(cx->out, "%s", lead);
    for (int i = 0; p[i].key; i++) fprintf(cx->out, "%s%s", i ? ", " : "", p[i].key);
    for (int i = 0; it[i]; i++)
        for (p = gd_integrator_type_params(it[i]); p->key; p++) {
            int seen = 0; /* a key two rules have (altgd, symplectic_euler: order) is named once */
            for (int j = 0; j < i; j++) seen |= gd_integrator_type_reads(it[j], p->key);
            if (!seen) fprintf(cx->out, ", %s", p->key);
        }
    fputc('\n', cx->out);
}

/* One token of a command's reads: "model", "model=NAME", "integrator", "SECTION" or
 * "SECTION.k1,k2". The keys come from the library's tables; a key the table lacks is an
 * error of this file (status 1), which tests/cli.sh would see. */
static int print_read(gd_cx *cx, char *tok)
{
    char *keys = strchr(tok, '.'), *only = strchr(tok, '=');
    if (keys) *keys++ = '\0';
    if (only) *only++ = '\0';
    if (strcmp(tok, "model") == 0 && only) {
        const gd_model_type *t = gd_model_type_find(only);
        if (!t) return fail(cx, 1, "help: no model '%s'", only, "");
        fprintf(cx->out, "  [model] name = %s, and its keys:\n", only);
        print_params_text(cx, gd_model_type_params(t), NULL);
    } else if (strcmp(tok, "model") == 0) {
        print_names(cx, "  [model] name = ", " | ", count_types((const void *const *)gd_model_types()), model_name);
        fprintf(cx->out, "    and the chosen model's keys: gandyn list models\n");
    } else if (strcmp(tok, "integrator") == 0) {
        print_names(cx, "  [integrator] name = ", " | ", count_types((const void *const *)gd_integrator_types()), integrator_name);
        print_integrator_keys(cx, "    keys (which rule reads which, with defaults: gandyn list integrators): ");
    } else {
        const gd_param *tab = gd_sim_section_params(tok);
        const char *only_keys[32] = {NULL};
        int n = 0;
        if (!tab) return fail(cx, 1, "help: no section [%s]", tok, "");
        for (char *k; keys && n < 31 && (k = strsep(&keys, ","));) {
            only_keys[n++] = k;
            const gd_param *p = tab;
            while (p->key && strcmp(p->key, k) != 0) p++;
            if (!p->key) return fail(cx, 1, "help: no key %s.%s", tok, k);
        }
        fprintf(cx->out, "  [%s]%s\n", tok, n ? " (these keys)" : "");
        print_params_text(cx, tab, n ? only_keys : NULL);
    }
    return 0;
}

static void print_example(gd_cx *cx, const char *example)
{
    struct stat sb;
    const char *dir = stat(GANDYN_SOURCE_EXAMPLES, &sb) == 0 ? GANDYN_SOURCE_EXAMPLES : GANDYN_INSTALL_EXAMPLES;
    fprintf(cx->out, "example:\n  ");
    for (const char *c = example; *c; c++)
        if (*c == '@') fputs(dir, cx->out);
        else fputc(*c, cx->out);
    fputc('\n', cx->out);
}

/* gandyn COMMAND --help: usage line, what it does, the keys it reads, options, an example. */
static int print_help(gd_cx *cx, const command *c)
{
    fprintf(cx->out, "usage: gandyn %s %s\n%s\n\n", c->name, c->args, c->about);
    if (c->reads) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", c->reads);
        fprintf(cx->out, "reads from CONFIG (then --set), with defaults:\n");
        for (char *p = buf, *tok; (tok = strsep(&p, " "));) {
            int st = print_read(cx, tok);
            if (st) return st;
        }
    } else {
        fprintf(cx->out, "reads no CONFIG\n");
    }
    if (c->options[0]) fprintf(cx->out, "options:\n");
    for (int i = 0; c->options[i]; i += 2) fprintf(cx->out, "  %-28s %s\n", c->options[i], c->options[i + 1]);
    print_example(cx, c->example);
    return 0;
}

/* gandyn help [COMMAND] */
static int cmd_help(gd_cx *cx, int argc, const char *const *argv)
{
    if (argc == 0) {
        print_usage(cx->out);
        return 0;
    }
    const command *c = find_command(argv[0]);
    return c ? print_help(cx, c) : unknown_command(cx, argv[0]);
}

static int dispatch(gd_cx *cx, int argc, const char *const *argv)
{
    if (argc < 2) {
        print_usage(cx->err);
        return 2;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) return cmd_help(cx, argc - 2, argv + 2);
    if (strcmp(name, "--version") == 0) {
        fprintf(cx->out, "gandyn %s\n", GD_VERSION);
        return 0;
    }
    const command *c = find_command(name);
    if (!c) return unknown_command(cx, name);
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return print_help(cx, c);
    return c->sim ? with_sim(cx, argc - 2, argv + 2, c->allowed, c->sim) : c->plain(cx, argc - 2, argv + 2);
}

/* --plugin FILE, on any command and repeatable: load the plugin (gd_plugin_load) before the
 * command parses its own arguments. *rest gets argv without those pairs (*kept entries, a
 * NULL after them; the caller frees it). */
static int load_plugins(gd_cx *cx, int argc, const char *const *argv, int *kept, const char ***rest)
{
    const char **keep = calloc((size_t)argc + 1, sizeof *keep);
    if (!keep) return fail_rc(cx, GD_ENOMEM, "out of memory", "", "");
    *rest = keep;
    *kept = 0;
    for (int i = 0; i < argc; i++) {
        if (i == 0 || strcmp(argv[i], "--plugin") != 0) {
            keep[(*kept)++] = argv[i];
            continue;
        }
        char msg[GD_ERRMSG_LEN];
        if (++i == argc || argv[i][0] == '-') return fail(cx, 2, "--plugin needs a shared library FILE (see <gandyn/game.h>)", "", "");
        if (gd_plugin_load(argv[i], msg) != GD_OK) return fail(cx, 2, "%s", msg, "");
    }
    return 0;
}

int gd_command(int argc, const char *const *argv, gd_command_io *io)
{
    if (!io) return 2;
    io->code = GD_OK;
    if (io->msg) io->msg[0] = '\0';
    FILE *null = !io->out || !io->err ? fopen("/dev/null", "w") : NULL;
    gd_cx cx = {.out = io->out ? io->out : null, .err = io->err ? io->err : null, .io = io};
    if (!cx.out || !cx.err) {
        io->code = GD_EIO;
        if (io->msg) snprintf(io->msg, GD_COMMAND_MSG, "cannot open /dev/null: %s", strerror(errno));
        return 1;
    }
    const char **rest = NULL;
    int kept = 0, st = argv ? load_plugins(&cx, argc, argv, &kept, &rest) : 0;
    if (!st) st = argv ? dispatch(&cx, kept, rest) : dispatch(&cx, 0, NULL);
    free(rest);
    restore_signals(&cx);
    if (st && io->code == GD_OK) io->code = st == 2 ? GD_EUSAGE : GD_EIO; /* a status without a line: usage, a rank's failure */
    if (null) fclose(null);
    return st;
}

/* A stream into a growing buffer (open_memstream) when the caller wants the text, else NULL:
 * gd_command discards. */
static FILE *capture(char **text, char **buf, size_t *len)
{
    *buf = NULL;
    return text ? open_memstream(buf, len) : NULL;
}

/* Close the capture and hand the text over (fclose sets *buf: an empty string when there was
 * none); 1 when that failed. */
static int release(FILE *f, char **text, char **buf)
{
    if (!text) return 0;
    int bad = !f || fclose(f) != 0;
    *text = bad ? NULL : *buf;
    if (bad) free(*buf);
    return bad;
}

int gd_command_capture(int argc, const char *const *argv, unsigned flags, char **out, char **err, char *msg, int *code)
{
    char *obuf, *ebuf;
    size_t olen, elen;
    FILE *o = capture(out, &obuf, &olen), *e = capture(err, &ebuf, &elen);
    gd_command_io io = {.out = o, .err = e, .msg = msg, .signals = (flags & GD_COMMAND_SIGNALS) != 0};
    int st;
    if ((out && !o) || (err && !e)) {
        st = 1, io.code = GD_ENOMEM;
        if (msg) snprintf(msg, GD_COMMAND_MSG, "out of memory");
    } else {
        st = gd_command(argc, argv, &io);
    }
    if (release(o, out, &obuf) + release(e, err, &ebuf) && !st) {
        st = 1, io.code = GD_ENOMEM;
        if (msg) snprintf(msg, GD_COMMAND_MSG, "out of memory");
    }
    if (code) *code = io.code;
    return st;
}

void gd_free(void *p) { free(p); }
