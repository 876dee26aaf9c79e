/* SPDX-License-Identifier: BSD-3-Clause */
#include "h5io.h"

#include "gd_impl.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct gd_h5 {
    hid_t file;
    char *path, *tmp;
};

struct gd_h5_series {
    hid_t dt, dx, dm; /* dm: the metric column, 0 when there is none */
    int dim;
    hsize_t rows, nbuf, cap; /* rows on disk, rows buffered, buffer capacity */
    double *tbuf, *xbuf, *mbuf;
};

/* A file whose close failed (disk full, ulimit -f) stays half-open inside libhdf5 1.10, and
 * the library's exit handler then crashes closing it. The process ends without that handler:
 * the operating system reclaims everything it would have freed. */
__attribute__((constructor)) static void no_hdf5_exit_handler(void) { H5dont_atexit(); }

/* Temporaries are named .FILE.tmp.HOST.PID.XXXXXX: a writer killed by kill -9 leaves one,
 * and the next writer of FILE on the same host removes it once that PID is gone. */
static void tmp_host(char *host, size_t n)
{
    if (gethostname(host, n) != 0) snprintf(host, n, "host");
    host[n - 1] = '\0';
    for (char *c = host; *c; c++)
        if (*c == '.' || *c == '/') *c = '_';
}

static void remove_stale(const char *path, size_t dirlen, const char *host)
{
    char dir[4096], prefix[1024];
    snprintf(dir, sizeof dir, "%.*s", dirlen ? (int)dirlen : 1, dirlen ? path : ".");
    int np = snprintf(prefix, sizeof prefix, ".%s.tmp.%s.", path + dirlen, host);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && np > 0 && (size_t)np < sizeof prefix && (e = readdir(d));) {
        if (strncmp(e->d_name, prefix, (size_t)np) != 0) continue;
        char *end;
        long pid = strtol(e->d_name + np, &end, 10);
        if (end == e->d_name + np || *end != '.' || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        char stale[4096 + 256];
        snprintf(stale, sizeof stale, "%s/%s", dir, e->d_name);
        unlink(stale);
    }
    if (d) closedir(d);
}

int gd_h5_create(const char *path, gd_h5 **out, char *msg)
{
    *out = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors come back as codes and messages */
    gd_h5 *f = calloc(1, sizeof *f);
    size_t n = strlen(path);
    if (!f || !(f->path = strdup(path))) {
        if (f) free(f->path);
        free(f);
        return gd_fmt(msg, GD_ENOMEM, "out of memory");
    }
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
    char host[64];
    tmp_host(host, sizeof host);
    size_t tn = n + strlen(host) + 64;
    if (!(f->tmp = malloc(tn))) {
        free(f->path), free(f);
        return gd_fmt(msg, GD_ENOMEM, "out of memory");
    }
    remove_stale(path, dirlen, host);
    snprintf(f->tmp, tn, "%.*s.%s.tmp.%s.%ld.XXXXXX", (int)dirlen, path, path + dirlen, host, (long)getpid());
    int fd = mkstemp(f->tmp);
    if (fd < 0) {
        int e = errno;
        free(f->path), free(f->tmp), free(f);
        return gd_fmt(msg, GD_EIO, "cannot write output file '%s': %s", path, strerror(e));
    }
    close(fd);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
    f->file = H5Fcreate(f->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (f->file < 0) {
        unlink(f->tmp);
        free(f->path), free(f->tmp), free(f);
        return gd_fmt(msg, GD_EIO, "cannot create HDF5 file for '%s'", path);
    }
    *out = f;
    return GD_OK;
}

hid_t gd_h5_file(const gd_h5 *f) { return f->file; }

static hid_t lcpl_parents(void)
{
    hid_t p = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(p, 1);
    return p;
}

int gd_h5_write_typed(gd_h5 *f, const char *path, int rank, const hsize_t *dims, hid_t type, const void *data)
{
    hid_t sp = H5Screate_simple(rank, dims, NULL), lc = lcpl_parents();
    hid_t ds = H5Dcreate2(f->file, path, type, sp, lc, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = ds < 0 ? -1 : H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    H5Pclose(lc);
    return st < 0 ? GD_EIO : GD_OK;
}

int gd_h5_write(gd_h5 *f, const char *path, int rank, const hsize_t *dims, const double *data)
{
    return gd_h5_write_typed(f, path, rank, dims, H5T_NATIVE_DOUBLE, data);
}

/* Open obj (group or dataset) by path, creating a group if absent. */
static hid_t open_object(gd_h5 *f, const char *obj)
{
    if (H5Lexists(f->file, obj, H5P_DEFAULT) > 0 || strcmp(obj, "/") == 0) return H5Oopen(f->file, obj, H5P_DEFAULT);
    hid_t lc = lcpl_parents();
    hid_t g = H5Gcreate2(f->file, obj, lc, H5P_DEFAULT, H5P_DEFAULT);
    H5Pclose(lc);
    return g;
}

static int write_attr(gd_h5 *f, const char *obj, const char *name, hid_t type, hid_t space, const void *buf)
{
    hid_t o = open_object(f, obj);
    if (o < 0) return GD_EIO;
    if (H5Aexists(o, name) > 0) H5Adelete(o, name);
    hid_t a = H5Acreate2(o, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = a < 0 ? -1 : H5Awrite(a, type, buf);
    if (a >= 0) H5Aclose(a);
    H5Oclose(o);
    return st < 0 ? GD_EIO : GD_OK;
}

int gd_h5_attr_doubles(gd_h5 *f, const char *obj, const char *name, int n, const double *v)
{
    hsize_t d = (hsize_t)n;
    hid_t sp = H5Screate_simple(1, &d, NULL);
    int rc = write_attr(f, obj, name, H5T_NATIVE_DOUBLE, sp, v);
    H5Sclose(sp);
    return rc;
}

int gd_h5_attr_long(gd_h5 *f, const char *obj, const char *name, long v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    int rc = write_attr(f, obj, name, H5T_NATIVE_LONG, sp, &v);
    H5Sclose(sp);
    return rc;
}

int gd_h5_attr_uint64(gd_h5 *f, const char *obj, const char *name, unsigned long long v)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    int rc = write_attr(f, obj, name, H5T_NATIVE_ULLONG, sp, &v);
    H5Sclose(sp);
    return rc;
}

int gd_h5_attr_string(gd_h5 *f, const char *obj, const char *name, const char *value)
{
    hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    int rc = write_attr(f, obj, name, t, sp, &value);
    H5Sclose(sp);
    H5Tclose(t);
    return rc;
}

int gd_h5_root_attrs(gd_h5 *f, const char *command, const char *config)
{
    char created[64];
    time_t now = time(NULL);
    struct tm tmv;
    strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tmv));
    int rc = gd_h5_attr_string(f, "/", "gandyn_version", GD_VERSION);
    if (rc == GD_OK) rc = gd_h5_attr_long(f, "/", "format_version", GD_FORMAT_VERSION);
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/", "command", command ? command : "");
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/", "config", config ? config : "");
    if (rc == GD_OK) rc = gd_h5_attr_string(f, "/", "created", created);
    return rc;
}

static void h5_free(gd_h5 *f)
{
    free(f->path);
    free(f->tmp);
    free(f);
}

int gd_h5_commit(gd_h5 **pf, char *msg)
{
    gd_h5 *f = *pf;
    *pf = NULL;
    int rc = GD_OK;
    if (H5Fclose(f->file) < 0) rc = gd_fmt(msg, GD_EIO, "cannot finish HDF5 file '%s'", f->path);
    else if (rename(f->tmp, f->path) != 0) rc = gd_fmt(msg, GD_EIO, "cannot move output into '%s': %s", f->path, strerror(errno));
    if (rc != GD_OK) unlink(f->tmp);
    h5_free(f);
    return rc;
}

void gd_h5_abort(gd_h5 **pf)
{
    gd_h5 *f = *pf;
    if (!f) return;
    *pf = NULL;
    H5Fclose(f->file);
    unlink(f->tmp);
    h5_free(f);
}

/* ---- series ---- */
static hid_t extendible_of(hid_t loc, const char *name, int rank, hsize_t rows, hsize_t cols, hid_t type)
{
    hsize_t dims[2] = {0, cols}, maxd[2] = {H5S_UNLIMITED, cols}, chunk[2] = {rows, cols};
    hid_t sp = H5Screate_simple(rank, dims, maxd), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, chunk);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 4);
    hid_t d = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Sclose(sp);
    return d;
}

static hid_t extendible(hid_t loc, const char *name, int rank, hsize_t rows, hsize_t cols)
{
    return extendible_of(loc, name, rank, rows, cols, H5T_NATIVE_DOUBLE);
}

int gd_h5_series_open(gd_h5 *f, const char *group, int dim, const char *metric, gd_h5_series **out)
{
    *out = NULL;
    gd_h5_series *s = calloc(1, sizeof *s);
    if (!s) return GD_ENOMEM;
    s->dim = dim;
    /* Chunks of at most 64 KiB stay far below the 1 MiB default chunk cache. */
    s->cap = (hsize_t)(8192 / dim > 0 ? 8192 / dim : 1);
    s->tbuf = malloc(sizeof(double) * s->cap);
    s->xbuf = malloc(sizeof(double) * s->cap * (size_t)dim);
    s->mbuf = malloc(sizeof(double) * s->cap);
    hid_t g = open_object(f, group);
    if (g >= 0) {
        s->dt = extendible(g, "t", 1, s->cap, 1);
        s->dx = extendible(g, "x", 2, s->cap, (hsize_t)dim);
        if (metric) s->dm = extendible(g, metric, 1, s->cap, 1);
        H5Oclose(g);
    }
    if (!s->tbuf || !s->xbuf || !s->mbuf || g < 0 || s->dt < 0 || s->dx < 0 || s->dm < 0) {
        gd_h5_series_close(&s);
        return GD_EIO;
    }
    *out = s;
    return GD_OK;
}

static int append_rows_of(hid_t d, int rank, hsize_t at, hsize_t n, hsize_t cols, hid_t type, const void *buf)
{
    hsize_t size[2] = {at + n, cols}, start[2] = {at, 0}, count[2] = {n, cols};
    if (H5Dset_extent(d, size) < 0) return GD_EIO;
    hid_t fs = H5Dget_space(d), ms = H5Screate_simple(rank, count, NULL);
    herr_t st = H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    if (st >= 0) st = H5Dwrite(d, type, ms, fs, H5P_DEFAULT, buf);
    H5Sclose(ms);
    H5Sclose(fs);
    return st < 0 ? GD_EIO : GD_OK;
}

static int append_rows(hid_t d, int rank, hsize_t at, hsize_t n, hsize_t cols, const double *buf)
{
    return append_rows_of(d, rank, at, n, cols, H5T_NATIVE_DOUBLE, buf);
}

static int flush(gd_h5_series *s)
{
    if (s->nbuf == 0) return GD_OK;
    int rc = append_rows(s->dt, 1, s->rows, s->nbuf, 1, s->tbuf);
    if (rc == GD_OK) rc = append_rows(s->dx, 2, s->rows, s->nbuf, (hsize_t)s->dim, s->xbuf);
    if (rc == GD_OK && s->dm > 0) rc = append_rows(s->dm, 1, s->rows, s->nbuf, 1, s->mbuf);
    s->rows += s->nbuf;
    s->nbuf = 0;
    return rc;
}

int gd_h5_series_append(gd_h5_series *s, double t, const double *x, double metric)
{
    s->tbuf[s->nbuf] = t;
    s->mbuf[s->nbuf] = metric;
    memcpy(s->xbuf + s->nbuf * (size_t)s->dim, x, sizeof(double) * (size_t)s->dim);
    if (++s->nbuf == s->cap) return flush(s);
    return GD_OK;
}

int gd_h5_series_close(gd_h5_series **ps)
{
    gd_h5_series *s = *ps;
    if (!s) return GD_OK;
    *ps = NULL;
    int rc = (s->dt > 0 && s->dx > 0) ? flush(s) : GD_EIO;
    if (s->dt > 0) H5Dclose(s->dt);
    if (s->dx > 0) H5Dclose(s->dx);
    if (s->dm > 0) H5Dclose(s->dm);
    free(s->tbuf);
    free(s->xbuf);
    free(s->mbuf);
    free(s);
    return rc;
}

/* ---- rows of named vectors and a counter (an optimizer's state) ---- */
struct gd_h5_rows {
    int ncols, width;
    hid_t *d, ds; /* one dataset per name; the counter's */
    hsize_t rows, nbuf, cap;
    double *buf; /* cap rows of ncols * width */
    int64_t *steps;
};

int gd_h5_rows_open(gd_h5 *f, const char *group, int ncols, const char *const *names, int width, const char *step_name, gd_h5_rows **out)
{
    *out = NULL;
    gd_h5_rows *r = calloc(1, sizeof *r);
    if (!r) return GD_ENOMEM;
    r->ncols = ncols, r->width = width;
    r->cap = (hsize_t)(8192 / width > 0 ? 8192 / width : 1);
    r->d = calloc((size_t)ncols + 1, sizeof(hid_t));
    r->buf = malloc(sizeof(double) * r->cap * (size_t)(ncols > 0 ? ncols : 1) * (size_t)width);
    r->steps = malloc(sizeof(int64_t) * r->cap);
    hid_t g = r->d && r->buf && r->steps ? open_object(f, group) : -1;
    int ok = g >= 0;
    for (int j = 0; j < ncols && ok; j++) ok = (r->d[j] = extendible(g, names[j], 2, r->cap, (hsize_t)width)) >= 0;
    if (ok) ok = (r->ds = extendible_of(g, step_name, 1, r->cap, 1, H5T_STD_I64LE)) >= 0;
    if (g >= 0) H5Oclose(g);
    *out = r;
    if (ok) return GD_OK;
    gd_h5_rows_close(out);
    return GD_EIO;
}

static int rows_flush(gd_h5_rows *r)
{
    int rc = GD_OK;
    size_t row = (size_t)r->ncols * (size_t)r->width;
    double *col = row ? malloc(sizeof(double) * r->nbuf * (size_t)r->width) : NULL;
    if (row && !col) return GD_ENOMEM;
    for (int j = 0; j < r->ncols && rc == GD_OK; j++) { /* column j of every buffered row, contiguous */
        for (hsize_t i = 0; i < r->nbuf; i++) memcpy(col + i * (size_t)r->width, r->buf + i * row + (size_t)j * (size_t)r->width, sizeof(double) * (size_t)r->width);
        rc = append_rows(r->d[j], 2, r->rows, r->nbuf, (hsize_t)r->width, col);
    }
    free(col);
    if (rc == GD_OK && r->nbuf) rc = append_rows_of(r->ds, 1, r->rows, r->nbuf, 1, H5T_NATIVE_INT64, r->steps);
    r->rows += r->nbuf;
    r->nbuf = 0;
    return rc;
}

int gd_h5_rows_append(gd_h5_rows *r, const double *vals, long step)
{
    size_t row = (size_t)r->ncols * (size_t)r->width;
    if (row) memcpy(r->buf + r->nbuf * row, vals, sizeof(double) * row);
    r->steps[r->nbuf] = step;
    return ++r->nbuf == r->cap ? rows_flush(r) : GD_OK;
}

int gd_h5_rows_close(gd_h5_rows **pr)
{
    gd_h5_rows *r = *pr;
    if (!r) return GD_OK;
    *pr = NULL;
    int ok = r->d && r->ds > 0, rc = ok ? rows_flush(r) : GD_EIO;
    for (int j = 0; r->d && j < r->ncols; j++)
        if (r->d[j] > 0) H5Dclose(r->d[j]);
    if (r->ds > 0) H5Dclose(r->ds);
    free(r->d), free(r->buf), free(r->steps), free(r);
    return rc;
}

/* ------------------------------------------------------------------ reading -- */

/* The dataset's extent, or a message saying why there is none to read. */
static int read_extent(hid_t ds, const char *path, const char *dataset, int max_rank, int *rank, hsize_t *dims, char *msg)
{
    hid_t sp = H5Dget_space(ds), ty = H5Dget_type(ds);
    int r = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp), numeric = ty >= 0 && (H5Tget_class(ty) == H5T_FLOAT || H5Tget_class(ty) == H5T_INTEGER);
    size_t width = ty >= 0 ? H5Tget_size(ty) : 0;
    if (r >= 1 && r <= max_rank) H5Sget_simple_extent_dims(sp, dims, NULL);
    if (sp >= 0) H5Sclose(sp);
    if (ty >= 0) H5Tclose(ty);
    if (!numeric) return gd_fmt(msg, GD_EUSAGE, "'%s': %s does not hold numbers", path, dataset);
    /* libhdf5 converts through a buffer at least one element wide, sized from the file: a
     * corrupted width (fuzzing found 2.2 GB) would be allocated whatever the memory budget */
    if (width > 16) return gd_fmt(msg, GD_EUSAGE, "'%s': %s holds %zu-byte numbers; at most 16 bytes wide are read", path, dataset, width);
    if (r < 1 || r > max_rank) return gd_fmt(msg, GD_EUSAGE, "'%s': %s has rank %d; expected 1 to %d", path, dataset, r, max_rank);
    *rank = r;
    return GD_OK;
}

static int has_dataset(const char *path, const char *dataset)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return 0;
    int has = H5Lexists(f, dataset, H5P_DEFAULT) > 0;
    H5Fclose(f);
    return has;
}

static int read_dataset(const char *path, const char *dataset, int max_rank, size_t max_values, int *rank, hsize_t *dims, double **data, char *msg)
{
    *data = NULL;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return gd_fmt(msg, GD_EIO, "cannot open HDF5 file '%s'", path);
    hid_t ds = H5Dopen2(f, dataset, H5P_DEFAULT);
    int rc = ds < 0 ? gd_fmt(msg, GD_EUSAGE, "'%s': no dataset %s", path, dataset) : read_extent(ds, path, dataset, max_rank, rank, dims, msg);
    size_t n = 1;
    for (int i = 0; rc == GD_OK && i < *rank; i++) {
        if (dims[i] == 0 || dims[i] > max_values / n) /* checked before multiplying: no overflow */
            rc = gd_fmt(msg, GD_EUSAGE, "'%s': %s is empty or larger than %zu values", path, dataset, max_values);
        else n *= (size_t)dims[i];
    }
    if (rc == GD_OK) {
        char what[400];
        snprintf(what, sizeof what, "'%.200s': %.100s (%zu values)", path, dataset, n);
        rc = gd_check_memory(msg, 8.0 * (double)n, what);
    }
    if (rc == GD_OK && !(*data = malloc(sizeof(double) * n))) rc = gd_fmt(msg, GD_ENOMEM, "out of memory reading %s", dataset);
    if (rc == GD_OK && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) < 0)
        rc = gd_fmt(msg, GD_EIO, "'%s': cannot read %s as numbers", path, dataset);
    for (size_t i = 0; rc == GD_OK && i < n; i++)
        if (!isfinite((*data)[i])) rc = gd_fmt(msg, GD_EUSAGE, "'%s': %s has a non-finite value at index %zu", path, dataset, i);
    if (rc != GD_OK) free(*data), *data = NULL;
    if (ds >= 0) H5Dclose(ds);
    H5Fclose(f);
    return rc;
}

/* libhdf5 1.10 can crash (SIGSEGV) on a corrupted file: a fuzzing finding we cannot fix
 * there. So every read is first rehearsed in a child process; a file that kills the child
 * is refused here with a message, and the real read repeats the calls that survived. */
static int rehearse(const char *path, const char *dataset, int max_rank, size_t max_values, char *msg)
{
    const char *off = getenv("GANDYN_H5_REHEARSE");
    if (off && strcmp(off, "0") == 0) return GD_OK;
    pid_t pid = fork();
    if (pid < 0) return GD_OK; /* no child to spare: read directly */
    if (pid == 0) {
        signal(SIGSEGV, SIG_DFL), signal(SIGBUS, SIG_DFL), signal(SIGABRT, SIG_DFL), signal(SIGFPE, SIG_DFL);
        int rank = 0;
        hsize_t dims[8];
        double *x = NULL;
        char m[GD_MSG_LEN];
        if (max_rank > 0) read_dataset(path, dataset, max_rank, max_values, &rank, dims, &x, m);
        else has_dataset(path, dataset);
        _exit(0);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) continue;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0) return GD_OK;
    return gd_fmt(msg, GD_EUSAGE, "'%s': the HDF5 library crashed reading %s (%s): the file is corrupted", path, dataset,
                  WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "abnormal exit");
}

int gd_h5_has(const char *path, const char *dataset)
{
    char msg[GD_MSG_LEN];
    return rehearse(path, dataset, 0, 0, msg) == GD_OK && has_dataset(path, dataset);
}

int gd_h5_read(const char *path, const char *dataset, int max_rank, size_t max_values, int *rank, hsize_t *dims, double **data, char *msg)
{
    *data = NULL;
    int rc = rehearse(path, dataset, max_rank, max_values, msg);
    return rc != GD_OK ? rc : read_dataset(path, dataset, max_rank, max_values, rank, dims, data, msg);
}

char *gd_h5_read_attr_string(const char *path, const char *obj, const char *name)
{
    if (!gd_h5_has(path, obj)) return NULL; /* rehearsed: the file opens without crashing libhdf5 */
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t a = f >= 0 && H5Aexists_by_name(f, obj, name, H5P_DEFAULT) > 0 ? H5Aopen_by_name(f, obj, name, H5P_DEFAULT, H5P_DEFAULT) : -1;
    hid_t t = H5Tcopy(H5T_C_S1), sp = a >= 0 ? H5Aget_space(a) : -1;
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    char *v = NULL, *copy = NULL;
    if (sp >= 0 && H5Sget_simple_extent_npoints(sp) == 1 && H5Aread(a, t, &v) >= 0 && v) copy = strdup(v);
    if (v) H5free_memory(v);
    if (sp >= 0) H5Sclose(sp);
    if (a >= 0) H5Aclose(a);
    if (f >= 0) H5Fclose(f);
    H5Tclose(t);
    return copy;
}
