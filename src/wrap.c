/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The wrappers of every fixed-step rule (docs/optimizers.md), in the order they act:
 *  - [modifier] changes the field every rule sees, F~ = F - gamma J^T F (consensus) or
 *    F + lambda A F with A = (J - J^T)/2 (SGA), at the lane's field (so inside alternating
 *    sub-steps and lookahead cycles too), with the model's Jacobian (central differences of
 *    the field where the model has none);
 *  - the rule itself;
 *  - [lookahead] runs k base steps from slow weights x_s, then x_s <- x_s + alpha (x - x_s)
 *    and the fast weights restart there, with the base rule's own state kept (maintain) or
 *    restarted (reset).
 * Lookahead is written against the lane, so a batched sweep stays batched. The modifier needs
 * each state's Jacobian: the model's on a stepper, differences of the batched field on a block
 * of sweep cells (src/lane_batch.c; states of up to GD_MODIFIER_BATCH_DIM coordinates).
 */
#include "gd_impl.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define O(f) offsetof(gd_wrap_opts, f)
static const char *const la_states[] = {"maintain", "reset", NULL};
static const char *const mod_names[] = {"none", "consensus", "sga", NULL};
static const char *const bools[] = {"false", "true", NULL};
static const gd_param lookahead_params[] = {
    {"k", GD_P_INT, O(k), "0", "base steps per lookahead cycle (0: lookahead off)", 0, 1e9, 0, NULL},
    {"alpha", GD_P_DOUBLE, O(alpha), "0.5", "slow-weight step: x_s += alpha (x_fast - x_s) at the end of a cycle", 0, 1, GD_PF_LO_OPEN, NULL},
    {"state", GD_P_ENUM, O(state), "maintain", "the base rule's state at a cycle's end: maintain (kept) | reset (restarted)", 0, 0, 0, la_states},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
static const gd_param modifier_params[] = {
    {"name", GD_P_ENUM, O(mod), "none", "the field the rules see: none | consensus (F - gamma J^T F) | sga (F + lambda A F, A = (J - J^T)/2)", 0, 0, 0,
     mod_names},
    {"gamma", GD_P_DOUBLE, O(gamma), "0.1", "consensus weight", 0, INFINITY, 0, NULL},
    {"lambda", GD_P_DOUBLE, O(lambda), "1.0", "SGA weight (any sign)", -INFINITY, INFINITY, 0, NULL},
    {"align", GD_P_ENUM, O(align), "false", "SGA sign alignment: lambda * sign(<F, J^T F> <A F, J^T F> / dim + 0.1)", 0, 0, 0, bools},
    {NULL, 0, 0, NULL, NULL, 0, 0, 0, NULL}};
#undef O

const gd_param *gd_wrap_params(const char *section)
{
    if (!section) return NULL;
    return !strcmp(section, "lookahead") ? lookahead_params : !strcmp(section, "modifier") ? modifier_params : NULL;
}

const gd_param *gd_wrap_param(const char *key, const char **section)
{
    static const char *const names[] = {"lookahead", "modifier"};
    for (int i = 0; i < 2; i++) {
        size_t n = strlen(names[i]);
        if (!strncmp(key, names[i], n) && key[n] == '.') {
            *section = names[i];
            return gd_param_find(gd_wrap_params(names[i]), key + n + 1);
        }
    }
    return NULL;
}

int gd_wrap_setup(gd_stepper *s)
{
    const gd_wrap_opts *o = &s->wrap;
    if ((o->k > 0 || o->mod != GD_MOD_NONE) && !s->type->fixed_step)
        return gd_stepper_fail(s, GD_EUSAGE, "%s%s needs a fixed-step rule; %s is not one", o->k > 0 ? "lookahead" : "modifier",
                               o->k > 0 && o->mod ? " (and modifier)" : "", s->type->name);
    if (o->mod == GD_MOD_NONE) return GD_OK;
    size_t n = (size_t)s->dim;
    if (gd_check_dense(s->msg, (long)n, 3, "modifier: the field's Jacobian per evaluation") != GD_OK) return GD_ENOMEM;
    if (!(s->wrap_ws = malloc(sizeof(double) * (3 * n * n + 3 * n + 1)))) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    return GD_OK;
}

/* ---------------------------------------------------------------- modifier ----- */
/* Every loop runs over the n states innermost, so a block of sweep cells vectorises. */
void gd_modifier_combine(const gd_wrap_opts *o, int d, int n, const double *Jc, double *v, double *scratch)
{
    const size_t N = (size_t)n;
    double *jtf = scratch, *af = scratch + (size_t)d * N, *lam = af + (size_t)d * N;
    for (size_t r = 0; r < (size_t)d; r++) { /* (J^T F)_r = sum_k J_kr F_k, (J F)_r = sum_k J_rk F_k */
        double *t = jtf + r * N, *a = af + r * N;
        for (size_t i = 0; i < N; i++) t[i] = a[i] = 0;
        for (size_t k = 0; k < (size_t)d; k++) {
            const double *vk = v + k * N, *Jkr = Jc + (r * (size_t)d + k) * N, *Jrk = Jc + (k * (size_t)d + r) * N;
            for (size_t i = 0; i < N; i++) t[i] += Jkr[i] * vk[i], a[i] += Jrk[i] * vk[i];
        }
    }
    const size_t all = (size_t)d * N;
    if (o->mod == GD_MOD_CONSENSUS) {
        for (size_t e = 0; e < all; e++) v[e] -= o->gamma * jtf[e];
        return;
    }
    for (size_t e = 0; e < all; e++) af[e] = 0.5 * (af[e] - jtf[e]); /* A F = (J F - J^T F) / 2 */
    for (size_t i = 0; i < N; i++) lam[i] = o->lambda;
    if (o->align) {
        for (size_t i = 0; i < N; i++) {
            double fj = 0, aj = 0;
            for (size_t r = 0; r < (size_t)d; r++) fj += v[r * N + i] * jtf[r * N + i], aj += af[r * N + i] * jtf[r * N + i];
            if (fj * aj / d + 0.1 < 0) lam[i] = -lam[i];
        }
    }
    for (size_t r = 0; r < (size_t)d; r++)
        for (size_t i = 0; i < N; i++) v[r * N + i] += lam[i] * af[r * N + i];
}

int gd_modifier_apply(gd_stepper *s, const double *x, double *v)
{
    const gd_wrap_opts *o = &s->wrap;
    if (o->mod == GD_MOD_NONE) return GD_OK;
    const int n = s->dim;
    const size_t nn = (size_t)n * (size_t)n;
    double *J = s->wrap_ws, *Jc = J + nn;
    int rc = gd_model_jacobian_ws(s->model, s->ws, x, J);
    if (rc != GD_OK) return gd_stepper_fail(s, rc, "modifier: model '%s': %s", s->model->type->name, s->ws->msg);
    for (int r = 0; r < n; r++) /* column by column, as a block of one cell */
        for (int k = 0; k < n; k++) Jc[(size_t)k * n + r] = J[(size_t)r * n + k];
    gd_modifier_combine(o, n, 1, Jc, v, Jc + nn);
    return GD_OK;
}

/* At a fixed point F = 0, so D(F~) = J - gamma J^T J (consensus) or J + lambda A J (SGA; the
 * alignment's sign is + there: its product is O(|x|^4) and the 0.1 decides). */
int gd_modifier_jacobian(gd_stepper *s, double *J)
{
    const gd_wrap_opts *o = &s->wrap;
    if (o->mod == GD_MOD_NONE) return GD_OK;
    const int n = s->dim;
    const size_t nn = (size_t)n * (size_t)n;
    double *L = s->wrap_ws, *P = L + nn;
    for (int i = 0; i < n; i++) /* L = -gamma J^T or lambda A */
        for (int j = 0; j < n; j++)
            L[(size_t)i * n + j] = o->mod == GD_MOD_CONSENSUS ? -o->gamma * J[(size_t)j * n + i] : 0.5 * o->lambda * (J[(size_t)i * n + j] - J[(size_t)j * n + i]);
    gd_matmul(n, L, J, P);
    for (size_t e = 0; e < nn; e++) J[e] += P[e];
    return GD_OK;
}

int gd_stepper_jacobian(gd_stepper *s, const double *x, double *J)
{
    int rc = gd_model_jacobian_ws(s->model, s->ws, x, J);
    return rc == GD_OK ? gd_modifier_jacobian(s, J) : rc;
}

int gd_stepper_field(gd_stepper *s, const double *x, double *v)
{
    int rc = gd_eval(s, x, v);
    return rc == GD_OK ? gd_modifier_apply(s, x, v) : rc;
}

/* ---------------------------------------------------------------- lookahead ---- */
void gd_lookahead_start(gd_lane *L, const double *x)
{
    L->cycle = 0;
    if (L->slow) memcpy(L->slow, x, sizeof(double) * (size_t)L->dim * (size_t)L->n);
}

/* (1 - alpha) x_s + alpha x rather than x_s + alpha (x - x_s): alpha = 1 gives x exactly, so
 * k = 1, alpha = 1 is the base rule to the bit. */
int gd_lookahead_sync(gd_lane *L, double *x, const double *frozen)
{
    if (!L->slow || ++L->cycle < L->wrap->k) return 0;
    L->cycle = 0;
    const double a = L->wrap->alpha, b = 1 - a;
    const size_t n = (size_t)L->n;
    for (size_t r = 0; r < (size_t)L->dim; r++) {
        double *xs = L->slow + r * n, *xf = x + r * n;
        for (size_t i = 0; i < n; i++) {
            if (frozen && frozen[i] != 0) continue;
            xf[i] = xs[i] = b * xs[i] + a * xf[i];
        }
    }
    return L->wrap->state == GD_LA_RESET;
}

int gd_lane_start(const gd_integrator_type *t, gd_lane *L, double *x)
{
    L->iter = 0;
    gd_lookahead_start(L, x);
    return t->lane_reset ? t->lane_reset(L, x) : GD_OK;
}

int gd_lane_advance(const gd_integrator_type *t, gd_lane *L, double *x, const double *frozen)
{
    gd_lane_step_begin(L); /* one base step of the noise counter */
    int rc = t->advance(L, x);
    gd_lane_step_end(L);
    if (rc != GD_OK || !gd_lookahead_sync(L, x, frozen)) return rc;
    L->iter = 0; /* reset: the base rule starts again from the new slow weights */
    return t->lane_reset ? t->lane_reset(L, x) : GD_OK;
}

long gd_stepper_map_steps(const gd_stepper *s) { return s->wrap.k > 0 ? s->wrap.k : 1; }

int gd_lookahead_map_jacobian(gd_stepper *s, const double *B, double *M)
{
    const int n = s->dim, nb = n * (1 + s->type->history), nm = s->wrap.state == GD_LA_RESET ? n : nb;
    const size_t NB = (size_t)nb * (size_t)nb;
    double *P = malloc(sizeof(double) * 3 * NB), *Q = P ? P + NB : NULL, *T = P ? Q + NB : NULL;
    if (!P) return gd_stepper_fail(s, GD_ENOMEM, "out of memory");
    memcpy(P, B, sizeof(double) * NB); /* P = B^k by repeated squaring: Q runs through B^(2^j) */
    memcpy(Q, B, sizeof(double) * NB);
    for (long e = s->wrap.k - 1; e > 0; e >>= 1) {
        if (e & 1) gd_matmul(nb, P, Q, T), memcpy(P, T, sizeof(double) * NB);
        if (e > 1) gd_matmul(nb, Q, Q, T), memcpy(Q, T, sizeof(double) * NB);
    }
    const double a = s->wrap.alpha;
    for (int i = 0; i < nm; i++)
        for (int j = 0; j < nm; j++) {
            double p = P[(size_t)i * nb + j];
            M[(size_t)i * nm + j] = i < n ? (i == j) * (1 - a) + a * p : p;
        }
    free(P);
    return GD_OK;
}
