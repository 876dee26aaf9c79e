/* SPDX-License-Identifier: BSD-3-Clause
 *
 * libFuzzer harness for the configuration: the input is an INI file, then (after the first
 * NUL byte) NUL-separated "section.key=value" items applied as --set would. gd_sim_load,
 * gd_sim_set and gd_sim_setup must either succeed or fail with one clear line; a
 * configuration that sets up must round-trip: its resolved text, loaded again, sets up to
 * the same text.
 */
#include "fuzz_common.h"

#include <gandyn.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_limit_memory();
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
    if (rc == 0) {
        rc = gd_sim_setup(s);
        fuzz_check_message(rc, gd_sim_errmsg(s), "gd_sim_setup");
    }
    char *text = rc == 0 ? strdup(gd_sim_get_config_text(s)) : NULL;
    gd_sim_free(&s);
    unlink(path);
    if (text) round_trip(text);
    free(text);
    return 0;
}
