/* SPDX-License-Identifier: BSD-3-Clause
 *
 * The gandyn command line as a library call: every command's argument parsing, run, text and
 * --json output and error line, implemented once. The CLI (src/cli.c) is main() over
 * gd_command; bindings (the Python package, python/gandyn) call gd_command_capture and parse the
 * --json text it returns, so that a script and the CLI cannot disagree on a number or a field.
 */
#ifndef GANDYN_COMMAND_H
#define GANDYN_COMMAND_H

#include "gandyn.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GD_COMMAND_MSG 1024 /* bytes of a command's error line (msg below) */

typedef struct gd_command_io {
    FILE *out;    /* what the CLI prints on stdout: the text or --json result; NULL: discarded */
    FILE *err;    /* warnings, sweep progress, and the error line "gandyn: ..." when msg is NULL; NULL: discarded */
    char *msg;    /* NULL, or GD_COMMAND_MSG bytes for the error line (without "gandyn: ") instead of err */
    int code;     /* set by the call: GD_OK, or the GD_* code behind a non-zero status (GD_EUSAGE for
                   * command-line errors; a missing config file is one) */
    int progress; /* 1: sweeps report progress on err (a redrawn bar when err is a terminal, else a
                   * line every 5 s) */
    int signals;  /* 1: SIGINT and SIGTERM stop a running sweep after its blocks in progress (status 1,
                   * "rerun with --resume"); the previous handlers are back when gd_command returns */
    void *user;   /* passed to the hooks */
    /* Optional: compute a sweep's cells in several processes (the CLI's MPI ranks). Called with the
     * created sweep before it runs, part = 1 for --cells. GD_ENOTAVAIL: run it here as usual. Else
     * the sweep's code, with *writer = 1 in the process that writes the file and prints (the others
     * return 0 or 1 and print nothing); on GD_EUSAGE, its reason in msg (GD_COMMAND_MSG bytes). */
    int (*sweep_runner)(void *user, gd_sweep *w, int part, int *writer, char *msg);
    /* Optional: run the script NAME of plots/ (gandyn_plot.py for plot, gallery.py for gallery)
     * with these arguments, returning the exit status (the CLI execs an interpreter). NULL: those
     * two commands fail with status 2. */
    int (*script)(void *user, const char *name, int argc, const char *const *argv);
} gd_command_io;

/* Run one command line, argv[0] the program's name and argv[1] the command ("run", "eig", ...,
 * "--help", "--version"), as `gandyn` does: returns its exit status (0; 2 usage or configuration
 * error; 1 failed run: files, solver). io (NULL: GD_EUSAGE's status 2) says where the text goes. */
GD_EXPORT int gd_command(int argc, const char *const *argv, gd_command_io *io);

/* For bindings: gd_command with what it prints captured in memory, no progress lines, no signal
 * handlers unless flags has GD_COMMAND_SIGNALS. *out and *err (either pointer may be NULL:
 * discarded) receive NUL-terminated copies to release with gd_free; msg (NULL, or GD_COMMAND_MSG
 * bytes) the error line, which then is not in *err; *code (may be NULL) the GD_* code. */
#define GD_COMMAND_SIGNALS 1u
GD_EXPORT int gd_command_capture(int argc, const char *const *argv, unsigned flags, char **out, char **err, char *msg, int *code);
/* Release what gd_command_capture returned (NULL: nothing). */
GD_EXPORT void gd_free(void *p);

#ifdef __cplusplus
}
#endif
#endif /* GANDYN_COMMAND_H */
