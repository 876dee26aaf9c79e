/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Public game and rule descriptions (<gandyn/game.h>) made into the library's method tables:
 * a gd_game becomes a gd_model_type whose hooks call the game's callbacks with the configured
 * option struct and the user's pointer, a gd_rule a fixed-step gd_integrator_type whose step
 * calls the rule with the model's field. What the descriptions point to is copied, so a
 * caller (a Python binding) may free its tables after registering.
 */
#include "gd_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The registered type: the method table first, so that a hook's m->type is the whole. */
typedef struct {
    gd_model_type type;
    gd_game g; /* the description, its pointers into the copies below */
    gd_param *params;
    char **batch;
    int nbatch;
    size_t *batch_offset; /* where each batch parameter sits in the option struct */
    double *lo, *hi;
} game_type;

typedef struct {
    gd_integrator_type type;
    gd_rule r;
    gd_param *params;
} rule_type;

static const gd_game *game_of(const gd_model *m) { return &((const game_type *)m->type)->g; }

/* ---------------------------------------------------------------- checks ------- */
/* NAME: letters, digits, '_' and '-' (it stands in INI files, --set and messages). */
static int bad_name(const char *name)
{
    if (!name || !name[0] || strlen(name) > 64) return 1;
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-') return 1;
    return 0;
}

static size_t param_bytes(gd_ptype t)
{
    switch (t) {
    case GD_P_DOUBLE: return sizeof(double);
    case GD_P_INT: return sizeof(long);
    case GD_P_ENUM: return sizeof(int);
    case GD_P_STRING: return sizeof(char *);
    }
    return 0;
}

/* One row of a key table: a name, a known type that fits the struct, choices for an enum. */
static int check_row(const gd_param *tab, const gd_param *p, size_t opts_size, const char *const *reserved, const char *owner, char *msg)
{
    if (bad_name(p->key)) return gd_fmt(msg, GD_EUSAGE, "%s: key '%s' is not a name (letters, digits, '_', '-')", owner, p->key);
    for (int i = 0; reserved[i]; i++)
        if (strcmp(p->key, reserved[i]) == 0) return gd_fmt(msg, GD_EUSAGE, "%s: key '%s' is reserved", owner, p->key);
    for (const gd_param *q = tab; q < p; q++)
        if (strcmp(q->key, p->key) == 0) return gd_fmt(msg, GD_EUSAGE, "%s: key '%s' appears twice", owner, p->key);
    size_t n = param_bytes(p->type);
    if (!n) return gd_fmt(msg, GD_EUSAGE, "%s: key '%s' has an unknown type %d", owner, p->key, (int)p->type);
    if (p->offset > opts_size || n > opts_size - p->offset)
        return gd_fmt(msg, GD_EUSAGE, "%s: key '%s' at offset %zu does not fit in opts_size = %zu", owner, p->key, p->offset, opts_size);
    if (!p->def) return gd_fmt(msg, GD_EUSAGE, "%s: key '%s' has no default (\"\" for none)", owner, p->key);
    if (p->type == GD_P_ENUM && (!p->choices || !p->choices[0])) return gd_fmt(msg, GD_EUSAGE, "%s: enum key '%s' has no choices", owner, p->key);
    return GD_OK;
}

static char *dup_or_empty(const char *s) { return strdup(s ? s : ""); }

static void free_table(gd_param *tab)
{
    for (gd_param *p = tab; p && p->key; p++) {
        free((char *)p->key), free((char *)p->def), free((char *)p->help);
        for (int i = 0; p->choices && p->choices[i]; i++) free((char *)p->choices[i]);
        free((void *)p->choices);
    }
    free(tab);
}

/* A deep copy of a checked table (always terminated; NULL only without memory). */
static gd_param *copy_table(const gd_param *tab)
{
    int n = 0;
    while (tab && tab[n].key) n++;
    gd_param *c = calloc((size_t)n + 1, sizeof *c);
    for (int i = 0; c && i < n; i++) {
        c[i] = tab[i];
        c[i].choices = NULL;
        int ok = (c[i].key = strdup(tab[i].key)) && (c[i].def = strdup(tab[i].def)) && (c[i].help = dup_or_empty(tab[i].help));
        int nc = 0;
        while (tab[i].type == GD_P_ENUM && tab[i].choices[nc]) nc++;
        char **ch = nc ? calloc((size_t)nc + 1, sizeof *ch) : NULL;
        for (int k = 0; ch && k < nc; k++) ok &= (ch[k] = strdup(tab[i].choices[k])) != NULL;
        c[i].choices = (const char *const *)ch;
        if (!ok || (nc && !ch)) {
            c[i + 1].key = NULL; /* free_table stops after this row */
            free_table(c);
            return NULL;
        }
    }
    return c;
}

/* Every row checked, then the defaults applied to a scratch struct: a default that fails its
 * own row would make every gd_model_create fail. */
static int check_table(const gd_param *tab, size_t opts_size, const char *const *reserved, const char *section, const char *owner, char *msg)
{
    int rc = GD_OK;
    for (const gd_param *p = tab; tab && p->key && rc == GD_OK; p++) rc = check_row(tab, p, opts_size, reserved, owner, msg);
    if (rc != GD_OK || !tab || !tab->key) return rc;
    void *scratch = calloc(1, opts_size);
    if (!scratch) return gd_fmt(msg, GD_ENOMEM, "out of memory");
    char why[GD_MSG_LEN];
    rc = gd_params_defaults(tab, scratch, section, why);
    if (rc != GD_OK) rc = gd_fmt(msg, GD_EUSAGE, "%s: a default fails its own check: %s", owner, why);
    for (const gd_param *p = tab; p->key; p++)
        if (p->type == GD_P_STRING) free(*(char **)((char *)scratch + p->offset));
    free(scratch);
    return rc;
}

static int check_game(const gd_game *g, char *msg)
{
    static const char *const reserved[] = {"name", "plugin", NULL};
    if (!g) return gd_fmt(msg, GD_EUSAGE, "gd_model_register: a NULL game");
    if (g->abi_version != GD_ABI_VERSION)
        return gd_fmt(msg, GD_EUSAGE, "a game built for gandyn ABI %d, this library has ABI %d: rebuild it against this gandyn's headers", g->abi_version,
                      GD_ABI_VERSION);
    if (bad_name(g->name)) return gd_fmt(msg, GD_EUSAGE, "game name '%s' is not a name (letters, digits, '_', '-')", g->name ? g->name : "(NULL)");
    if (!g->field) return gd_fmt(msg, GD_EUSAGE, "model '%s': no field callback", g->name);
    if (g->dim < 1 || g->dim > GD_MAX_STATE) return gd_fmt(msg, GD_EUSAGE, "model '%s': dim = %d (must be >= 1)", g->name, g->dim);
    if (g->ngen < 0 || g->ngen > g->dim) return gd_fmt(msg, GD_EUSAGE, "model '%s': ngen = %d is outside 0..dim = %d", g->name, g->ngen, g->dim);
    if (!g->lo != !g->hi) return gd_fmt(msg, GD_EUSAGE, "model '%s': a box needs both lo and hi", g->name);
    for (int i = 0; g->lo && i < g->dim; i++)
        if (!(g->lo[i] <= g->hi[i])) return gd_fmt(msg, GD_EUSAGE, "model '%s': box lo[%d] = %g > hi[%d] = %g", g->name, i, g->lo[i], i, g->hi[i]);
    if (g->params && g->params->key && !g->opts_size) return gd_fmt(msg, GD_EUSAGE, "model '%s': keys but opts_size = 0", g->name);
    char owner[96];
    snprintf(owner, sizeof owner, "model '%s'", g->name);
    int rc = check_table(g->params, g->opts_size, reserved, "model", owner, msg);
    for (int j = 0; rc == GD_OK && g->batch_params && g->batch_params[j]; j++) {
        const gd_param *p = gd_param_find(g->params, g->batch_params[j]);
        if (!p || p->type != GD_P_DOUBLE) rc = gd_fmt(msg, GD_EUSAGE, "model '%s': batch parameter '%s' is not a double key of its table", g->name, g->batch_params[j]);
    }
    if (rc == GD_OK && g->batch_params && g->batch_params[0] && !g->field_batch)
        rc = gd_fmt(msg, GD_EUSAGE, "model '%s': batch parameters without a batched field", g->name);
    if (rc == GD_OK && g->step_batch && !g->field_batch)
        rc = gd_fmt(msg, GD_EUSAGE, "model '%s': step_batch without field_batch (the stages it does not take need the field)", g->name);
    return rc;
}

/* ---------------------------------------------------------------- model hooks -- */
/* "(x0, x1, x2, x3, ...)" for messages. */
static void state_text(int dim, const double *x, char *out, size_t n)
{
    size_t used = (size_t)snprintf(out, n, "(");
    for (int i = 0; i < dim && i < 4 && used < n; i++) used += (size_t)snprintf(out + used, n - used, "%s%.6g", i ? ", " : "", x[i]);
    if (used < n) snprintf(out + used, n - used, "%s)", dim > 4 ? ", ..." : "");
}

/* A callback's failure on the workspace: > 0 recoverable, < 0 fatal (ws->failure). The
 * message does not name the model: the callers who report it do (gd_eval, cvode). */
static int failed(const gd_model *m, gd_model_ws *ws, const char *what, int rc, const double *x)
{
    char at[128];
    state_text(m->dim, x, at, sizeof at);
    ws->failure = rc > 0 ? 1 : -1;
    return gd_ws_fail(ws, GD_ESOLVER, "the %s callback returned %d (%s) at x = %s", what, rc, rc > 0 ? "recoverable" : "fatal", at);
}

static int game_field(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *v)
{
    (void)mode;
    const gd_game *g = game_of(m);
    int rc = g->field(m->dim, x, v, m->opts, g->user_data);
    return rc ? failed(m, ws, "field", rc, x) : GD_OK;
}

static int game_jacobian(const gd_model *m, gd_model_ws *ws, int mode, const double *x, double *J)
{
    (void)mode;
    const gd_game *g = game_of(m);
    int rc = g->jacobian(m->dim, x, J, m->opts, g->user_data);
    return rc ? failed(m, ws, "jacobian", rc, x) : GD_OK;
}

static int game_jvp(const gd_model *m, gd_model_ws *ws, int mode, const double *x, const double *w, double *Jw)
{
    (void)mode;
    const gd_game *g = game_of(m);
    int rc = g->jvp(m->dim, x, w, Jw, m->opts, g->user_data);
    return rc ? failed(m, ws, "jvp", rc, x) : GD_OK;
}

static int game_equilibrium(const gd_model *m, gd_model_ws *ws, double *x)
{
    const gd_game *g = game_of(m);
    int rc = g->equilibrium(m->dim, x, m->opts, g->user_data);
    if (rc == GD_ENOTAVAIL) return gd_ws_fail(ws, GD_ENOTAVAIL, "model '%s' knows no equilibrium for this configuration", m->type->name);
    if (rc) return gd_ws_fail(ws, GD_ESOLVER, "model '%s': the equilibrium callback returned %d", m->type->name, rc);
    return GD_OK;
}

static void game_project(const gd_model *m, double *x)
{
    const gd_game *g = game_of(m);
    g->project(m->dim, x, m->opts, g->user_data);
}

/* No workspace here (a pure function by contract): a failure is its code, GD_ENOTAVAIL kept. */
static int batch_code(int rc) { return rc == 0 ? GD_OK : rc == GD_ENOTAVAIL ? GD_ENOTAVAIL : GD_ESOLVER; }

/* The per-cell parameters a game's batched callbacks get: *p, or without per-cell values (*p
 * NULL) the configured ones in every cell (in own, or allocated: *q to free), so that a game
 * needs no NULL test (numba cannot make one). */
enum { OWN_PARAMS = 1024 };
static int cell_params(const gd_model *m, int n, const double **p, double own[OWN_PARAMS], double **q)
{
    const game_type *t = (const game_type *)m->type;
    *q = NULL;
    if (*p || t->nbatch == 0) return GD_OK;
    size_t need = (size_t)n * (size_t)t->nbatch;
    double *c = need <= OWN_PARAMS ? own : (*q = malloc(sizeof(double) * need));
    if (!c) return GD_ENOMEM;
    for (int j = 0; j < t->nbatch; j++) {
        double value = *(const double *)((const char *)m->opts + t->batch_offset[j]);
        for (int i = 0; i < n; i++) c[(size_t)j * n + i] = value;
    }
    *p = c;
    return GD_OK;
}

static int game_field_batch(const gd_model *m, int n, const double *p, const double *x, double *v)
{
    const gd_game *g = game_of(m);
    double own[OWN_PARAMS], *q;
    int rc = cell_params(m, n, &p, own, &q);
    if (rc == GD_OK) rc = batch_code(g->field_batch(n, m->dim, p, x, v, m->opts, g->user_data));
    free(q);
    return rc;
}

/* A plain stage, out = P(base + a H F(at)) on rows [i0, i1), through the game's step_batch;
 * a stage with a history, a running sum, a buffer or adaptive moments is field then update. */
static int game_stage_batch(const gd_model *m, int n, const double *p, const double *at, const gd_stage *st, const double *hg,
                            const double *hd, const double *frozen, int i0, int i1)
{
    const gd_game *g = game_of(m);
    if (st->w || st->acc || st->mom || st->ada) return GD_ENOTAVAIL;
    /* the box as the game gets it: never NULL (a game's loop reads it unconditionally) */
    enum { OWN_BOX = 64 };
    double box[2 * OWN_BOX], *unbounded = NULL;
    const double *lo = m->lo, *hi = m->hi;
    int clip = 0;
    for (int k = 0; m->lo && k < m->dim; k++) clip |= m->lo[k] > -INFINITY || m->hi[k] < INFINITY;
    if (!m->lo) {
        double *inf = m->dim <= OWN_BOX ? box : (unbounded = malloc(sizeof(double) * 2 * (size_t)m->dim));
        if (!inf) return GD_ENOMEM;
        for (int k = 0; k < m->dim; k++) inf[k] = -INFINITY, inf[m->dim + k] = INFINITY;
        lo = inf, hi = inf + m->dim;
    }
    const gd_game_update u = {st->out, st->base, st->a, hg, hd, frozen, lo, hi, clip, m->ngen, i0, i1};
    double own[OWN_PARAMS], *q;
    int rc = cell_params(m, n, &p, own, &q);
    if (rc == GD_OK) rc = batch_code(g->step_batch(n, m->dim, p, at, &u, m->opts, g->user_data));
    free(q);
    free(unbounded);
    return rc;
}

static void game_cleanup(gd_model *m)
{
    const gd_game *g = game_of(m);
    if (m->priv && g->cleanup) g->cleanup(m->opts, g->user_data);
}

/* The box, for the configured dim (a setup callback may have changed it). */
static int set_box(gd_model *m)
{
    const game_type *t = (const game_type *)m->type;
    if (!t->lo) return GD_OK;
    if (m->dim != t->g.dim)
        return gd_model_fail(m, GD_EUSAGE, "model '%s': its box has %d entries, its setup made dim = %d", m->type->name, t->g.dim, m->dim);
    m->lo = malloc(sizeof(double) * (size_t)m->dim);
    m->hi = malloc(sizeof(double) * (size_t)m->dim);
    if (!m->lo || !m->hi) return gd_model_fail(m, GD_ENOMEM, "out of memory");
    memcpy(m->lo, t->lo, sizeof(double) * (size_t)m->dim);
    memcpy(m->hi, t->hi, sizeof(double) * (size_t)m->dim);
    return GD_OK;
}

/* n values that a callback gave at x: all finite, or a one-line refusal naming the first. */
static int finite_or_fail(gd_model *m, const char *what, const char *where, int n, const double *y, const double *x)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(y[i])) {
            char at[128];
            state_text(m->dim, x, at, sizeof at);
            return gd_model_fail(m, GD_EUSAGE, "model '%s': the %s callback gave %s[%d] = %g at %s x = %s", m->type->name, what, what[0] == 'f' ? "v" : "J", i,
                                 y[i], where, at);
        }
    return GD_OK;
}

/* One evaluation of every callback the analyses rely on, at the equilibrium (else at the
 * default start), so that a broken game is refused with its reason when it is configured
 * instead of failing somewhere inside a run. */
static int probe(gd_model *m)
{
    const gd_game *g = game_of(m);
    size_t n = (size_t)m->dim;
    if (gd_check_dense(m->msg, g->jacobian ? m->dim : 1, 1, "the Jacobian of a registered game") != GD_OK) return GD_ENOMEM;
    double *x = malloc(sizeof(double) * 2 * n), *J = g->jacobian ? malloc(sizeof(double) * n * n) : NULL, *v = x + n;
    const char *where = "the equilibrium";
    int rc = !x || (g->jacobian && !J) ? gd_model_fail(m, GD_ENOMEM, "out of memory") : GD_OK;
    int eq = rc == GD_OK && g->equilibrium ? g->equilibrium(m->dim, x, m->opts, g->user_data) : GD_ENOTAVAIL;
    if (rc == GD_OK && eq != GD_OK && eq != GD_ENOTAVAIL) rc = gd_model_fail(m, GD_EUSAGE, "model '%s': the equilibrium callback returned %d", m->type->name, eq);
    if (rc == GD_OK && eq == GD_OK) rc = finite_or_fail(m, "equilibrium", "its", m->dim, x, x);
    if (rc == GD_OK && eq != GD_OK) {
        where = "the default start";
        for (size_t i = 0; i < n; i++) x[i] = 1;
    }
    int cb = rc == GD_OK ? g->field(m->dim, x, v, m->opts, g->user_data) : 0;
    if (cb) rc = gd_model_fail(m, GD_EUSAGE, "model '%s': the field callback returned %d at %s", m->type->name, cb, where);
    if (rc == GD_OK) rc = finite_or_fail(m, "field", where, m->dim, v, x);
    cb = rc == GD_OK && J ? g->jacobian(m->dim, x, J, m->opts, g->user_data) : 0;
    if (cb) rc = gd_model_fail(m, GD_EUSAGE, "model '%s': the jacobian callback returned %d at %s", m->type->name, cb, where);
    if (rc == GD_OK && J) rc = finite_or_fail(m, "jacobian", where, m->dim * m->dim, J, x);
    free(x), free(J);
    return rc;
}

static int game_setup(gd_model *m)
{
    const gd_game *g = game_of(m);
    char why[GD_ERRMSG_LEN] = "";
    m->dim = g->dim, m->ngen = g->ngen;
    if (g->setup) {
        int rc = g->setup(m->opts, &m->dim, &m->ngen, why, g->user_data);
        m->priv = (void *)g; /* cleanup is owed from here on */
        why[sizeof why - 1] = '\0';
        if (rc) return gd_model_fail(m, GD_EUSAGE, "model '%s': %s", m->type->name, why[0] ? why : "its setup callback refused the configuration");
        if (m->dim < 1 || m->ngen < 0 || m->ngen > m->dim)
            return gd_model_fail(m, GD_EUSAGE, "model '%s': setup made dim = %d, ngen = %d (need dim >= 1, 0 <= ngen <= dim)", m->type->name, m->dim, m->ngen);
        int st = gd_check_state(m->msg, m->dim, "the state of a registered game", "its keys");
        if (st != GD_OK) return st;
    }
    int rc = set_box(m);
    return rc == GD_OK ? probe(m) : rc;
}

/* ---------------------------------------------------------------- games -------- */
void gd_game_type_free(gd_model_type *t)
{
    game_type *gt = (game_type *)t;
    if (!gt) return;
    free((char *)gt->type.name), free((char *)gt->type.summary);
    free_table(gt->params);
    for (int j = 0; gt->batch && gt->batch[j]; j++) free(gt->batch[j]);
    free(gt->batch), free(gt->batch_offset), free(gt->lo), free(gt->hi);
    free(gt);
}

/* The copies the type owns: name, summary, key table, batch names, box. */
static int copy_game(game_type *t, const gd_game *g)
{
    int nb = 0, ok = 1;
    while (g->batch_params && g->batch_params[nb]) nb++;
    t->type.name = strdup(g->name);
    t->type.summary = dup_or_empty(g->summary);
    t->params = copy_table(g->params);
    t->batch = nb ? calloc((size_t)nb + 1, sizeof(char *)) : NULL;
    t->batch_offset = nb ? malloc(sizeof(size_t) * (size_t)nb) : NULL;
    t->nbatch = nb;
    for (int j = 0; t->batch && j < nb; j++) ok &= (t->batch[j] = strdup(g->batch_params[j])) != NULL;
    for (int j = 0; t->batch_offset && t->params && j < nb; j++) /* check_game found each a double key of the table */
        t->batch_offset[j] = gd_param_find(t->params, g->batch_params[j])->offset;
    if (g->lo) {
        size_t bytes = sizeof(double) * (size_t)g->dim;
        if ((t->lo = malloc(bytes)) && (t->hi = malloc(bytes))) memcpy(t->lo, g->lo, bytes), memcpy(t->hi, g->hi, bytes);
        else ok = 0;
    }
    return ok && t->type.name && t->type.summary && t->params && (!nb || (t->batch && t->batch_offset));
}

int gd_game_type_create(const gd_game *g, gd_model_type **out, char *msg)
{
    char own[GD_MSG_LEN];
    if (!msg) msg = own;
    *out = NULL;
    int rc = check_game(g, msg);
    if (rc != GD_OK) return rc;
    game_type *t = calloc(1, sizeof *t);
    if (!t) return gd_fmt(msg, GD_ENOMEM, "out of memory");
    if (!copy_game(t, g)) {
        gd_game_type_free(&t->type);
        return gd_fmt(msg, GD_ENOMEM, "out of memory");
    }
    t->g = *g;
    t->g.name = t->type.name, t->g.summary = t->type.summary, t->g.params = t->params;
    t->g.batch_params = (const char *const *)t->batch, t->g.lo = t->lo, t->g.hi = t->hi;
    gd_model_type *ty = &t->type;
    ty->params = t->params;
    ty->opts_size = g->opts_size;
    ty->setup = game_setup;
    ty->cleanup = game_cleanup;
    ty->field = game_field;
    ty->jacobian = g->jacobian ? game_jacobian : NULL;
    ty->jvp = g->jvp ? game_jvp : NULL;
    ty->equilibrium = g->equilibrium ? game_equilibrium : NULL;
    ty->project = g->project ? game_project : NULL;
    ty->field_batch = g->field_batch ? game_field_batch : NULL;
    ty->stage_batch = g->step_batch ? game_stage_batch : NULL;
    ty->batch_params = (const char *const *)t->batch;
    ty->serial = (g->flags & GD_GAME_SERIAL) != 0;
    ty->plugin = gd_registry_loading();
    *out = ty;
    return GD_OK;
}

int gd_model_register(const gd_game *game, char *msg)
{
    gd_registry_builtins();
    return gd_game_register(game, NULL, msg);
}

/* ---------------------------------------------------------------- rules -------- */
static const gd_rule *rule_of(const gd_stepper *s) { return &((const rule_type *)s->type)->r; }

/* The model's field and Jacobian for a rule: through the stepper, counted, failures recorded. */
static int rule_field(void *ctx, const double *x, double *v) { return gd_stepper_field(ctx, x, v); }
static int rule_jacobian(void *ctx, const double *x, double *J)
{
    gd_stepper *s = ctx;
    int rc = gd_stepper_jacobian(s, x, J);
    if (rc != GD_OK) gd_stepper_fail(s, rc, "model '%s': %s", s->model->type->name, s->ws->msg);
    return rc;
}

static void rule_rates(const gd_stepper *s, double *hg, double *hd)
{
    *hg = isnan(s->o.lr_g) ? s->o.h : s->o.lr_g;
    *hd = isnan(s->o.lr_d) ? s->o.h : s->o.lr_d;
}

/* A failure of the rule itself (not of the field, which gd_eval has recorded). */
static int rule_failed(gd_stepper *s, const char *what, int rc)
{
    if (s->failure != GD_FAIL_NONE) return rc < 0 ? rc : GD_ESOLVER;
    s->failure = GD_FAIL_OTHER;
    return gd_stepper_fail(s, GD_ESOLVER, "integrator '%s': the %s callback returned %d", s->type->name, what, rc);
}

static int rule_step(gd_stepper *s, double *x, double *t)
{
    (void)t; /* gd_stepper_step advances the time of a fixed-step rule */
    const gd_rule *r = rule_of(s);
    double hg, hd;
    rule_rates(s, &hg, &hd);
    s->failure = GD_FAIL_NONE;
    int rc = r->step(s->dim, s->ngen, hg, hd, x, rule_field, s, s->opts, r->user_data);
    if (rc) return rule_failed(s, "step", rc);
    gd_model_project(s->model, x);
    return GD_OK;
}

static int rule_map_jacobian(gd_stepper *s, const double *x, double *M)
{
    const gd_rule *r = rule_of(s);
    double hg, hd;
    rule_rates(s, &hg, &hd);
    s->failure = GD_FAIL_NONE;
    int rc = r->map_jacobian(s->dim, s->ngen, hg, hd, x, M, rule_field, rule_jacobian, s, s->opts, r->user_data);
    return rc ? rule_failed(s, "map_jacobian", rc) : GD_OK;
}

void gd_rule_type_free(gd_integrator_type *t)
{
    rule_type *rt = (rule_type *)t;
    if (!rt) return;
    free((char *)rt->type.name), free((char *)rt->type.summary);
    free_table(rt->params);
    free(rt);
}

/* Keys of a rule: none of the shared ones, none that another rule already has (the
 * configuration text lists each integrator key once, read by its first rule). */
static int check_rule_keys(const gd_rule *r, char *msg)
{
    static const char *const reserved[] = {"name", "diverge_radius", NULL};
    char owner[96];
    snprintf(owner, sizeof owner, "integrator '%s'", r->name);
    int rc = check_table(r->params, r->opts_size, reserved, "integrator", owner, msg);
    for (const gd_param *p = r->params; rc == GD_OK && p && p->key; p++) {
        const gd_param *q;
        const gd_integrator_type *other = gd_integrator_key_owner(p->key, &q);
        if (p->type == GD_P_STRING) /* steppers copy their option structs shallowly */
            rc = gd_fmt(msg, GD_EUSAGE, "integrator '%s': key '%s' is a string (rules take numbers and choices)", r->name, p->key);
        else if (gd_param_find(gd_integrator_shared_params(), p->key))
            rc = gd_fmt(msg, GD_EUSAGE, "integrator '%s': key '%s' is one of the shared integrator keys", r->name, p->key);
        else if (other) rc = gd_fmt(msg, GD_EUSAGE, "integrator '%s': key '%s' is integrator '%s''s already (take another name)", r->name, p->key, other->name);
    }
    return rc;
}

int gd_rule_type_create(const gd_rule *r, gd_integrator_type **out, char *msg)
{
    *out = NULL;
    if (!r) return gd_fmt(msg, GD_EUSAGE, "gd_integrator_register: a NULL rule");
    if (r->abi_version != GD_ABI_VERSION)
        return gd_fmt(msg, GD_EUSAGE, "a rule built for gandyn ABI %d, this library has ABI %d: rebuild it against this gandyn's headers", r->abi_version,
                      GD_ABI_VERSION);
    if (bad_name(r->name)) return gd_fmt(msg, GD_EUSAGE, "rule name '%s' is not a name (letters, digits, '_', '-')", r->name ? r->name : "(NULL)");
    if (!r->step) return gd_fmt(msg, GD_EUSAGE, "integrator '%s': no step callback", r->name);
    if (r->order < 1) return gd_fmt(msg, GD_EUSAGE, "integrator '%s': order = %d (must be >= 1)", r->name, r->order);
    if (r->params && r->params->key && !r->opts_size) return gd_fmt(msg, GD_EUSAGE, "integrator '%s': keys but opts_size = 0", r->name);
    int rc = check_rule_keys(r, msg);
    if (rc != GD_OK) return rc;
    rule_type *t = calloc(1, sizeof *t);
    if (!t) return gd_fmt(msg, GD_ENOMEM, "out of memory");
    if (!(t->type.name = strdup(r->name)) || !(t->type.summary = dup_or_empty(r->summary)) || !(t->params = copy_table(r->params))) {
        gd_rule_type_free(&t->type);
        return gd_fmt(msg, GD_ENOMEM, "out of memory");
    }
    t->r = *r;
    t->r.name = t->type.name, t->r.summary = t->type.summary, t->r.params = t->params;
    gd_integrator_type *ty = &t->type;
    ty->order = r->order;
    ty->fixed_step = 1;
    ty->params = t->params;
    ty->opts_size = r->opts_size;
    ty->step = rule_step;
    ty->map_jacobian = r->map_jacobian ? rule_map_jacobian : NULL;
    ty->serial = (r->flags & GD_GAME_SERIAL) != 0;
    ty->plugin = gd_registry_loading();
    *out = ty;
    return GD_OK;
}

int gd_integrator_register(const gd_rule *rule, char *msg)
{
    char own[GD_MSG_LEN];
    if (!msg) msg = own;
    gd_registry_builtins();
    gd_integrator_type *t;
    int rc = gd_rule_type_create(rule, &t, msg);
    if (rc != GD_OK) return rc;
    if ((rc = gd_registry_add_integrator(t, msg)) != GD_OK) gd_rule_type_free(t);
    return rc;
}
