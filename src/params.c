/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Typed option tables. Every key of a model or integrator is one gd_param row; this
 * file is the only place that turns text into option values, so config files, --set,
 * the C setters and `gandyn list` cannot disagree.
 */
#include "gd_impl.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int gd_fmt(char *msg, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, GD_MSG_LEN, fmt, ap);
    va_end(ap);
    /* messages quote user text: keep them one printable line */
    for (char *c = msg; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    return code;
}

/* Allocations a configuration asks for are refused up front beyond this budget: 80 % of
 * physical memory, or GANDYN_MEMORY_MB when set (shared nodes, fuzzing). */
double gd_memory_budget(void)
{
    const char *env = getenv("GANDYN_MEMORY_MB");
    char *end;
    double mb = env ? strtod(env, &end) : 0;
    if (env && end != env && mb > 0) return mb * 1048576.0;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? 0.8 * (double)pages * (double)page : INFINITY;
}

int gd_check_memory(char *msg, double bytes, const char *what)
{
    double have = gd_memory_budget();
    if (bytes <= have) return GD_OK;
    return gd_fmt(msg, GD_ENOMEM, "%s needs %.3g GiB; the memory budget is %.3g GiB (80%% of RAM, or GANDYN_MEMORY_MB)", what, bytes / 1073741824.0,
                  have / 1073741824.0);
}

int gd_check_state(char *msg, double coords, const char *what, const char *hint)
{
    if (coords > GD_MAX_STATE)
        return gd_fmt(msg, GD_ENOMEM, "%s: %.3g coordinates; at most %.0e (%s)", what, coords, GD_MAX_STATE, hint);
    return gd_check_memory(msg, 8.0 * 16 * coords, what); /* the state, the solver's vectors, scratch */
}

int gd_check_dense(char *msg, long n, double copies, const char *what)
{
    char w[256];
    snprintf(w, sizeof w, "%s (%s%ld x %ld dense matrix)", what, copies > 1 ? "more than one " : "a ", n, n);
    return gd_check_memory(msg, copies * 8.0 * (double)n * (double)n, w);
}

void gd_strbuf_add(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (*len + (size_t)n + 1 > *cap) {
        size_t nc = (*cap ? *cap * 2 : 256);
        while (nc < *len + (size_t)n + 1) nc *= 2;
        char *nb = realloc(*buf, nc);
        if (!nb) return; /* keep what we have; callers only lose text */
        *buf = nb;
        *cap = nc;
    }
    va_start(ap, fmt);
    vsnprintf(*buf + *len, *cap - *len, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
}

const gd_param *gd_param_find(const gd_param *tab, const char *key)
{
    for (const gd_param *p = tab; p && p->key; p++)
        if (strcmp(p->key, key) == 0) return p;
    return NULL;
}

void gd_choices_join(const char *const *choices, char *out, size_t n)
{
    out[0] = '\0';
    size_t used = 0;
    for (int i = 0; choices && choices[i]; i++) {
        int w = snprintf(out + used, n - used, "%s%s", i ? " | " : "", choices[i]);
        if (w < 0 || (size_t)w >= n - used) return;
        used += (size_t)w;
    }
}

/* Strict number parsing: the whole text, finite. */
static int parse_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    while (*end == ' ' || *end == '\t') end++;
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

static int range_ok(const gd_param *p, double v)
{
    if ((p->flags & GD_PF_LO_OPEN) ? !(v > p->lo) : !(v >= p->lo)) return 0;
    if ((p->flags & GD_PF_HI_OPEN) ? !(v < p->hi) : !(v <= p->hi)) return 0;
    return 1;
}

static void range_text(const gd_param *p, char *out, size_t n)
{
    char lo[32] = "", hi[32] = "";
    if (isfinite(p->lo)) snprintf(lo, sizeof lo, "%s %g", (p->flags & GD_PF_LO_OPEN) ? ">" : ">=", p->lo);
    if (isfinite(p->hi)) snprintf(hi, sizeof hi, "%s %g", (p->flags & GD_PF_HI_OPEN) ? "<" : "<=", p->hi);
    snprintf(out, n, "%s%s%s", lo, (lo[0] && hi[0]) ? " and " : "", hi);
}

int gd_param_apply(const gd_param *p, void *obj, const char *text, const char *owner, char *msg)
{
    char *field = (char *)obj + p->offset;
    if (p->type != GD_P_STRING && text[0] == '\0') {
        if (!(p->flags & GD_PF_EMPTY))
            return gd_fmt(msg, GD_EUSAGE, "%s.%s: empty value (%s)", owner, p->key, p->help);
        if (p->type == GD_P_DOUBLE) *(double *)field = NAN; /* NaN marks "derive it" */
        return GD_OK;
    }
    switch (p->type) {
    case GD_P_DOUBLE:
    case GD_P_INT: {
        double v;
        char range[80];
        if (parse_double(text, &v) != 0)
            return gd_fmt(msg, GD_EUSAGE, "%s.%s = '%s' is not a finite number", owner, p->key, text);
        if (p->type == GD_P_INT && v != floor(v))
            return gd_fmt(msg, GD_EUSAGE, "%s.%s = '%s' is not an integer", owner, p->key, text);
        if (!range_ok(p, v)) {
            range_text(p, range, sizeof range);
            return gd_fmt(msg, GD_EUSAGE, "%s.%s = %s is out of range (must be %s)", owner, p->key, text, range);
        }
        if (p->type == GD_P_DOUBLE) *(double *)field = v;
        else *(long *)field = (long)v;
        return GD_OK;
    }
    case GD_P_ENUM:
        for (int i = 0; p->choices[i]; i++)
            if (strcmp(p->choices[i], text) == 0) {
                *(int *)field = i;
                return GD_OK;
            }
        {
            char list[256];
            gd_choices_join(p->choices, list, sizeof list);
            return gd_fmt(msg, GD_EUSAGE, "%s.%s = '%s' is not one of: %s", owner, p->key, text, list);
        }
    case GD_P_STRING: {
        char *copy = strdup(text);
        if (!copy) return gd_fmt(msg, GD_ENOMEM, "out of memory");
        free(*(char **)field);
        *(char **)field = copy;
        return GD_OK;
    }
    }
    return gd_fmt(msg, GD_EUSAGE, "%s.%s: bad parameter type", owner, p->key);
}

int gd_parse_vectors(const char *text, int dim, double **out, int *count, const char *what, char *msg)
{
    double *v = NULL;
    int n = 0, cap = 0;
    const char *p = text;
    *out = NULL, *count = 0;
    while (*p) {
        if (n == cap) {
            cap = cap ? 2 * cap : 4;
            double *nv = realloc(v, sizeof(double) * (size_t)cap * (size_t)dim);
            if (!nv) {
                free(v);
                return gd_fmt(msg, GD_ENOMEM, "out of memory");
            }
            v = nv;
        }
        double *x = v + (size_t)n * (size_t)dim;
        int i = 0;
        for (;;) {
            char *end;
            errno = 0;
            double d = strtod(p, &end);
            while (*end == ' ' || *end == '\t') end++;
            if (end == p || errno == ERANGE || !isfinite(d) || (*end && *end != ',' && *end != ';')) {
                free(v);
                return gd_fmt(msg, GD_EUSAGE, "%s = '%s': entry %d is not a list of finite numbers", what, text, n + 1);
            }
            if (i < dim) x[i] = d;
            i++;
            p = end;
            if (*p != ',') break;
            p++;
        }
        if (i != dim) {
            free(v);
            return gd_fmt(msg, GD_EUSAGE, "%s: entry %d has %d values, expected %d", what, n + 1, i, dim);
        }
        n++;
        if (*p == ';') p++;
    }
    *out = v, *count = n;
    return GD_OK;
}

int gd_param_apply_double(const gd_param *p, void *obj, double v, const char *owner, char *msg)
{
    char text[64];
    if (p->type != GD_P_DOUBLE || !isfinite(v) || !range_ok(p, v)) { /* the text path words the error */
        snprintf(text, sizeof text, "%.17g", v);
        return gd_param_apply(p, obj, text, owner, msg);
    }
    *(double *)((char *)obj + p->offset) = v;
    return GD_OK;
}

int gd_params_defaults(const gd_param *tab, void *obj, const char *owner, char *msg)
{
    for (const gd_param *p = tab; p && p->key; p++) {
        int rc = gd_param_apply(p, obj, p->def, owner, msg);
        if (rc != GD_OK) return rc;
    }
    return GD_OK;
}

void gd_param_format(const gd_param *p, const void *obj, char **buf, size_t *len, size_t *cap)
{
    const char *field = (const char *)obj + p->offset;
    switch (p->type) {
    case GD_P_DOUBLE: {
        double v = *(const double *)field;
        if (isnan(v)) gd_strbuf_add(buf, len, cap, "%s =\n", p->key);
        else gd_strbuf_add(buf, len, cap, "%s = %.17g\n", p->key, v);
        break;
    }
    case GD_P_INT: gd_strbuf_add(buf, len, cap, "%s = %ld\n", p->key, *(const long *)field); break;
    case GD_P_ENUM: gd_strbuf_add(buf, len, cap, "%s = %s\n", p->key, p->choices[*(const int *)field]); break;
    case GD_P_STRING: {
        const char *s = *(char *const *)field;
        gd_strbuf_add(buf, len, cap, "%s = %s\n", p->key, s ? s : "");
        break;
    }
    }
}

void gd_params_format(const gd_param *tab, const void *obj, char **buf, size_t *len, size_t *cap)
{
    for (const gd_param *p = tab; p && p->key; p++) gd_param_format(p, obj, buf, len, cap);
}

const char *gd_strerror(int code)
{
    switch (code) {
    case GD_OK: return "ok";
    case GD_DIVERGED: return "diverged";
    case GD_EUSAGE: return "usage or configuration error";
    case GD_EIO: return "input/output error";
    case GD_ESOLVER: return "solver failure";
    case GD_ENOMEM: return "out of memory";
    case GD_ENOTAVAIL: return "not available for this model";
    case GD_SECTION: return "section crossing";
    case GD_ECANCELED: return "canceled";
    default: return "unknown error";
    }
}

const char *gd_failure_name(gd_failure f)
{
    static const char *const names[GD_FAIL_COUNT] = {"none", "non_finite", "CV_TOO_MUCH_WORK", "CV_TOO_MUCH_ACC", "CV_ERR_FAILURE",
                                                     "CV_CONV_FAILURE", "CV_LINEAR_FAILURE", "RHS_FAILURE", "CHATTERING", "SOLVER_FAILURE"};
    return f >= GD_FAIL_NONE && f < GD_FAIL_COUNT ? names[f] : "unknown";
}

const char *gd_outcome_name(gd_outcome o)
{
    static const char *const names[] = {"converge", "oscillate", "diverge"};
    return (o >= GD_CONVERGE && o <= GD_DIVERGE) ? names[o] : "unknown";
}
