/* SPDX-License-Identifier: BSD-3-Clause
 *
 * libFuzzer harness for every HDF5 input reader. The input describes a file, which the
 * harness writes with the HDF5 library, then (optionally) truncates or corrupts, and hands
 * to one reader:
 *   byte 0  reader: estimate points | functional kde density | particles generators |
 *           particles data | kernel_gda true points (+ /masses) | torus grid
 *   byte 1  element type: f64 f32 i32 u8 u64 fixed string compound
 *   byte 2  rank 0..3 (0: a scalar); bit 7: name the dataset wrongly
 *   byte 3  damage: 0 none, 1 truncate at the offset in bytes 4-5, 2 overwrite 8 bytes there
 *   bytes 4-5 offset;  bytes 6-8 one size byte per axis (255: 2^40, a chunked dataset that
 *           holds no data, as does any shape beyond 65536 values);  byte 9 a model dimension (d, dim);  then element values.
 * The reader must succeed or fail with one clear line; it must never read past what it
 * allocated, hang, or ask for memory beyond the budget.
 */
#include "fuzz_common.h"

#include <gandyn.h>
#include <hdf5.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_limit_memory();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    return 0;
}

enum { R_ESTIMATE, R_KDE, R_PARTICLES, R_DATA, R_KGDA, R_TORUS, R_COUNT };
static const char *const dataset_of[R_COUNT] = {"/points", "/points", "/points", "/points", "/points", "/grid/F"};

static hid_t element_type(int code)
{
    switch (code % 7) {
    case 0: return H5Tcopy(H5T_NATIVE_DOUBLE);
    case 1: return H5Tcopy(H5T_NATIVE_FLOAT);
    case 2: return H5Tcopy(H5T_NATIVE_INT32);
    case 3: return H5Tcopy(H5T_NATIVE_UINT8);
    case 4: return H5Tcopy(H5T_NATIVE_UINT64);
    case 5: {
        hid_t t = H5Tcopy(H5T_C_S1);
        H5Tset_size(t, 8);
        return t;
    }
    default: {
        hid_t t = H5Tcreate(H5T_COMPOUND, 16);
        H5Tinsert(t, "a", 0, H5T_NATIVE_DOUBLE);
        H5Tinsert(t, "b", 8, H5T_NATIVE_DOUBLE);
        return t;
    }
    }
}

/* One dataset NAME of the described type and shape; values cycle through the input bytes. */
static void write_dataset(hid_t f, const char *name, int type, int rank, const uint8_t *sizes, const uint8_t *vals, size_t nvals)
{
    hsize_t dims[3] = {1, 1, 1}, chunk[3] = {1, 1, 1};
    size_t n = 1;
    int huge = 0;
    for (int i = 0; i < rank; i++) {
        huge |= sizes[i] == 255;
        dims[i] = sizes[i] == 255 ? (hsize_t)1 << 40 : sizes[i];
        n *= (size_t)dims[i];
    }
    huge |= n > (1u << 16); /* big shapes are declared, not written: the harness stays fast */
    hid_t ty = element_type(type), sp = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR), pl = H5Pcreate(H5P_DATASET_CREATE);
    if (huge) H5Pset_chunk(pl, rank, chunk);
    hid_t lc = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lc, 1);
    hid_t ds = H5Dcreate2(f, name, ty, sp, lc, pl, H5P_DEFAULT);
    if (ds >= 0 && !huge && n > 0) {
        size_t bytes = n * H5Tget_size(ty);
        unsigned char *buf = malloc(bytes);
        for (size_t i = 0; i < bytes; i++) buf[i] = nvals ? vals[i % nvals] : 0;
        H5Dwrite(ds, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
        free(buf);
    }
    if (ds >= 0) H5Dclose(ds);
    H5Pclose(lc), H5Pclose(pl), H5Sclose(sp), H5Tclose(ty);
}

static void damage(const char *path, int how, size_t at, const uint8_t *with)
{
    FILE *f = fopen(path, "r+b");
    if (!f) return;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    if (len > 0 && how == 1 && truncate(path, (off_t)(at % (size_t)len)) != 0) abort();
    if (len > 0 && how == 2) {
        fseek(f, (long)(at % (size_t)len), SEEK_SET);
        fwrite(with, 1, 8, f);
    }
    fclose(f);
}

/* The reader through the library's own entry point: a model's setup or the estimator. */
static void read_with(int reader, const char *path, int d)
{
    char msg[512] = "", dim[16];
    snprintf(dim, sizeof dim, "%d", d);
    if (reader == R_ESTIMATE) {
        int n = 0, dd = 0;
        double *x = NULL;
        int rc = gd_estimate_read_points(path, "/points", &n, &dd, &x, msg);
        fuzz_check_message(rc, msg, "gd_estimate_read_points");
        if (rc == 0 && (n < 1 || dd < 1)) abort();
        free(x);
        return;
    }
    static const char *const set[R_COUNT][8] = {
        [R_KDE] = {"model.name", "functional", "model.density", "kde", "model.N", "15", "model.density_file", NULL},
        [R_PARTICLES] = {"model.name", "particles", "model.particles", NULL},
        [R_DATA] = {"model.name", "particles", "model.data", NULL},
        [R_KGDA] = {"model.name", "kernel_gda", "model.true_points", NULL},
        [R_TORUS] = {"model.name", "torus", "model.objective", "grid", "model.N", "1", "model.file", NULL},
    };
    gd_sim *s = gd_sim_create();
    int rc = 0, k = 0;
    for (; set[reader][k + 1]; k += 2) rc |= gd_sim_set(s, set[reader][k], set[reader][k + 1]);
    rc |= gd_sim_set(s, set[reader][k], path);
    if (reader == R_KGDA) rc |= gd_sim_set(s, "model.d", dim) | gd_sim_set(s, "model.gen_points", d == 1 ? "0.5" : d == 2 ? "0.5,0" : "0.5,0,0");
    if (reader == R_KDE) rc |= gd_sim_set(s, "model.dim", d == 1 ? "1" : "2");
    if (rc == 0) {
        rc = gd_sim_setup(s);
        fuzz_check_message(rc, gd_sim_errmsg(s), "gd_sim_setup");
    }
    gd_sim_free(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 10) return 0;
    int reader = data[0] % R_COUNT, type = data[1], rank = (data[2] & 0x7f) % 4, wrong = data[2] >> 7, how = data[3] % 3;
    size_t at = (size_t)data[4] << 8 | data[5];
    int d = 1 + data[9] % 3;
    const char *path = fuzz_path("h5", ".h5");
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0) abort();
    write_dataset(f, wrong ? "/other" : dataset_of[reader], type, rank, data + 6, data + 10, size - 10);
    if (reader == R_KGDA && size > 10 && data[10] & 1) write_dataset(f, "/masses", type, 1, data + 6, data + 11, size - 11);
    H5Fclose(f);
    uint8_t with[8] = {0};
    memcpy(with, data + 10, size - 10 < 8 ? size - 10 : 8);
    if (how) damage(path, how, at, with);
    read_with(reader, path, d);
    if (!getenv("GANDYN_FUZZ_KEEP")) unlink(path); /* keep it to replay a finding by hand */
    return 0;
}
