/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Private layout of gd_sim, shared by the run (sim.c) and the analyses (analysis.c,
 * rate.c, portrait.c).
 */
#ifndef GD_SIM_IMPL_H
#define GD_SIM_IMPL_H

#include "gd_impl.h"

typedef struct { char *section, *key, *value; } entry;

/* A fixed section of the configuration: its keys, defined next to the analysis that reads
 * them ([run] sim.c, [sweep] sweep.c, [rate] rate.c, [portrait] portrait.c), and its option
 * struct of size bytes, which the sim allocates at create and keeps in the pointer member at
 * offset. Config files, --set, defaults, `gandyn list` and the written configuration
 * iterate the sections (sim.c). */
typedef struct {
    const char *name;
    const gd_param *params;
    size_t size, offset;
} gd_section;
extern const gd_section gd_section_run, gd_section_sweep, gd_section_rate, gd_section_portrait, gd_section_noise, gd_section_continuation,
    gd_section_lyapunov, gd_section_attractor, gd_section_critical;

typedef struct {
    char *x0;
    long save_every, field_n;
    char *output;
    int save_coords; /* 0 all, 1 generator */
    int save_opt;    /* GD_SAVE_OPT_*: the optimizer's state in /traj/<k>/opt */
    char *resume;    /* a run file to continue (empty: none) */
} run_opts;
enum { GD_SAVE_OPT_NONE, GD_SAVE_OPT_FINAL, GD_SAVE_OPT_ALL };

/* What a run continues from (run.resume): per trajectory the state, the rule's history
 * (history x dim) and its iteration count, from the file's last saved row. */
typedef struct {
    int n;
    double *x, *hist;
    long *step;
} gd_resume;
/* After the stepper's reset: the history and iteration count trajectory k of s->resume
 * continues from (none when s->resume is NULL), and its time into *t. A run continuing a file;
 * the exponents of a sweep cell continuing its orbit (src/sweep.c). */
void gd_sim_resume_apply(gd_sim *s, int k, double *t);

/* [sweep] (keys in sweep.c); its outcome keys (converge_tol, diverge_radius) are every
 * trajectory's, so the run and the rate read them too. */
typedef struct {
    char *x, *y;
    double converge_tol, diverge_radius, rate_tol, grow_factor, noise_factor;
    int kernel; /* 0 auto, 1 cell */
    long adaptive_steps;
    int measure; /* 0 the whole state, 1 the generator's coordinates */
    long attractor; /* 0 none, 1 the tail tests, 2 and the full classes of the cells they leave */
    long tail;      /* states kept per cell for the attractor fields */
} sweep_opts;

/* One trajectory's squared distances to x* as its outcome reads them (src/outcome.c): initial,
 * final, the maxima over (N/4, N/2], (3N/4, N] and (7N/8, N], the sum over (3N/4, N], the last
 * one above GD_TINY, the first escape past grow_at (every 4th step), the divergence step; the
 * rounding floor at x* and the escape threshold (gd_grow_threshold) fixed at the start. */
typedef struct { double d0, dN, m1, m2, dl; long kl, N, div_at; double dg; long kg; double s2, m2b, floor, grow_at; } gd_track;
/* The squared distance to x* that is rounding, not a displacement: a start within it starts at x*. */
double gd_track_floor(int nm, const double *eq);
/* A trajectory of N iterations from squared distance d0 to x* (eq, its first nm coordinates
 * measured; NULL: none, floor 0), escaping past s's sweep.grow_factor. */
void gd_track_start(gd_track *tr, const gd_sim *s, double d0, long N, int nm, const double *eq);
/* After iteration k (1..N) at squared distance d. */
void gd_track_step(gd_track *tr, long k, double d);
/* The observed outcome and (rate_out, may be NULL) the per-iteration contraction. */
gd_outcome gd_track_outcome(const gd_sim *s, const gd_track *tr, double sigma_pred, double *rate_out);

typedef struct rate_opts rate_opts;         /* rate.c */
typedef struct portrait_opts portrait_opts; /* portrait.c */
typedef struct continuation_opts continuation_opts; /* continuation.c */
typedef struct lyapunov_opts lyapunov_opts; /* lyapunov.c */
typedef struct attractor_opts attractor_opts; /* attractor.c */
typedef struct critical_opts critical_opts; /* critical.c */

typedef struct {
    double *x0, *xf;
    long steps;
    double t;
    gd_outcome outcome;
    double rate;             /* the measured per-iteration contraction (NaN without an x*) */
    gd_failure failure;      /* why the trajectory stopped early (GD_FAIL_NONE: it did not) */
    char *failure_msg;       /* the solver's line, NULL when none */
    long nfev, solver_steps; /* the stepper's counters for this trajectory */
    double seconds;          /* wall time of the integration, output writes included */
} traj_result;

struct gd_sim {
    entry *e;
    int ne, cap;
    gd_model *model;
    gd_stepper *stepper;
    run_opts *run;          /* the sections' options (gd_section) */
    sweep_opts *sweep;
    rate_opts *rate;
    portrait_opts *portrait;
    continuation_opts *continuation;
    gd_noise_opts *noise;   /* [noise] (src/noise.c) */
    lyapunov_opts *lyapunov;
    attractor_opts *attractor;
    critical_opts *critical;
    double *starts; /* nstart * dim */
    double *eq;     /* the model's equilibrium, when eq_known */
    int eq_known;
    int nstart;
    traj_result *res;
    int nres;
    const gd_resume *resume; /* set by gd_sim_run while it continues a file */
    char *config_text, *command;
    int ready;
    char msg[GD_MSG_LEN];
};


/* integrator.KEY (a double) as configured, whichever rule reads it (NaN: no such key). */
double gd_sim_integrator_double(const gd_sim *s, const char *key);
/* The entry check of the functions taking a sim (gd_impl.h, gd_model_usable). */
int gd_sim_usable(const gd_sim *s);
/* One zeroed allocation holding a result's arrays (n doubles) and then nchars bytes of text
 * at *text: the block the result's free function releases. NULL when out of memory. */
double *gd_result_alloc(size_t n, size_t nchars, char **text);
/* Free a result's block and zero the result r (size bytes). */
void gd_result_release(void *r, size_t size, void *block);
/* Read INI text as gd_sim_load reads a file; messages name the lines name:LINE. */
int gd_sim_load_text(gd_sim *s, const char *text, const char *name);
/* A new, set-up sim with the same configuration (NULL when out of memory). */
gd_sim *gd_sim_clone(const gd_sim *base);
/* Raw text of section.key as given (caller frees), or NULL if not given. */
char *gd_sim_get_value(const gd_sim *s, const char *key);
int gd_sim_unset(gd_sim *s, const char *key);
/* Along KEY from lo to hi (n values): set the key, set the sim up, call fn; then restore the
 * configuration. Stops at the first error (fn's or the setup's, with the key in s->msg). */
typedef int (*gd_scan_fn)(gd_sim *s, long i, double value, void *user);
int gd_sim_scan_each(gd_sim *s, const char *key, double lo, double hi, long n, int logscale, gd_scan_fn fn, void *user);
/* The full Lyapunov spectrum of the configured rule from the first start with these settings in
 * place of [lyapunov]'s (20 batches, QR every iteration or time unit): the attractor classes. */
int gd_lyapunov_full(gd_sim *s, double transient, long steps, double tol, gd_lyapunov_result *out);
/* The attractor classes (attractor.c) of S samples z (S x the map's state: gd_stepper_map_dim,
 * the state then the rule's history) a sweep cell kept of its orbit under st, with cfg's
 * [attractor] options; st's lane.iter is the iteration count of the last sample (adam's bias
 * correction), as gd_sim_attractor leaves it after its samples. sim NULL: the tail tests alone
 * (fixed, periodic by returns, stall; else undetermined). sim: also centroid seeding and the
 * exponents, run on sim (its stepper st, set up for the cell; its first start the first sample,
 * and sim->resume its history and iteration count). eq: x* for the amplitude and rotation, or
 * NULL. out->steps: the exponents' iterations. */
int gd_attractor_of_samples(gd_sim *sim, const gd_sim *cfg, gd_stepper *st, const double *eq, const double *z, long S, gd_attractor_result *out,
                            char *msg);
/* A sweep cell of a flow (cvode): gd_sim_attractor's flow classes from s's first start with no
 * transient and `samples` samples every attractor.dt; exponents 0: what the fixed, periodic and
 * stall tests leave is undetermined; keep: NULL, or room for the samples (samples x dim), which
 * a basin sweep matches cycles by. */
int gd_attractor_of_flow(gd_sim *s, long samples, int exponents, gd_attractor_result *out, double *keep);
/* gd_sim_attractor, also filling pts (m x the model dimension) with the last m samples of the
 * kept run (NaN after a divergence): the orbit diagram of `critical --classes`. */
int gd_sim_attractor_sampled(gd_sim *s, gd_attractor_result *out, int m, double *pts);
/* Building blocks of output files (sim.c), shared by run and portrait. */
typedef struct gd_h5 gd_h5;
int gd_sim_open_output(gd_sim *s, const char *path, gd_h5 **f); /* file + root attributes */
int gd_sim_finish_output(gd_sim *s, gd_h5 **f, int rc);         /* commit if rc == GD_OK, else remove */
/* Integrate every start (s->starts) into f (NULL: no file); lo/hi get the box of the
 * first generator and first discriminator coordinates. */
int gd_sim_integrate(gd_sim *s, gd_h5 *f, double *lo, double *hi);
int gd_sim_write_model(gd_sim *s, gd_h5 *f);
/* With gradient noise (noise.sigma > 0): the root attributes noise_rng, noise_layout and
 * noise_seed that say how its draws were made (src/noise.c); nothing otherwise. */
int gd_sim_noise_attrs(const gd_sim *s, gd_h5 *f);
/* The field in the plane (ix, iy) on an n x n grid over [lo, hi], other coordinates at base. */
int gd_sim_write_field(gd_sim *s, gd_h5 *f, int ix, int iy, const double *lo, const double *hi, int n, const double *base);

#endif
