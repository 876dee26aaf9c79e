/* SPDX-License-Identifier: BSD-3-Clause
 *
 * libFuzzer harness for the configuration: the input is an INI file, then (after the first
 * NUL byte) NUL-separated "section.key=value" items applied as --set would. gd_sim_load,
 * gd_sim_set and gd_sim_setup must either succeed or fail with one clear line; a
 * configuration that sets up must round-trip: its resolved text, loaded again, sets up to
 * the same text. gd_sim_setup runs no simulation (it sets up the model and the integrator and
 * looks for the equilibrium): most inputs cost well under a millisecond, and the few whose
 * sizes would cost seconds are parsed but not set up (too_costly).
 */
#include "fuzz_common.h"

#include <gandyn.h>
#include <math.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_limit_memory();
    /* A file an input names does not exist here, so no read can crash libhdf5, and the
     * rehearsal's fork (10-40 ms) would only slow the harness down. */
    setenv("GANDYN_H5_REHEARSE", "0", 1);
    return 0;
}

/* Each "key=value" item after the INI text, as gd_sim_set; stops at the first refusal. */
static int apply_sets(gd_sim *s, const char *p, const char *end)
{
    while (p < end) {
        size_t n = strnlen(p, (size_t)(end - p));
        char *item = strndup(p, n), *eq = strchr(item, '=');
        int rc = 0;
        if (eq) {
            *eq = '\0';
            rc = gd_sim_set(s, item, eq + 1);
            fuzz_check_message(rc, gd_sim_errmsg(s), "gd_sim_set");
        }
        free(item);
        if (rc) return rc;
        p += n + 1;
    }
    return 0;
}

/* Inputs whose setup would cost seconds here (instrumented code runs ~20x slower than a
 * release build) are loaded and their items applied, but not set up: an input must cost
 * milliseconds, and one of a minute is a libFuzzer timeout that fails CI. Measured: a torus
 * grid of M^(n_gen + n_disc) nodes (M = 1024: 34 s; M = 12 in six angles: 16 s), its rexp
 * quadrature nodes per grid node (400 at M = 512: 42 s), a particles mesh (mesh_n = 2048:
 * 38 s), a particle cloud, whose equilibrium descent takes at least 100 steps of O(N^2)
 * (n_random = 300: 15 s; 20 000: 15 min; a listed cloud counts one particle per ';'). Under
 * the caps a setup costs at most about 2 s: a descent that does not converge stops at its
 * budget of ~1e7 kernel terms. Keys match in any section, as "key = value" lines and
 * "section.key=value" items; absent ones take the models' defaults. */
enum { K_M, K_NGEN, K_NDISC, K_QUAD, K_MESH, K_NRANDOM, K_COUNT };

static void scan_item(const char *p, const char *end, double *v)
{
    static const char *const keys[K_COUNT] = {"M", "n_gen", "n_disc", "quad_nodes", "mesh_n", "n_random"};
    const char *eq = memchr(p, '=', (size_t)(end - p)), *k = p, *ke = eq;
    if (!eq) return;
    for (const char *c = p; c < eq; c++)
        if (*c == '.') k = c + 1;
    while (k < ke && (*k == ' ' || *k == '\t')) k++;
    while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t')) ke--;
    char value[64];
    snprintf(value, sizeof value, "%.*s", (int)(end - eq - 1 < 63 ? end - eq - 1 : 63), eq + 1);
    for (int i = 0; i < K_COUNT; i++)
        if ((size_t)(ke - k) == strlen(keys[i]) && memcmp(k, keys[i], (size_t)(ke - k)) == 0) v[i] = strtod(value, NULL);
}

static int too_costly(const char *in, size_t size)
{
    double v[K_COUNT] = {64, 1, 1, 64, 128, 0};
    int points = 0;
    for (const char *p = in, *end = in + size; p < end;) {
        const char *e = p;
        while (e < end && *e != '\n' && *e != '\0') points += *e++ == ';';
        scan_item(p, e, v);
        p = e + 1;
    }
    return pow(v[K_M], v[K_NGEN] + v[K_NDISC]) > 65536 || v[K_QUAD] > 64 || v[K_MESH] > 256 || v[K_NRANDOM] > 128 || points > 64;
}

static void round_trip(const char *text)
{
    const char *path = fuzz_path("config_rt", ".ini");
    fuzz_write(path, text, strlen(text));
    gd_sim *s = gd_sim_create();
    int rc = gd_sim_load(s, path);
    if (rc == 0) rc = gd_sim_setup(s);
    if (rc != 0 || strcmp(text, gd_sim_get_config_text(s)) != 0) {
        fprintf(stderr, "fuzz: the resolved configuration does not round-trip (rc %d: %s)\n--- first\n%s\n--- second\n%s\n", rc, gd_sim_errmsg(s), text,
                rc == 0 ? gd_sim_get_config_text(s) : "");
        abort();
    }
    gd_sim_free(&s);
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data, *end = in + size;
    size_t ini = strnlen(in, size);
    const char *path = fuzz_path("config", ".ini");
    fuzz_write(path, data, ini);
    gd_sim *s = gd_sim_create();
    int rc = gd_sim_load(s, path);
    fuzz_check_message(rc, gd_sim_errmsg(s), "gd_sim_load");
    if (rc == 0 && ini < size) rc = apply_sets(s, in + ini + 1, end);
    if (rc == 0 && too_costly(in, size)) rc = -1; /* parsed, not set up */
    if (rc == 0) {
        rc = gd_sim_setup(s);
        fuzz_check_message(rc, gd_sim_errmsg(s), "gd_sim_setup");
    }
    char *text = rc == 0 ? strdup(gd_sim_get_config_text(s)) : NULL;
    gd_sim_free(&s);
    unlink(path);
    if (text) round_trip(text);
    free(text);
    fuzz_clear_h5_errors();
    return 0;
}
