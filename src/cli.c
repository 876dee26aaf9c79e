/* SPDX-License-Identifier: BSD-3-Clause
 *
 * gandyn: the command line. Every command lives in the library (src/command.c, gd_command),
 * which the Python package calls too; this file adds what belongs to a process: stdout and
 * stderr, signals, MPI ranks for sweeps, and exec'ing the plot scripts.
 * Exit status 0 success, 2 usage/configuration error, 1 failed run (I/O, solver).
 */
#include "gandyn.h"
#include "gandyn/command.h"
#include "gandyn_paths.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef GANDYN_MPI
#include <mpi.h>
#endif

/* The plot scripts need numpy, h5py and matplotlib: $GANDYN_PYTHON, else the interpreter
 * found at configure time, else python3 on PATH. SCRIPT runs with ARGS in place of this
 * process; it finds this binary in $GANDYN. Returns only on failure. */
static int exec_script(void *user, const char *name, int argc, const char *const *argv)
{
    (void)user;
    const char *py = getenv("GANDYN_PYTHON");
    if (!py || !py[0]) py = GANDYN_PYTHON_DEFAULT;
    const char *dir = getenv("GANDYN_PLOTS_DIR");
    struct stat sb;
    if (!dir || !dir[0]) dir = stat(GANDYN_SOURCE_PLOTS "/gandyn_plot.py", &sb) == 0 ? GANDYN_SOURCE_PLOTS : GANDYN_INSTALL_PLOTS;
    char script[4096], self[4096];
    snprintf(script, sizeof script, "%s/%s", dir, name);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0 && !getenv("GANDYN")) self[n] = '\0', setenv("GANDYN", self, 1);
    char **args = calloc((size_t)argc + 3, sizeof *args);
    if (!args) {
        fprintf(stderr, "gandyn: out of memory\n");
        return 1;
    }
    args[0] = (char *)py;
    args[1] = script;
    for (int i = 0; i < argc; i++) args[i + 2] = (char *)argv[i];
    fflush(NULL);
    execvp(py, args);
    int e = errno;
    free(args);
    fprintf(stderr, "gandyn: cannot run '%s': %s (set GANDYN_PYTHON to a python3 with numpy, h5py, matplotlib)\n", py, strerror(e));
    return 1;
}

#ifdef GANDYN_MPI
/* A basin sweep's labels and attractor tables, after the records: each rank's cells [lo, hi)
 * as gd_sweep_export_basin packs them (a length of -1: not there), into rank 0's sweep. */
static int gather_basin(gd_sweep *w, int rank, int size, const long *lo, const long *hi)
{
    size_t len = 0;
    int rc = gd_sweep_export_basin(w, lo[rank], hi[rank], NULL, &len);
    double *mine = rc == GD_OK ? malloc(sizeof(double) * (len ? len : 1)) : NULL;
    if (mine) gd_sweep_export_basin(w, lo[rank], hi[rank], mine, &len);
    long long have = mine && len < (size_t)INT_MAX ? (long long)len : -1, *lens = rank == 0 ? malloc(sizeof(long long) * (size_t)size) : NULL;
    int *cnt = rank == 0 ? malloc(sizeof(int) * 2 * (size_t)size) : NULL, *disp = cnt ? cnt + size : NULL;
    int err = rank == 0 && (!lens || !cnt);
    long long total = 0;
    MPI_Gather(&have, 1, MPI_LONG_LONG, lens, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
    for (int r = 0; rank == 0 && !err && r < size; r++) {
        cnt[r] = lens[r] > 0 ? (int)lens[r] : 0, disp[r] = (int)total;
        total += cnt[r];
        err = total >= INT_MAX;
    }
    double *every = rank == 0 && !err ? malloc(sizeof(double) * (size_t)(total ? total : 1)) : NULL;
    err = err || (rank == 0 && !every);
    MPI_Bcast(&err, 1, MPI_INT, 0, MPI_COMM_WORLD); /* every rank takes part in the Gatherv, or none */
    if (!err) MPI_Gatherv(mine, have > 0 ? (int)have : 0, MPI_DOUBLE, every, cnt, disp, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    rc = GD_OK;
    for (int r = 1; rank == 0 && r < size && rc == GD_OK; r++)
        rc = gd_sweep_import_basin(w, lo[r], hi[r], err || lens[r] < 0 ? NULL : every + disp[r], err || lens[r] < 0 ? 0 : (size_t)lens[r]);
    free(mine), free(lens), free(cnt), free(every);
    return rc;
}

/* Each rank computes a contiguous range of whole blocks; rank 0 gathers the records.
 * Cells depend only on their index, so the file equals a serial run's. */
static int sweep_mpi(gd_sweep *w, int rank, int size)
{
    long nb = (gd_sweep_ncells(w) + gd_sweep_block_size() - 1) / gd_sweep_block_size(), n = gd_sweep_ncells(w);
    long *lo = malloc(sizeof(long) * 2 * (size_t)size), *hi = lo ? lo + size : NULL;
    int *cnt = malloc(sizeof(int) * 2 * (size_t)size), *disp = cnt ? cnt + size : NULL;
    size_t rec = gd_sweep_record_size();
    if (!lo || !cnt) return GD_ENOMEM;
    for (int r = 0; r < size; r++) {
        lo[r] = nb * r / size * gd_sweep_block_size();
        hi[r] = nb * (r + 1) / size * gd_sweep_block_size();
        if (hi[r] > n) hi[r] = n;
        cnt[r] = (int)((hi[r] - lo[r]) * (long)rec);
        disp[r] = (int)(lo[r] * (long)rec);
    }
    int rc = gd_sweep_run_range(w, lo[rank], hi[rank]), all = rc;
    MPI_Allreduce(&rc, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    char *mine = malloc(cnt[rank] ? (size_t)cnt[rank] : 1), *every = rank == 0 ? malloc((size_t)n * rec) : NULL;
    if (all == GD_OK && mine) gd_sweep_export(w, lo[rank], hi[rank], mine);
    if (all == GD_OK) MPI_Gatherv(mine, cnt[rank], MPI_BYTE, every, cnt, disp, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (all == GD_OK && rank == 0) gd_sweep_import(w, 0, n, every);
    if (all == GD_OK && gd_sweep_is_basin(w)) all = gather_basin(w, rank, size, lo, hi);
    free(mine), free(every), free(lo), free(cnt);
    return all;
}

/* gd_command_io.sweep_runner under mpirun: the ranks share the cells, rank 0 writes. */
static int sweep_ranks(void *user, gd_sweep *w, int part, int *writer, char *msg)
{
    (void)user;
    int rank = 0, size = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size == 1) return GD_ENOTAVAIL;
    if (part) {
        snprintf(msg, GD_COMMAND_MSG, "--cells is for runs without mpirun (the ranks share the cells already)");
        return GD_EUSAGE;
    }
    if (rank > 0) gd_sweep_set_monitor(w, NULL, NULL, 0);
    *writer = rank == 0;
    return sweep_mpi(w, rank, size);
}
#endif

int main(int argc, char **argv)
{
    /* Past a file-size limit (ulimit -f) writes then fail with EFBIG, which the library
     * reports and survives (the old file intact), instead of the signal killing us. */
    signal(SIGXFSZ, SIG_IGN);
    gd_command_io io = {.out = stdout, .err = stderr, .progress = 1, .signals = 1, .script = exec_script};
#ifdef GANDYN_MPI
    /* Only under a launcher: a singleton MPI_Init would start OpenMPI's daemon (~0.5 s)
     * for every command. */
    if (getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK")) {
        MPI_Init(&argc, &argv);
        io.sweep_runner = sweep_ranks;
        int st = gd_command(argc, (const char *const *)argv, &io);
        MPI_Finalize();
        return st;
    }
#endif
    return gd_command(argc, (const char *const *)argv, &io);
}
