/* SPDX-License-Identifier: BSD-3-Clause
 *
 * gd_sim: a run described by an INI configuration (README, "Configuration keys"). Keys are
 * stored as text in the order given (file, then --set), and resolved at setup through the
 * model's and the integrator's parameter tables; unknown sections and keys are errors.
 */
#include "gd_impl.h"
#include "h5io.h"
#include "sim_impl.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const save_coords[] = {"all", "generator", NULL};
static const char *const save_opts[] = {"none", "final", "all", NULL};
#define R(f) offsetof(run_opts, f)
static const gd_param run_params[] = {
    {"x0", GD_P_STRING, R(x0), "", "start(s): comma-separated coordinates, several starts separated by ';' (empty: the model's default start, (1, 1) for dirac)", 0, 0, 0, NULL},
    {"save_every", GD_P_INT, R(save_every), "1", "write every k-th state (the last state is always written)", 1, 1e12, 0, NULL},
    {"field_n", GD_P_INT, R(field_n), "17", "2-D and larger models: the vector field around the trajectories on a field_n^2 grid in the run file (0: none, for costly fields)", 0, 1000, 0, NULL},
    {"output", GD_P_STRING, R(output), "output/run.h5", "HDF5 output file", 0, 0, 0, NULL},
    {"save_coords", GD_P_ENUM, R(save_coords), "all", "coordinates stored in /traj/<k>/x: all | generator (the first ngen; for large discriminator states)", 0, 0, 0, save_coords},
    {"save_opt", GD_P_ENUM, R(save_opt), "final",
     "the optimizer's state (momentum b, adam m and v, ...) and iteration count in /traj/<k>/opt: none | final (the last state: enough to resume) | all (with every saved state)",
     0, 0, 0, save_opts},
    {"resume", GD_P_STRING, R(resume), "", "continue the trajectories of this run file from their last saved state and optimizer state (run.x0 is then not used)", 0, 0, 0, NULL},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef R
const gd_section gd_section_run = {"run", run_params, sizeof(run_opts), offsetof(gd_sim, run)};

/* The fixed sections in the order configs are written; model and integrator tables depend on
 * the names. */
static const gd_section *const fixed[] = {&gd_section_run, &gd_section_sweep, &gd_section_rate, &gd_section_portrait, &gd_section_noise, &gd_section_continuation,
                                          &gd_section_lyapunov, &gd_section_attractor, &gd_section_critical};
#define NFIXED (sizeof fixed / sizeof fixed[0])

static const char *const sections[] = {"model", "integrator", "run", "sweep", "rate", "portrait", "noise", "lookahead", "modifier", "continuation", "lyapunov", "attractor", "critical", NULL};

/* Where the sim keeps a section's option struct. */
static void **section_slot(gd_sim *s, const gd_section *sec) { return (void **)((char *)s + sec->offset); }

const gd_param *gd_sim_section_params(const char *section)
{
    for (size_t i = 0; section && i < NFIXED; i++)
        if (strcmp(fixed[i]->name, section) == 0) return fixed[i]->params;
    return gd_wrap_params(section); /* [lookahead], [modifier]: the stepper's (src/wrap.c) */
}

gd_sim *gd_sim_create(void)
{
    gd_sim *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    for (size_t i = 0; i < NFIXED; i++) {
        void **o = section_slot(s, fixed[i]);
        if (!(*o = calloc(1, fixed[i]->size))) {
            gd_sim_free(&s);
            return NULL;
        }
        gd_params_defaults(fixed[i]->params, *o, fixed[i]->name, s->msg);
    }
    return s;
}

static void free_strings(const gd_param *tab, void *obj)
{
    for (const gd_param *p = tab; p->key; p++)
        if (p->type == GD_P_STRING) {
            free(*(char **)((char *)obj + p->offset));
            *(char **)((char *)obj + p->offset) = NULL;
        }
}

static void clear_results(gd_sim *s)
{
    for (int k = 0; k < s->nres; k++) {
        free(s->res[k].x0);
        free(s->res[k].xf);
        free(s->res[k].failure_msg);
    }
    free(s->res);
    s->res = NULL;
    s->nres = 0;
}

void gd_sim_free(gd_sim **ps)
{
    if (!ps || !*ps) return;
    gd_sim *s = *ps;
    for (int i = 0; i < s->ne; i++) {
        free(s->e[i].section);
        free(s->e[i].key);
        free(s->e[i].value);
    }
    free(s->e);
    clear_results(s);
    gd_stepper_free(&s->stepper);
    gd_model_free(&s->model);
    for (size_t i = 0; i < NFIXED; i++) {
        void **o = section_slot(s, fixed[i]);
        if (*o) free_strings(fixed[i]->params, *o);
        free(*o);
    }
    free(s->starts);
    free(s->eq);
    free(s->config_text);
    free(s->command);
    free(s);
    *ps = NULL;
}

const char *gd_sim_errmsg(const gd_sim *s) { return s ? s->msg : "no simulation"; }

int gd_sim_usable(const gd_sim *s)
{
    if (s && !s->ready) gd_fmt(((gd_sim *)s)->msg, GD_EUSAGE, "gd_sim_setup has not succeeded");
    return s && s->ready;
}

/* Store section.key = value, replacing an earlier value of the same key. */
static int store(gd_sim *s, const char *section, const char *key, const char *value)
{
    int known = 0;
    for (int i = 0; sections[i]; i++) known |= strcmp(sections[i], section) == 0;
    if (!known)
        return gd_fmt(s->msg, GD_EUSAGE,
                      "unknown section [%s] (sections: model, integrator, run, sweep, rate, portrait, noise, lookahead, modifier, continuation, lyapunov, attractor, critical)",
                      section);
    s->ready = 0;
    for (int i = 0; i < s->ne; i++)
        if (strcmp(s->e[i].section, section) == 0 && strcmp(s->e[i].key, key) == 0) {
            char *v = strdup(value);
            if (!v) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
            free(s->e[i].value);
            s->e[i].value = v;
            return GD_OK;
        }
    if (s->ne == s->cap) {
        int nc = s->cap ? 2 * s->cap : 16;
        entry *ne = realloc(s->e, sizeof(entry) * (size_t)nc);
        if (!ne) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
        s->e = ne;
        s->cap = nc;
    }
    entry *en = &s->e[s->ne];
    en->section = strdup(section);
    en->key = strdup(key);
    en->value = strdup(value);
    if (!en->section || !en->key || !en->value) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    s->ne++;
    return GD_OK;
}

/* ---- the configuration text: "[section]" and "key = value" lines, ';' or '#' comments at
 * the start of a line or after whitespace. Our own reader, so lines have no length limit
 * (long run.x0 lists) and --set values obey the same rules as file values. */
static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Trim in place; returns the start. */
static char *trim(char *t)
{
    while (is_blank(*t)) t++;
    size_t n = strlen(t);
    while (n > 0 && is_blank(t[n - 1])) t[--n] = '\0';
    return t;
}

/* c (within t) starts a comment: ';' or '#' at the start or after whitespace. */
static int starts_comment(const char *t, const char *c) { return (*c == ';' || *c == '#') && (c == t || is_blank(c[-1])); }

static void cut_comment(char *t)
{
    for (char *c = t; *c; c++)
        if (starts_comment(t, c)) {
            *c = '\0';
            return;
        }
}

int gd_sim_set(gd_sim *s, const char *key, const char *value)
{
    if (!s) return GD_EUSAGE;
    if (!key || !value) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_set: a NULL key or value");
    const char *dot = strchr(key, '.');
    if (!dot || dot == key || dot[1] == '\0')
        return gd_fmt(s->msg, GD_EUSAGE, "key '%s' must be written section.key (e.g. model.gamma)", key);
    char section[64];
    if ((size_t)(dot - key) >= sizeof section) return gd_fmt(s->msg, GD_EUSAGE, "unknown section in key '%s'", key);
    snprintf(section, sizeof section, "%.*s", (int)(dot - key), key);
    char *v = strdup(value), *t = v ? trim(v) : NULL;
    if (!v) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    /* the resolved configuration is written as INI text: a value must read back as itself */
    char *c = t;
    for (; *c && !((unsigned char)*c < 0x20 && *c != '\t') && !starts_comment(t, c); c++) continue;
    int rc = *c ? gd_fmt(s->msg, GD_EUSAGE, "%s: the value has %s, which a config file cannot hold", key,
                         (unsigned char)*c < 0x20 ? "a control character" : "a comment mark (';' or '#' at its start or after a space)")
                : store(s, section, dot + 1, t);
    free(v);
    return rc;
}

/* One line of the file; *section is the current [section] (owned by the caller). */
static int load_line(gd_sim *s, char *line, char *section, size_t nsection)
{
    cut_comment(line);
    char *t = trim(line);
    if (!*t) return GD_OK;
    if (*t == '[') {
        char *close = strchr(t, ']');
        if (!close || trim(close + 1)[0]) return gd_fmt(s->msg, GD_EUSAGE, "a section header is written [name]");
        *close = '\0';
        char *name = trim(t + 1);
        if (!*name || strlen(name) >= nsection) return gd_fmt(s->msg, GD_EUSAGE, "section name '%s' is empty or too long", name);
        snprintf(section, nsection, "%s", name);
        return GD_OK;
    }
    char *eq = strchr(t, '=');
    if (!eq) return gd_fmt(s->msg, GD_EUSAGE, "not an INI line (expected [section] or key = value)");
    *eq = '\0';
    cut_comment(eq + 1); /* a mark right after '=' starts a comment, as in a --set value */
    char *key = trim(t), *value = trim(eq + 1);
    if (!*key) return gd_fmt(s->msg, GD_EUSAGE, "a key is missing before '='");
    if (!section[0]) return gd_fmt(s->msg, GD_EUSAGE, "key '%s' is outside any [section]", key);
    return store(s, section, key, value);
}

/* Every line of fp; messages name the line as path:LINE. Closes fp. */
static int load_stream(gd_sim *s, FILE *fp, const char *path)
{
    char *line = NULL, section[64] = "";
    size_t cap = 0;
    ssize_t len;
    int rc = GD_OK, lineno = 0;
    while (rc == GD_OK && (len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        char *t = line;
        if (lineno == 1 && len >= 3 && memcmp(t, "\xef\xbb\xbf", 3) == 0) t += 3, len -= 3; /* UTF-8 byte-order mark */
        rc = (size_t)len != strlen(t) ? gd_fmt(s->msg, GD_EUSAGE, "a NUL byte in the line") : load_line(s, t, section, sizeof section);
    }
    if (rc == GD_OK && ferror(fp)) rc = gd_fmt(s->msg, GD_EIO, "read error: %s", strerror(errno)), lineno++;
    free(line);
    fclose(fp);
    if (rc != GD_OK) {
        char m[GD_MSG_LEN];
        snprintf(m, sizeof m, "%s", s->msg);
        return gd_fmt(s->msg, rc, "%s:%d: %s", path, lineno, m);
    }
    return GD_OK;
}

int gd_sim_load(gd_sim *s, const char *path)
{
    if (!s) return GD_EUSAGE;
    if (!path) return gd_fmt(s->msg, GD_EUSAGE, "gd_sim_load: a NULL path");
    FILE *fp = fopen(path, "r");
    if (!fp) return gd_fmt(s->msg, GD_EUSAGE, "cannot open config file '%s': %s", path, strerror(errno));
    return load_stream(s, fp, path);
}

int gd_sim_load_text(gd_sim *s, const char *text, const char *name)
{
    FILE *fp = text[0] ? fmemopen((void *)text, strlen(text), "r") : NULL; /* fmemopen refuses size 0 */
    if (!fp) return text[0] ? gd_fmt(s->msg, GD_ENOMEM, "out of memory") : GD_OK;
    return load_stream(s, fp, name);
}

void gd_sim_set_command(gd_sim *s, const char *command)
{
    if (!s) return;
    free(s->command);
    s->command = command ? strdup(command) : NULL;
}

/* "1,1;0.5,0" -> nstart vectors of dim numbers; empty: the model's default start. */
static int parse_starts(gd_sim *s, int dim)
{
    const char *text = s->run->x0;
    free(s->starts);
    s->starts = NULL;
    s->nstart = 0;
    if (!text[0]) {
        if (!(s->starts = malloc(sizeof(double) * (size_t)dim))) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
        s->nstart = 1;
        return gd_model_default_start(s->model, s->starts);
    }
    int rc = gd_parse_vectors(text, dim, &s->starts, &s->nstart, "run.x0", s->msg);
    if (rc != GD_OK) return rc;
    if (s->nstart == 0) return gd_fmt(s->msg, GD_EUSAGE, "run.x0 is empty: give at least one start");
    return GD_OK;
}

static const char *value_of(const gd_sim *s, const char *section, const char *key, const char *def)
{
    for (int i = 0; i < s->ne; i++)
        if (strcmp(s->e[i].section, section) == 0 && strcmp(s->e[i].key, key) == 0) return s->e[i].value;
    return def;
}

/* ---- [integrator]: the shared keys and the configured rule's own are the stepper's; keys of
 * other rules (a config written for altgd, run with simgd; a sweep or critical switching
 * rules) are checked at setup by the rule that has them (gd_stepper_set), and written back
 * into the resolved configuration, as when every rule's keys were one table. */

/* The row of integrator.KEY and the struct holding its configured value: the stepper's, or
 * *scratch (caller frees) for another rule's key. NULL: no rule has the key, or no memory. */
static const gd_param *integrator_value(const gd_sim *s, const char *key, const void **obj, void **scratch)
{
    void *own;
    char msg[GD_MSG_LEN];
    const gd_param *p = gd_stepper_param(s->stepper, key, &own);
    *obj = own;
    *scratch = NULL;
    if (p) return p;
    if (gd_integrator_key_value(key, value_of(s, "integrator", key, NULL), &p, scratch, msg) != GD_OK) return NULL; /* checked at setup */
    *obj = *scratch;
    return p;
}

double gd_sim_integrator_double(const gd_sim *s, const char *key)
{
    const void *obj;
    void *scratch;
    const gd_param *p = integrator_value(s, key, &obj, &scratch);
    double v = p && p->type == GD_P_DOUBLE ? *(const double *)((const char *)obj + p->offset) : NAN;
    free(scratch);
    return v;
}

/* The [integrator] keys in the order configs are written: the order of the one table all keys
 * were in before each rule had its own (output files and sweep checkpoints compare this
 * text), then the keys of rules added since. */
static const char *const integrator_order[] = {"h",      "lr_g", "lr_d", "n_g",  "n_d",        "order",     "steps",      "t_end",
                                               "method", "nls",  "linsol", "rtol", "atol", "newton_tol", "max_steps", "newton_max", NULL};

static int listed(const char *key)
{
    for (int i = 0; integrator_order[i]; i++)
        if (strcmp(integrator_order[i], key) == 0) return 1;
    return 0;
}

static void format_integrator_key(const gd_sim *s, const char *key, char **buf, size_t *len, size_t *cap)
{
    const void *obj;
    void *scratch;
    const gd_param *p = integrator_value(s, key, &obj, &scratch);
    if (p) gd_param_format(p, obj, buf, len, cap);
    free(scratch);
}

static void format_integrator(const gd_sim *s, char **buf, size_t *len, size_t *cap)
{
    const gd_param *p;
    for (int i = 0; integrator_order[i]; i++) format_integrator_key(s, integrator_order[i], buf, len, cap);
    for (p = gd_integrator_shared_params(); p->key; p++)
        if (!listed(p->key)) format_integrator_key(s, p->key, buf, len, cap);
    for (const gd_integrator_type *const *t = gd_integrator_types(); *t; t++)
        for (p = gd_integrator_type_params(*t); p->key; p++) {
            const gd_param *first;
            if (!listed(p->key) && gd_integrator_key_owner(p->key, &first) == *t) format_integrator_key(s, p->key, buf, len, cap);
        }
}

static void list_names(int models, char *out, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0;; i++) {
        const char *name = models ? gd_model_type_name(gd_model_types()[i]) : gd_integrator_type_name(gd_integrator_types()[i]);
        if (!name) break;
        int w = snprintf(out + used, n - used, "%s%s", i ? " | " : "", name);
        if (w < 0 || (size_t)w >= n - used) break;
        used += (size_t)w;
    }
}

/* Apply every entry of one section through a setter; name is consumed elsewhere. */
static int apply_section(gd_sim *s, const char *section, int (*set)(void *, const char *, const char *), void *obj,
                         const char *(*errmsg)(const void *))
{
    for (int i = 0; i < s->ne; i++) {
        if (strcmp(s->e[i].section, section) != 0 || strcmp(s->e[i].key, "name") == 0) continue;
        if (strcmp(section, "model") == 0 && strcmp(s->e[i].key, "plugin") == 0) continue; /* loaded by setup */
        if (set(obj, s->e[i].key, s->e[i].value) != GD_OK) return gd_fmt(s->msg, GD_EUSAGE, "%s", errmsg(obj));
    }
    return GD_OK;
}

static int set_model(void *m, const char *k, const char *v) { return gd_model_set(m, k, v); }
static int set_stepper(void *st, const char *k, const char *v)
{
    if (strcmp(k, "diverge_radius") == 0) /* a [sweep] key; keep one spelling */
        return gd_stepper_fail((gd_stepper *)st, GD_EUSAGE, "unknown key integrator.diverge_radius (it is sweep.diverge_radius)");
    return gd_stepper_set(st, k, v);
}
/* [lookahead] and [modifier] keys are the stepper's, set as "lookahead.k" (src/wrap.c). */
static int set_wrapper(gd_sim *s, const char *section)
{
    char key[96];
    for (int i = 0; i < s->ne; i++) {
        if (strcmp(s->e[i].section, section) != 0) continue;
        snprintf(key, sizeof key, "%s.%.64s", section, s->e[i].key);
        if (!gd_wrap_param(key, &(const char *){NULL})) return gd_fmt(s->msg, GD_EUSAGE, "unknown key %s.%s", section, s->e[i].key);
        if (gd_stepper_set(s->stepper, key, s->e[i].value) != GD_OK) return gd_fmt(s->msg, GD_EUSAGE, "%s", s->stepper->msg);
    }
    return GD_OK;
}
/* The sections of the wrappers in use, after [integrator] (none: the text of earlier versions,
 * so checkpoints and part files of sweeps without them still match). */
static void format_wrappers(const gd_sim *s, char **buf, size_t *len, size_t *cap)
{
    if (s->stepper->wrap.k > 0) gd_strbuf_add(buf, len, cap, "\n[lookahead]\n"), gd_params_format(gd_wrap_params("lookahead"), &s->stepper->wrap, buf, len, cap);
    if (s->stepper->wrap.mod != GD_MOD_NONE)
        gd_strbuf_add(buf, len, cap, "\n[modifier]\n"), gd_params_format(gd_wrap_params("modifier"), &s->stepper->wrap, buf, len, cap);
}
static const char *msg_model(const void *m) { return ((const gd_model *)m)->msg; }
static const char *msg_stepper(const void *st) { return ((const gd_stepper *)st)->msg; }

static int set_table(void *obj, const gd_param *tab, const char *section, const char *k, const char *v, char *msg)
{
    const gd_param *p = gd_param_find(tab, k);
    if (!p) return gd_fmt(msg, GD_EUSAGE, "unknown key %s.%s", section, k);
    return gd_param_apply(p, obj, v, section, msg);
}

static int apply_fixed_sections(gd_sim *s)
{
    for (int i = 0; i < s->ne; i++)
        for (size_t k = 0; k < NFIXED; k++) {
            if (strcmp(s->e[i].section, fixed[k]->name) != 0) continue;
            int rc = set_table(*section_slot(s, fixed[k]), fixed[k]->params, fixed[k]->name, s->e[i].key, s->e[i].value, s->msg);
            if (rc != GD_OK) return rc;
        }
    return GD_OK;
}

/* [model] plugin: the plugins the configuration named, else those that registered its model
 * and integrator, so that the written configuration runs again. */
static void format_plugins(const gd_sim *s, char **buf, size_t *len, size_t *cap)
{
    const char *given = value_of(s, "model", "plugin", ""), *m = s->model->type->plugin, *r = s->stepper->type->plugin;
    if (given[0]) gd_strbuf_add(buf, len, cap, "plugin = %s\n", given);
    else if (m && r && strcmp(m, r) != 0) gd_strbuf_add(buf, len, cap, "plugin = %s,%s\n", m, r);
    else if (m || r) gd_strbuf_add(buf, len, cap, "plugin = %s\n", m ? m : r);
}

/* Every plugin of a comma-separated list, loaded (once: gd_plugin_load knows its own). */
static int load_plugins(gd_sim *s, const char *list)
{
    char *copy = strdup(list), *rest = copy, *one, m[GD_MSG_LEN];
    int rc = copy ? GD_OK : gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    while (rc == GD_OK && (one = strsep(&rest, ","))) {
        one = trim(one);
        if (*one && (rc = gd_plugin_load(one, m)) != GD_OK) gd_fmt(s->msg, rc, "model.plugin: %s", m);
    }
    free(copy);
    return rc;
}

static int build_config_text(gd_sim *s)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    gd_strbuf_add(&buf, &len, &cap, "[model]\nname = %s\n", s->model->type->name);
    format_plugins(s, &buf, &len, &cap);
    gd_params_format(s->model->type->params, s->model->opts, &buf, &len, &cap);
    gd_strbuf_add(&buf, &len, &cap, "\n[integrator]\nname = %s\n", s->stepper->type->name);
    format_integrator(s, &buf, &len, &cap);
    format_wrappers(s, &buf, &len, &cap);
    for (size_t k = 0; k < NFIXED; k++) {
        gd_strbuf_add(&buf, &len, &cap, "\n[%s]\n", fixed[k]->name);
        gd_params_format(fixed[k]->params, *section_slot(s, fixed[k]), &buf, &len, &cap);
    }
    free(s->config_text);
    s->config_text = buf;
    return buf ? GD_OK : gd_fmt(s->msg, GD_ENOMEM, "out of memory");
}

int gd_sim_setup(gd_sim *s)
{
    if (!s) return GD_EUSAGE;
    char names[512];
    s->ready = 0;
    gd_stepper_free(&s->stepper);
    gd_model_free(&s->model);
    const char *plugins = value_of(s, "model", "plugin", "");
    int rc0;
    if (plugins[0] && (rc0 = load_plugins(s, plugins)) != GD_OK) return rc0;
    const char *mname = value_of(s, "model", "name", "dirac");
    const gd_model_type *mt = gd_model_type_find(mname);
    if (!mt) {
        list_names(1, names, sizeof names);
        return gd_fmt(s->msg, GD_EUSAGE, "unknown model '%s' (models: %s)", mname, names);
    }
    const char *iname = value_of(s, "integrator", "name", "simgd");
    const gd_integrator_type *it = gd_integrator_type_find(iname);
    if (!it) {
        list_names(0, names, sizeof names);
        return gd_fmt(s->msg, GD_EUSAGE, "unknown integrator '%s' (integrators: %s)", iname, names);
    }
    if (!(s->model = gd_model_create(mt))) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    int rc = apply_section(s, "model", set_model, s->model, msg_model);
    if (rc == GD_OK && gd_model_setup(s->model) != GD_OK) rc = gd_fmt(s->msg, GD_EUSAGE, "%s", s->model->msg);
    if (rc == GD_OK) rc = apply_fixed_sections(s);
    if (rc != GD_OK) return rc;
    if (!(s->stepper = gd_stepper_create(it, s->model))) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    gd_stepper_set_double(s->stepper, "diverge_radius", s->sweep->diverge_radius);
    rc = apply_section(s, "integrator", set_stepper, s->stepper, msg_stepper);
    if (rc == GD_OK) rc = set_wrapper(s, "lookahead");
    if (rc == GD_OK) rc = set_wrapper(s, "modifier");
    if (rc == GD_OK && (rc = gd_stepper_setup(s->stepper)) != GD_OK) rc = gd_fmt(s->msg, rc, "%s", s->stepper->msg);
    gd_noise noise;
    if (rc == GD_OK) rc = gd_noise_resolve(s->noise, &noise, s->msg);
    if (rc == GD_OK && (rc = gd_stepper_set_noise(s->stepper, &noise)) != GD_OK) rc = gd_fmt(s->msg, rc, "%s", s->stepper->msg);
    if (rc == GD_OK) rc = parse_starts(s, s->model->dim);
    free(s->eq);
    s->eq = malloc(sizeof(double) * (size_t)s->model->dim);
    if (rc == GD_OK && !s->eq) rc = gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    s->eq_known = rc == GD_OK && gd_model_equilibrium(s->model, s->eq) == GD_OK;
    if (rc == GD_OK) rc = build_config_text(s);
    s->ready = rc == GD_OK;
    return rc;
}

/* ---------------------------------------------------------------- running ---- */
/* Extend the box [lo, hi] of the plane coordinates (ix, iy) by x. */
static void box_add(const gd_sim *s, double *lo, double *hi, const double *x)
{
    int c[2] = {0, s->model->ngen < s->model->dim ? s->model->ngen : 0};
    for (int d = 0; d < 2; d++)
        if (isfinite(x[c[d]])) {
            lo[d] = fmin(lo[d], x[c[d]]);
            hi[d] = fmax(hi[d], x[c[d]]);
        }
}

/* One trajectory: integrate, stream to the file (if any), classify. */
static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int finite_state(const double *x, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

/* ---- the optimizer's state in the file (run.save_opt) and continuing a file (run.resume) ---- */
#define GD_MAX_HISTORY 8
static const char opt_convention[] =
    "vectors in field units: b and m accumulate F = (-grad_theta L, +grad_psi L), so on a minimising player's coordinates m is minus "
    "PyTorch's exp_avg; v accumulates F^2; g_prev is F at the previous iterate; step counts the iterations since the start (adam's k)";

/* The history vectors a file holds for rule t: a fixed-step rule's (at most GD_MAX_HISTORY). */
static int opt_count(const gd_integrator_type *t) { return t->fixed_step ? (t->history < GD_MAX_HISTORY ? t->history : GD_MAX_HISTORY) : 0; }

/* Their names (h0, h1, ... for a rule that gives none). */
static int history_names(const gd_integrator_type *t, const char *names[GD_MAX_HISTORY], char bufs[GD_MAX_HISTORY][16])
{
    int nh = opt_count(t);
    for (int j = 0; j < nh; j++) {
        snprintf(bufs[j], sizeof bufs[j], "h%d", j);
        names[j] = t->history_names ? t->history_names[j] : bufs[j];
    }
    return nh;
}

/* GROUP/opt for a fixed-step rule unless run.save_opt = none (*out NULL then). */
static int opt_open(gd_sim *s, gd_h5 *f, const char *group, gd_h5_rows **out)
{
    *out = NULL;
    const gd_integrator_type *t = s->stepper->type;
    if (!f || !t->fixed_step || s->run->save_opt == GD_SAVE_OPT_NONE) return GD_OK;
    const char *names[GD_MAX_HISTORY];
    char bufs[GD_MAX_HISTORY][16], opt[96];
    int nh = history_names(t, names, bufs);
    snprintf(opt, sizeof opt, "%s/opt", group);
    int rc = gd_h5_rows_open(f, opt, nh, names, s->model->dim, "step", out);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, opt, "convention", opt_convention);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, opt, "integrator", t->name);
    return rc;
}

static int opt_row(gd_sim *s, gd_h5_rows *rows) { return rows ? gd_h5_rows_append(rows, s->stepper->lane.hist, s->stepper->nsteps) : GD_OK; }

/* The last row of DATASET (rows x width) in path into out. */
static int last_row(gd_sim *s, const char *path, const char *dataset, int rank_want, long width, double *out)
{
    int rank;
    hsize_t dims[8];
    double *data = NULL;
    char why[GD_MSG_LEN];
    int rc = gd_h5_read(path, dataset, rank_want, (size_t)1 << 34, &rank, dims, &data, why);
    if (rc != GD_OK) return gd_fmt(s->msg, rc == GD_ENOMEM ? rc : GD_EUSAGE, "run.resume: %s", why); /* a bad input file */
    long w = rank == 2 ? (long)dims[1] : 1;
    if (rank != rank_want || w != width || dims[0] < 1) {
        free(data);
        return gd_fmt(s->msg, GD_EUSAGE, "run.resume: %s in '%s' holds %ld values per row, this run needs %ld (another model, or written with run.save_coords = generator)",
                      dataset, path, w, width);
    }
    memcpy(out, data + (size_t)(dims[0] - 1) * (size_t)width, sizeof(double) * (size_t)width);
    free(data);
    return GD_OK;
}

/* Trajectory k of the resume file: its last state, the rule's history and the iteration count. */
static int resume_one(gd_sim *s, const char *path, int k, gd_resume *R)
{
    const gd_integrator_type *t = s->stepper->type;
    const char *names[GD_MAX_HISTORY];
    char bufs[GD_MAX_HISTORY][16], ds[160];
    int dim = s->model->dim, nh = history_names(t, names, bufs);
    snprintf(ds, sizeof ds, "/traj/%d/x", k);
    int rc = last_row(s, path, ds, 2, dim, R->x + (size_t)k * (size_t)dim);
    R->step[k] = 0;
    if (rc != GD_OK || !t->fixed_step) return rc;
    for (int j = 0; j <= nh && rc == GD_OK; j++) { /* the history vectors, then the counter */
        double step;
        snprintf(ds, sizeof ds, "/traj/%d/opt/%s", k, j < nh ? names[j] : "step");
        if (!gd_h5_has(path, ds))
            return gd_fmt(s->msg, GD_EUSAGE, "run.resume: '%s' has no %s: continue a run of integrator '%s' written with run.save_opt = final or all", path, ds,
                          t->name);
        if (j < nh) rc = last_row(s, path, ds, 2, dim, R->hist + ((size_t)k * (size_t)nh + (size_t)j) * (size_t)dim);
        else if ((rc = last_row(s, path, ds, 1, 1, &step)) == GD_OK) R->step[k] = (long)step;
    }
    return rc;
}

/* Every /traj/<k> of run.resume, k = 0, 1, ... until one is missing. */
static int resume_load(gd_sim *s, gd_resume *R)
{
    const char *path = s->run->resume;
    int dim = s->model->dim, nh = opt_count(s->stepper->type), rc = GD_OK;
    char ds[64];
    memset(R, 0, sizeof *R);
    for (int k = 0; rc == GD_OK; k++) {
        snprintf(ds, sizeof ds, "/traj/%d/x", k);
        if (k > 0 && !gd_h5_has(path, ds)) break; /* the first is read whatever: its message names a missing file */
        double *x = realloc(R->x, sizeof(double) * (size_t)(k + 1) * (size_t)dim), *h;
        R->x = x ? x : R->x;
        h = realloc(R->hist, sizeof(double) * ((size_t)(k + 1) * (size_t)nh * (size_t)dim + 1));
        R->hist = h ? h : R->hist;
        long *st = realloc(R->step, sizeof(long) * (size_t)(k + 1));
        R->step = st ? st : R->step;
        if (!x || !h || !st) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
        if ((rc = resume_one(s, path, k, R)) == GD_OK) R->n = k + 1;
    }
    return rc;
}

static void resume_free(gd_resume *R)
{
    free(R->x), free(R->hist), free(R->step);
    memset(R, 0, sizeof *R);
}

void gd_sim_resume_apply(gd_sim *s, int k, double *t)
{
    gd_stepper *st = s->stepper;
    const gd_resume *R = s->resume;
    if (!R || !st->type->fixed_step) return;
    size_t nh = (size_t)opt_count(st->type) * (size_t)st->dim;
    if (nh) memcpy(st->lane.hist, R->hist + (size_t)k * nh, sizeof(double) * nh);
    st->lane.iter = st->nsteps = R->step[k];
    *t = (double)st->nsteps * st->hv[st->ngen < st->dim ? st->ngen : 0]; /* as gd_stepper_step counts it */
}

static int run_one(gd_sim *s, int k, gd_h5 *f, double *lo, double *hi)
{
    int dim = s->model->dim, rc;
    traj_result *r = &s->res[k];
    double *x = r->xf, t = 0, *peq = s->eq_known ? s->eq : NULL;
    memcpy(r->x0, s->starts + (size_t)k * (size_t)dim, sizeof(double) * (size_t)dim);
    memcpy(x, r->x0, sizeof(double) * (size_t)dim);
    gd_model_project(s->model, x);
    gd_h5_series *ser = NULL;
    char group[64];
    snprintf(group, sizeof group, "/traj/%d", k);
    const gd_model_type *mt = s->model->type;
    int saved = s->run->save_coords ? s->model->ngen : dim;
    gd_h5_rows *opt = NULL;
    if (f && (gd_h5_series_open(f, group, saved > 0 ? saved : dim, mt->metric ? mt->metric_name : NULL, &ser) != GD_OK || opt_open(s, f, group, &opt) != GD_OK)) {
        gd_h5_series_close(&ser), gd_h5_rows_close(&opt);
        return gd_fmt(s->msg, GD_EIO, "cannot write %s", group);
    }
    const int opt_all = s->run->save_opt == GD_SAVE_OPT_ALL;
    double t_start = wall_seconds();
    gd_stepper_noise_index(s->stepper, 0, k); /* a run's trajectories are cell 0, start k */
    if ((rc = gd_stepper_reset(s->stepper, x)) != GD_OK) {
        gd_h5_series_close(&ser), gd_h5_rows_close(&opt);
        return gd_fmt(s->msg, rc, "%s", s->stepper->msg);
    }
    gd_sim_resume_apply(s, k, &t);
    if (ser) rc = gd_h5_series_append(ser, t, x, mt->metric ? mt->metric(s->model, s->stepper->ws, x) : 0);
    if (rc == GD_OK && opt_all) rc = opt_row(s, opt);
    box_add(s, lo, hi, x);
    long n = 0, steps = s->stepper->o.steps;
    int diverged = 0;
    /* the distances the outcome reads, over the coordinates a sweep measures (src/outcome.c) */
    const int nm = s->sweep->measure && s->model->ngen > 0 ? s->model->ngen : dim;
    gd_track tr;
    gd_track_start(&tr, s, peq ? gd_dist2(nm, x, peq) : 0, steps, nm, peq);
    while (rc == GD_OK && n < steps && !diverged) {
        rc = gd_stepper_step(s->stepper, x, &t);
        if (rc == GD_ESOLVER || (rc < 0 && s->stepper->failure == GD_FAIL_RHS)) {
            /* a solver or model failure ends this trajectory, not the run: recorded below */
            r->failure = s->stepper->failure;
            free(r->failure_msg);
            r->failure_msg = strdup(s->stepper->msg);
            rc = GD_OK;
            break;
        }
        if (rc < 0) break;
        if (rc == GD_DIVERGED && !finite_state(x, dim)) r->failure = GD_FAIL_NONFINITE;
        diverged = rc == GD_DIVERGED;
        rc = GD_OK;
        n++;
        if (peq) gd_track_step(&tr, n, gd_dist2(nm, x, peq));
        if (ser && r->failure != GD_FAIL_NONFINITE && (n % s->run->save_every == 0 || n == steps || diverged)) { /* no NaN rows */
            rc = gd_h5_series_append(ser, t, x, mt->metric ? mt->metric(s->model, s->stepper->ws, x) : 0);
            if (rc == GD_OK && opt_all) rc = opt_row(s, opt);
        }
        box_add(s, lo, hi, x);
    }
    /* final: the state x's last row holds (a non-finite one has no row) */
    if (rc == GD_OK && !opt_all && r->failure != GD_FAIL_NONFINITE) rc = opt_row(s, opt);
    int crc = gd_h5_series_close(&ser), orc = gd_h5_rows_close(&opt);
    if (crc == GD_OK) crc = orc;
    if (rc < 0) return gd_fmt(s->msg, rc, "trajectory %d: %s", k, rc == GD_EIO ? "cannot write HDF5 data" : s->stepper->msg);
    if (crc != GD_OK) return gd_fmt(s->msg, GD_EIO, "trajectory %d: cannot write HDF5 data", k);
    r->steps = n;
    r->t = t;
    r->nfev = s->stepper->nfev;
    r->solver_steps = s->stepper->nsteps;
    r->seconds = wall_seconds() - t_start;
    r->rate = NAN;
    if (!peq) { /* no x* to measure against: only divergence can be told */
        r->outcome = diverged ? GD_DIVERGE : GD_OSCILLATE;
    } else {
        /* as a sweep cell: a trajectory the solver or the model ended counts as diverged */
        if (diverged || r->failure != GD_FAIL_NONE) tr.div_at = diverged ? n : n + 1;
        if (!isfinite(tr.dN)) tr.dN = s->stepper->o.diverge_radius * s->stepper->o.diverge_radius;
        r->outcome = gd_track_outcome(s, &tr, NAN, &r->rate);
    }
    if (!f) return GD_OK;
    rc = gd_h5_attr_doubles(f, group, "x0", dim, r->x0);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, group, "outcome", gd_outcome_name(r->outcome));
    if (rc == GD_OK) rc = gd_h5_attr_doubles(f, group, "rate", 1, &r->rate);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, group, "solver", gd_failure_name(r->failure));
    if (rc == GD_OK && r->failure_msg) rc = gd_h5_attr_string(f, group, "solver_message", r->failure_msg);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, group, "steps", n);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, group, "nfev", s->stepper->nfev);
    return rc == GD_OK ? GD_OK : gd_fmt(s->msg, GD_EIO, "cannot write attributes of %s", group);
}

int gd_sim_integrate(gd_sim *s, gd_h5 *f, double *lo, double *hi)
{
    int dim = s->model->dim, rc;
    clear_results(s);
    s->res = calloc((size_t)s->nstart, sizeof *s->res);
    if (!s->res) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    s->nres = s->nstart;
    for (int k = 0; k < s->nres; k++) {
        s->res[k].x0 = malloc(sizeof(double) * (size_t)dim);
        s->res[k].xf = malloc(sizeof(double) * (size_t)dim);
        if (!s->res[k].x0 || !s->res[k].xf) return gd_fmt(s->msg, GD_ENOMEM, "out of memory");
    }
    lo[0] = lo[1] = INFINITY, hi[0] = hi[1] = -INFINITY;
    for (int k = 0; k < s->nres; k++)
        if ((rc = run_one(s, k, f, lo, hi)) != GD_OK) return rc;
    return GD_OK;
}

int gd_sim_write_field(gd_sim *s, gd_h5 *f, int ix, int iy, const double *lo, const double *hi, int n, const double *base)
{
    const gd_model *m = s->model;
    size_t nn = (size_t)n * (size_t)n;
    double *ax = malloc(sizeof(double) * (2 * (size_t)n + 2 * nn + 2 * (size_t)m->dim)), *ay = ax + n, *u = ay + n, *v = u + nn;
    if (!ax) return GD_ENOMEM;
    double *x = v + nn, *w = x + m->dim;
    for (int i = 0; i < n; i++) {
        ax[i] = lo[0] + (hi[0] - lo[0]) * i / (n - 1);
        ay[i] = lo[1] + (hi[1] - lo[1]) * i / (n - 1);
    }
    memcpy(x, base, sizeof(double) * (size_t)m->dim);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            x[ix] = ax[i], x[iy] = ay[j];
            if (gd_model_field(m, x, w) != GD_OK) w[ix] = w[iy] = NAN;
            u[(size_t)j * n + i] = w[ix];
            v[(size_t)j * n + i] = w[iy];
        }
    hsize_t n1 = (hsize_t)n, n2[2] = {(hsize_t)n, (hsize_t)n};
    long plane[2] = {ix, iy};
    int rc = gd_h5_write(f, "/field/x", 1, &n1, ax);
    if (rc == GD_OK) rc = gd_h5_write(f, "/field/y", 1, &n1, ay);
    if (rc == GD_OK) rc = gd_h5_write(f, "/field/u", 2, n2, u);
    if (rc == GD_OK) rc = gd_h5_write(f, "/field/v", 2, n2, v);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/field", "ix", plane[0]);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/field", "iy", plane[1]);
    free(ax);
    return rc;
}

int gd_sim_write_model(gd_sim *s, gd_h5 *f)
{
    const gd_model *m = s->model;
    int dim = m->dim, rc = gd_h5_attr_string(f, "/model", "name", m->type->name);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/model", "dim", dim);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/model", "ngen", m->ngen);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/model", "integrator", s->stepper->type->name);
    double *buf = malloc(sizeof(double) * 2 * (size_t)dim);
    if (!buf) return GD_ENOMEM;
    hsize_t d1 = (hsize_t)dim, d2[2] = {(hsize_t)dim, 2};
    if (rc == GD_OK && s->eq_known) rc = gd_h5_write(f, "/model/equilibrium", 1, &d1, s->eq);
    if (rc == GD_OK && m->lo) {
        for (int i = 0; i < dim; i++) buf[2 * i] = m->lo[i], buf[2 * i + 1] = m->hi[i];
        rc = gd_h5_write(f, "/model/bounds", 2, d2, buf);
    }
    free(buf);
    if (rc == GD_OK && m->type->write) rc = m->type->write(m, f);
    return rc;
}

int gd_sim_open_output(gd_sim *s, const char *path, gd_h5 **f)
{
    int rc = gd_h5_create(path, f, s->msg);
    if (rc == GD_OK && (gd_h5_root_attrs(*f, s->command, s->config_text) != GD_OK || gd_sim_noise_attrs(s, *f) != GD_OK)) {
        gd_h5_abort(f);
        rc = gd_fmt(s->msg, GD_EIO, "cannot write attributes to '%s'", path);
    }
    return rc;
}

int gd_sim_finish_output(gd_sim *s, gd_h5 **f, int rc)
{
    if (!*f) return rc;
    if (rc == GD_OK) return gd_h5_commit(f, s->msg);
    gd_h5_abort(f);
    return rc;
}

int gd_sim_run(gd_sim *s, const char *path)
{
    if (!gd_sim_usable(s)) return GD_EUSAGE;
    if (!path) path = s->run->output;
    gd_h5 *f = NULL;
    gd_resume R = {0};
    double *starts = s->starts;
    int nstart = s->nstart, rc = s->run->resume[0] ? resume_load(s, &R) : GD_OK;
    if (rc == GD_OK && path[0]) rc = gd_sim_open_output(s, path, &f);
    if (rc != GD_OK) {
        resume_free(&R);
        return rc;
    }
    if (R.n) s->starts = R.x, s->nstart = R.n, s->resume = &R; /* the file's states are the starts, for this run only */
    double lo[2], hi[2];
    rc = gd_sim_integrate(s, f, lo, hi);
    if (f && rc == GD_OK && gd_sim_write_model(s, f) != GD_OK) rc = gd_fmt(s->msg, GD_EIO, "cannot write model data to '%s'", path);
    if (f && rc == GD_OK && s->model->dim >= 2 && s->run->field_n >= 2) {
        /* the field around the trajectories, at least the notebook's [-2, 2]^2 */
        for (int d = 0; d < 2; d++) lo[d] = fmin(-2.0, 1.1 * lo[d]), hi[d] = fmax(2.0, 1.1 * hi[d]);
        int iy = s->model->ngen < s->model->dim ? s->model->ngen : 1;
        if (gd_sim_write_field(s, f, 0, iy, lo, hi, (int)s->run->field_n, s->starts) != GD_OK)
            rc = gd_fmt(s->msg, GD_EIO, "cannot write model data to '%s'", path);
    }
    s->starts = starts, s->nstart = nstart, s->resume = NULL;
    resume_free(&R);
    return gd_sim_finish_output(s, &f, rc);
}

static entry *find_entry(const gd_sim *s, const char *key)
{
    const char *dot = strchr(key, '.');
    if (!dot) return NULL;
    for (int i = 0; i < s->ne; i++)
        if (strlen(s->e[i].section) == (size_t)(dot - key) && strncmp(s->e[i].section, key, (size_t)(dot - key)) == 0 &&
            strcmp(s->e[i].key, dot + 1) == 0)
            return &s->e[i];
    return NULL;
}

char *gd_sim_get_value(const gd_sim *s, const char *key)
{
    const entry *e = find_entry(s, key);
    return e ? strdup(e->value) : NULL;
}

int gd_sim_unset(gd_sim *s, const char *key)
{
    entry *e = find_entry(s, key);
    if (!e) return GD_OK;
    free(e->section), free(e->key), free(e->value);
    *e = s->e[--s->ne];
    s->ready = 0;
    return GD_OK;
}

gd_sim *gd_sim_clone(const gd_sim *base)
{
    gd_sim *s = gd_sim_create();
    if (!s) return NULL;
    for (int i = 0; i < base->ne; i++)
        if (store(s, base->e[i].section, base->e[i].key, base->e[i].value) != GD_OK) {
            gd_sim_free(&s);
            return NULL;
        }
    gd_sim_set_command(s, base->command);
    if (gd_sim_setup(s) != GD_OK) gd_sim_free(&s);
    return s;
}

gd_model *gd_sim_get_model(const gd_sim *s) { return gd_sim_usable(s) ? s->model : NULL; }
gd_stepper *gd_sim_get_stepper(const gd_sim *s) { return gd_sim_usable(s) ? s->stepper : NULL; }
const char *gd_sim_get_output(const gd_sim *s) { return gd_sim_usable(s) ? s->run->output : NULL; }
const double *gd_sim_get_equilibrium(const gd_sim *s) { return gd_sim_usable(s) && s->eq_known ? s->eq : NULL; }
const char *gd_sim_get_config_text(const gd_sim *s) { return gd_sim_usable(s) ? s->config_text : NULL; }
int gd_sim_get_ntraj(const gd_sim *s) { return gd_sim_usable(s) ? s->nres : GD_EUSAGE; }
static const traj_result *result(const gd_sim *s, int k) { return gd_sim_usable(s) && k >= 0 && k < s->nres ? &s->res[k] : NULL; }
const double *gd_sim_get_x0(const gd_sim *s, int k) { return result(s, k) ? s->res[k].x0 : NULL; }
const double *gd_sim_get_xfinal(const gd_sim *s, int k) { return result(s, k) ? s->res[k].xf : NULL; }
long gd_sim_get_steps(const gd_sim *s, int k) { return result(s, k) ? s->res[k].steps : -1; }
double gd_sim_get_tfinal(const gd_sim *s, int k) { return result(s, k) ? s->res[k].t : NAN; }
gd_outcome gd_sim_get_outcome(const gd_sim *s, int k) { return result(s, k) ? s->res[k].outcome : GD_OSCILLATE; }
gd_failure gd_sim_get_failure(const gd_sim *s, int k) { return result(s, k) ? s->res[k].failure : GD_FAIL_NONE; }
const char *gd_sim_get_failure_message(const gd_sim *s, int k) { return result(s, k) && s->res[k].failure_msg ? s->res[k].failure_msg : ""; }
long gd_sim_get_nfev(const gd_sim *s, int k) { return result(s, k) ? s->res[k].nfev : -1; }
long gd_sim_get_solver_steps(const gd_sim *s, int k) { return result(s, k) ? s->res[k].solver_steps : -1; }
double gd_sim_get_seconds(const gd_sim *s, int k) { return result(s, k) ? s->res[k].seconds : NAN; }
double gd_sim_get_rate(const gd_sim *s, int k) { return result(s, k) ? s->res[k].rate : NAN; }
