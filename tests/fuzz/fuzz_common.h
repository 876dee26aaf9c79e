/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Shared by the libFuzzer harnesses: a per-process scratch file for inputs that the
 * library reads from a path, and the property every error must have (one non-empty line).
 */
#ifndef GD_FUZZ_COMMON_H
#define GD_FUZZ_COMMON_H

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A path in memory (/dev/shm) unique to this process, so parallel jobs do not collide. */
static inline const char *fuzz_path(const char *tag, const char *ext)
{
    static char path[4][128];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 128, "/dev/shm/gandyn_fuzz_%s_%ld%s", tag, (long)getpid(), ext);
    return p;
}

static inline void fuzz_write(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "fuzz: cannot write scratch file %s\n", path);
        abort();
    }
}

/* A failure must say why in one line: an empty or multi-line message is a finding. */
static inline void fuzz_check_message(int rc, const char *msg, const char *where)
{
    if (rc == 0) return;
    if (!msg || !msg[0] || strchr(msg, '\n')) {
        fprintf(stderr, "fuzz: %s failed (rc %d) with a bad message: [%s]\n", where, rc, msg ? msg : "(null)");
        abort();
    }
}

/* libhdf5 keeps the records of its last error until its next call, so an input that ends on
 * an error would seem to leak them into the next: libFuzzer then checks for a leak, finds
 * none and stops checking after each input. Cleared here, they are freed within the input. */
static inline void fuzz_clear_h5_errors(void) { H5Eclear2(H5E_DEFAULT); }

/* Sizes the inputs ask for are refused beyond this budget instead of exhausting the
 * fuzzer's RSS limit (gd_check_memory reads it). */
#define FUZZ_MEMORY_MB 256
static inline void fuzz_limit_memory(void)
{
    char mb[16];
    snprintf(mb, sizeof mb, "%d", FUZZ_MEMORY_MB);
    setenv("GANDYN_MEMORY_MB", mb, 1);
}

#endif
