/* SPDX-License-Identifier: BSD-3-Clause
 *
 * HDF5 output: files appear atomically (written under a temporary name in the target
 * directory, renamed on commit), time series are appended in buffered chunks.
 */
#ifndef GD_H5IO_H
#define GD_H5IO_H

#include <hdf5.h>

typedef struct gd_h5 gd_h5;
typedef struct gd_h5_series gd_h5_series;

/* Create path's temporary twin; msg receives a one-line reason on failure (GD_EIO). */
int gd_h5_create(const char *path, gd_h5 **out, char *msg);
hid_t gd_h5_file(const gd_h5 *f);
/* Root attributes of every gandyn file: version, format_version, command, config, created. */
int gd_h5_root_attrs(gd_h5 *f, const char *command, const char *config);
/* Write a double dataset at an absolute path (parents created); rank <= 3. */
int gd_h5_write(gd_h5 *f, const char *path, int rank, const hsize_t *dims, const double *data);
/* The same with the memory (= file) type of the data. */
int gd_h5_write_typed(gd_h5 *f, const char *path, int rank, const hsize_t *dims, hid_t type, const void *data);
int gd_h5_attr_doubles(gd_h5 *f, const char *obj, const char *name, int n, const double *v);
int gd_h5_attr_string(gd_h5 *f, const char *obj, const char *name, const char *value);
int gd_h5_attr_long(gd_h5 *f, const char *obj, const char *name, long v);
int gd_h5_attr_uint64(gd_h5 *f, const char *obj, const char *name, unsigned long long v);
/* Rename the temporary file onto its target (0) or remove it; both free *f. */
int gd_h5_commit(gd_h5 **f, char *msg);
void gd_h5_abort(gd_h5 **f);

/* 1 when the file opens and has that dataset (or group). */
int gd_h5_has(const char *path, const char *dataset);
/* Read a numeric dataset of rank 1..max_rank (at most 8) as doubles into *data (malloc'd;
 * free it): dims[max_rank] receive the extent. Refused with a message: a missing file or
 * dataset, a wrong rank or type, more than max_values values or the memory budget, a
 * non-finite value, a file that crashes libhdf5 (see rehearse in h5io.c). */
int gd_h5_read(const char *path, const char *dataset, int max_rank, size_t max_values, int *rank, hsize_t *dims, double **data, char *msg);

/* A scalar string attribute NAME of OBJ (as gd_h5_attr_string writes it), malloc'd; NULL when
 * the file, the object or the attribute is missing. */
char *gd_h5_read_attr_string(const char *path, const char *obj, const char *name);

/* Series group/t [n], group/x [n, dim] and, if metric is not NULL, group/<metric> [n];
 * extendible, written every chunk of rows. */
int gd_h5_series_open(gd_h5 *f, const char *group, int dim, const char *metric, gd_h5_series **out);
int gd_h5_series_append(gd_h5_series *s, double t, const double *x, double metric);
int gd_h5_series_close(gd_h5_series **s); /* flushes; frees even on failure */

/* Rows of NCOLS named vectors of WIDTH doubles, group/<names[j]> [n, width] each, and a counter
 * group/<step_name> [n] (int64), extendible and written in chunks: an optimizer's state along a
 * trajectory (run.save_opt). Each append takes the NCOLS vectors contiguously. */
typedef struct gd_h5_rows gd_h5_rows;
int gd_h5_rows_open(gd_h5 *f, const char *group, int ncols, const char *const *names, int width, const char *step_name, gd_h5_rows **out);
int gd_h5_rows_append(gd_h5_rows *r, const double *vals, long step);
int gd_h5_rows_close(gd_h5_rows **r); /* flushes; frees even on failure */

#endif
