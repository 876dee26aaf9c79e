/* SPDX-License-Identifier: BSD-3-Clause
 *
 * libFuzzer harness for every HDF5 input reader. The input describes a file, which the
 * harness builds in memory with the HDF5 library, then (optionally) truncates or corrupts,
 * writes to /dev/shm and hands to one reader:
 *   byte 0  reader: estimate points | functional kde density | particles generators |
 *           particles data | kernel_gda true points (+ /masses) | torus grid
 *   byte 1  element type: f64 f32 i32 u8 u64 fixed string compound
 *   byte 2  rank 0..3 (0: a scalar); bit 7: name the dataset wrongly
 *   byte 3  damage: 0 none, 1 truncate at the offset in bytes 4-5, 2 overwrite 8 bytes there
 *   bytes 4-5 offset;  bytes 6-8 one size byte per axis (below 240: byte % 17 values, written;
 *           240-255: a declared axis of 2^25 + 1 to 2^63 values, chunked and holding no data,
 *           beyond the memory budget so no reader reads it);  byte 9 a model dimension (d, dim);
 *           then element values.
 * The reader must succeed or fail with one clear line; it must never read past what it
 * allocated, hang, or ask for memory beyond the budget.
 *
 * Speed (about a millisecond per input, not a fork): the readers run with the library's
 * rehearsal off (GANDYN_H5_REHEARSE=0), the fuzzer being the sandbox; a fork costs 10-40 ms on
 * the 2-core CI machine. But libhdf5 itself crashes on some corrupted metadata (a SIGSEGV in
 * H5F__accum_read, a negative memcpy, a 2 GB allocation), which is its bug, not a gandyn
 * finding, and not always the same way: on a local heap whose size was overwritten it reads
 * bytes past its own buffer and allocates what they say, so whether it dies depends on what
 * the process's heap holds there (a CI run met 0xbebe... bytes, 13 EB; the same file alone
 * reads cleanly). A file whose metadata was overwritten is therefore read entirely in a
 * sentry, a child process forked once and reused; when it dies, the stack names the culprit:
 * libhdf5 (the file is skipped; the CLI refuses it through its rehearsal:
 * tests/robustness.sh) or gandyn and the harness (a finding, replayed here for its report).
 * The other files are read here: undamaged ones, truncated ones (the superblock's recorded
 * length refuses them at open: 1.4 M truncations of 700 generated files, read in process,
 * crashed nothing) and those overwritten inside their values, which libhdf5 converts but never
 * parses.
 */
#define _GNU_SOURCE /* dladdr */
#include "fuzz_common.h"

#include <gandyn.h>
#include <gandyn/estimate.h>
#include <hdf5.h>
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <poll.h>
#include <sanitizer/allocator_interface.h>
#include <sanitizer/common_interface_defs.h>
#include <sanitizer/lsan_interface.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { R_ESTIMATE, R_KDE, R_PARTICLES, R_DATA, R_KGDA, R_TORUS, R_COUNT };
static const char *const dataset_of[R_COUNT] = {"/points", "/points", "/points", "/points", "/points", "/grid/F"};

/* ------------------------------------------------------------------ the file -- */

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

enum { MOST_WRITTEN = 16 * 16 * 16 }; /* values of the largest dataset the harness writes */

/* One axis from its size byte. Written axes stay small (at most 16^3 values in all): size
 * decides which branch a reader takes, and big arrays only slow the fuzzer down (a 150-point
 * cloud cost a model setup seconds). Declared axes probe the limits: each exceeds the 2^25
 * values of the harness's memory budget (and 2^26 of particles, 2^28, 2^32, 2^34 of torus),
 * so no reader reads one, whatever the other axes. */
static hsize_t axis(uint8_t b, int *declared)
{
#define P(k) ((hsize_t)1 << (k))
    static const hsize_t huge[16] = {P(25) + 1, P(26), P(26) + 1, P(28), P(28) + 1, P(31), P(31) + 1, P(32),
                                     P(32) + 1, P(34), P(34) + 1, P(48), P(62), P(63), P(63) + P(62), P(40)};
#undef P
    if (b < 240) return b % 17;
    *declared = 1;
    return huge[b - 240];
}

/* Where a dataset's values lie in the file: bytes libhdf5 copies and converts, never parses. */
struct span {
    size_t at, len;
};

/* One dataset NAME of the described type and shape; values cycle through the input bytes. */
static struct span write_dataset(hid_t f, const char *name, int type, int rank, const uint8_t *sizes, const uint8_t *vals, size_t nvals)
{
    hsize_t dims[3] = {1, 1, 1}, chunk[3] = {1, 1, 1};
    size_t n = 1;
    int huge = 0;
    for (int i = 0; i < rank; i++) {
        dims[i] = axis(sizes[i], &huge);
        n *= (size_t)dims[i];
    }
    hid_t ty = element_type(type), sp = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR), pl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(pl, 0); /* no timestamps: the same input gives the same bytes, so damage replays */
    if (huge) H5Pset_chunk(pl, rank, chunk);
    hid_t lc = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lc, 1);
    hid_t ds = H5Dcreate2(f, name, ty, sp, lc, pl, H5P_DEFAULT);
    struct span raw = {0, 0};
    if (ds >= 0 && !huge && n > 0) {
        size_t bytes = n * H5Tget_size(ty);
        unsigned char *buf = malloc(bytes);
        for (size_t i = 0; i < bytes; i++) buf[i] = nvals ? vals[i % nvals] : 0;
        if (H5Dwrite(ds, ty, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0 && H5Dget_offset(ds) != HADDR_UNDEF)
            raw = (struct span){(size_t)H5Dget_offset(ds), (size_t)H5Dget_storage_size(ds)};
        free(buf);
    }
    if (ds >= 0) H5Dclose(ds);
    H5Pclose(lc), H5Pclose(pl), H5Sclose(sp), H5Tclose(ty);
    return raw;
}

/* The described file as bytes, built by the core driver in memory (no disk, and the damage
 * is a memcpy), and where its values lie. 8 bytes of slack: an overwrite at the end
 * lengthens the file. */
static unsigned char *build_image(const uint8_t *data, size_t size, size_t *len, struct span raw[2])
{
    int reader = data[0] % R_COUNT, type = data[1], rank = (data[2] & 0x7f) % 4, wrong = data[2] >> 7;
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_fapl_core(fapl, 4096, 0); /* grown a page at a time: a bigger increment is a fresh calloc per file under ASan */
    hid_t f = H5Fcreate("fuzz_h5_image", H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (f < 0) abort();
    raw[0] = write_dataset(f, wrong ? "/other" : dataset_of[reader], type, rank, data + 6, data + 10, size - 10);
    raw[1] = (struct span){0, 0};
    if (reader == R_KGDA && size > 10 && data[10] & 1) raw[1] = write_dataset(f, "/masses", type, 1, data + 6, data + 11, size - 11);
    H5Fflush(f, H5F_SCOPE_GLOBAL);
    ssize_t n = H5Fget_file_image(f, NULL, 0);
    unsigned char *image = n > 0 ? calloc((size_t)n + 8, 1) : NULL;
    if (!image || H5Fget_file_image(f, image, (size_t)n) != n) abort();
    H5Fclose(f);
    *len = (size_t)n;
    return image;
}

/* Whether a damage reaches bytes libhdf5 parses and trusts (so may crash on): not a
 * truncation, which the superblock's recorded length refuses at open, nor an overwrite
 * inside the values. */
static int damages_metadata(int how, size_t at, const struct span raw[2])
{
    if (how != 2) return 0;
    for (int k = 0; k < 2; k++)
        if (at >= raw[k].at && at + 8 <= raw[k].at + raw[k].len) return 0;
    return 1;
}

static void damage(unsigned char *image, size_t *len, int how, size_t at, const uint8_t *with)
{
    if (how == 1) *len = at;
    if (how == 2) {
        memcpy(image + at, with, 8);
        if (at + 8 > *len) *len = at + 8;
    }
}

static void write_file(const char *path, const unsigned char *image, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, image, len) != (ssize_t)len || close(fd) != 0) {
        fprintf(stderr, "fuzz: cannot write scratch file %s\n", path);
        abort();
    }
}

/* ---------------------------------------------------------------- the sentry -- */

/* Whether a reader would read more values than the harness ever writes from PATH: the
 * libhdf5 calls a reader makes (src/h5io.c: H5Lexists; H5Dopen2, the extent, the type, and
 * H5Dread of numbers at most 16 bytes wide within the memory budget) on every dataset a reader
 * opens. An overwritten extent of millions of values, unallocated, reads as zeros and then
 * costs a model's setup seconds (a kernel_gda cloud of 16.7 M points: 14 s), exploring nothing
 * that written shapes and declared huge ones do not; such files are not read. */
static int probe(const char *path)
{
    static const char *const names[] = {"/points", "/masses", "/grid/F"};
    int big = 0;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    for (int k = 0; f >= 0 && k < 3; k++) {
        H5Lexists(f, names[k], H5P_DEFAULT);
        hid_t ds = H5Dopen2(f, names[k], H5P_DEFAULT);
        if (ds < 0) continue;
        hid_t sp = H5Dget_space(ds), ty = H5Dget_type(ds);
        int r = sp < 0 ? -1 : H5Sget_simple_extent_ndims(sp);
        hsize_t dims[H5S_MAX_RANK];
        double n = r >= 0 && r <= H5S_MAX_RANK && H5Sget_simple_extent_dims(sp, dims, NULL) >= 0 ? 1 : 0;
        for (int i = 0; i < r && n > 0; i++) n *= (double)dims[i];
        H5T_class_t c = ty < 0 ? H5T_NO_CLASS : H5Tget_class(ty);
        int number = (c == H5T_FLOAT || c == H5T_INTEGER) && H5Tget_size(ty) <= 16;
        int due = number && n >= 1 && n * 8 <= FUZZ_MEMORY_MB * 1048576.0;
        big |= due && n > MOST_WRITTEN;
        double *buf = due && n <= MOST_WRITTEN ? malloc(8 * (size_t)n) : NULL;
        if (buf) H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
        free(buf);
        if (ty >= 0) H5Tclose(ty);
        if (sp >= 0) H5Sclose(sp);
        H5Dclose(ds);
    }
    if (f >= 0) H5Fclose(f);
    return big;
}

/* Who is to blame for a crash, from the stack at the crash: the innermost frame that belongs
 * to libhdf5 or to libgandyn decides ('x' libhdf5, 'g' gandyn). Frames of this executable
 * (the harness, the sanitizer runtime and its interceptors) and of libc are passed over, so
 * libhdf5's memcpy with a negative size is libhdf5's and gandyn's read past its buffer is
 * gandyn's; a stack with neither is the harness's own abort (a bad message): 'g'. Not
 * async-signal-safe, but only a dying sentry calls it, and backtrace is warmed up first. */
static char culprit(void)
{
    void *pc[64];
    int n = backtrace(pc, 64);
    for (int i = 0; i < n; i++) {
        Dl_info di;
        if (!dladdr(pc[i], &di) || !di.dli_fname) continue;
        if (strstr(di.dli_fname, "libhdf5")) return 'x';
        if (strstr(di.dli_fname, "libgandyn")) return 'g';
    }
    return 'g';
}

/* In a sentry: its socket, to report its own death. */
static int sentry_socket = -1;

/* The sentry is dying: say why at once, for the process takes a second or two to end (its
 * ASan address space is unmapped before its sockets close), and say nothing else: no
 * sanitizer report, no libFuzzer crash artifact (a gandyn crash is replayed in the fuzzer for
 * those). */
static void sentry_dies(void)
{
    char why = culprit();
    if (send(sentry_socket, &why, 1, MSG_NOSIGNAL) != 1) {
    }
    _exit(1);
}

static void sentry_signal(int sig)
{
    (void)sig;
    sentry_dies();
}

/* ASan calls this before it prints a report: libhdf5's memory errors (a negative memcpy size,
 * an absurd allocation) need none in a sentry, least of all the symbolizer's second or so. */
void __asan_on_error(void);
void __asan_on_error(void)
{
    if (sentry_socket >= 0) sentry_dies();
}

/* libhdf5 sizes some buffers from the file's metadata: an overwritten element size once made
 * it ask for 2.2 GB, and an overwritten object header size for gigabytes that ASan first
 * poisons, a second or more. So ASan refuses any allocation beyond the harness's memory budget
 * before it maps a byte (a report: in a sentry a death, in the fuzzer a finding, as it should
 * be), and a sentry dies when libhdf5 asks for more than 4 MB: reading the harness's files (at
 * most 4096 values) makes it allocate at most 1 MB at once (its conversion buffer; its
 * metadata cache is 0.5 MB). gandyn's own allocations answer to the budget alone. The hooks
 * also count, for the leak check after each read. */
#define FUZZ_STR(x) #x
#define FUZZ_MB(x) FUZZ_STR(x)
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "max_allocation_size_mb=" FUZZ_MB(FUZZ_MEMORY_MB); }

static size_t sentry_mallocs, sentry_frees;

static void sentry_malloc_hook(const volatile void *p, size_t size)
{
    (void)p;
    sentry_mallocs++;
    if (size > (size_t)4 << 20 && culprit() == 'x') sentry_dies();
}

static void sentry_free_hook(const volatile void *p)
{
    (void)p;
    sentry_frees++;
}

/* Crashes end in sentry_dies, on a stack of their own (a recursion in libhdf5 may have used
 * up the usual one). */
static void sentry_catch_crashes(void)
{
    static char altstack[1 << 16];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    sigaltstack(&ss, NULL);
    struct sigaction sa = {.sa_handler = sentry_signal, .sa_flags = SA_ONSTACK};
    static const int crashes[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGUSR1};
    for (size_t i = 0; i < sizeof crashes / sizeof *crashes; i++) sigaction(crashes[i], &sa, NULL);
    void *warm[1];
    backtrace(warm, 1); /* its first call loads libgcc_s, which no crash should have to do */
    __sanitizer_set_death_callback(sentry_dies);
    __sanitizer_install_malloc_and_free_hooks(sentry_malloc_hook, sentry_free_hook);
}

static void read_with(int reader, const char *path, int d);

/* What a sentry is asked: read PATH with READER at model dimension D. */
struct request {
    uint8_t reader, d;
    char path[128];
};

/* The reader on a damaged file, in a sentry: 'k' when it ended cleanly, 'g' when it leaked
 * (libhdf5's own leaks are suppressed, tests/fuzz/lsan.supp), 'b' when the file claims more
 * values than the harness writes (not read). A crash ends the sentry in sentry_dies. */
static char sentry_read(const struct request *rq)
{
    if (probe(rq->path)) return 'b';
    size_t mallocs = sentry_mallocs, frees = sentry_frees;
    read_with(rq->reader, rq->path, rq->d);
    fuzz_clear_h5_errors();
    /* as libFuzzer does: the (slower) leak check only when allocations and frees differ */
    if (sentry_mallocs - mallocs != sentry_frees - frees && __lsan_do_recoverable_leak_check()) return 'g';
    return 'k';
}

/* A sentry's loop: a request comes in, and once the read is done a verdict goes back (see
 * sentry_read; a dying sentry sends 'x' or 'g' and ends). */
static void sentry_loop(int fd)
{
    sentry_socket = fd;
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 2);
    sentry_catch_crashes();
    struct request rq;
    while (recv(fd, &rq, sizeof rq, 0) == (ssize_t)sizeof rq) {
        rq.path[sizeof rq.path - 1] = '\0';
        char verdict = sentry_read(&rq);
        if (send(fd, &verdict, 1, MSG_NOSIGNAL) != 1) break;
    }
    _exit(0);
}

/* Passing a socket to another process (SCM_RIGHTS). */
static int send_fd(int via, int fd)
{
    char c = 0, ctl[CMSG_SPACE(sizeof(int))] = {0};
    struct iovec iov = {&c, 1};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_SOCKET, cm->cmsg_type = SCM_RIGHTS, cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof fd);
    ssize_t sent;
    while ((sent = sendmsg(via, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR) continue;
    return sent == 1 ? 0 : -1;
}

/* recv, again when a signal interrupts it (libFuzzer's timer ticks in this process). */
static ssize_t recv_again(int fd, void *buf, size_t n)
{
    ssize_t got;
    while ((got = recv(fd, buf, n, 0)) < 0 && errno == EINTR) continue;
    return got;
}

static int recv_fd(int via)
{
    char c, ctl[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&c, 1};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
    ssize_t got;
    while ((got = recvmsg(via, &mh, 0)) < 0 && errno == EINTR) continue;
    struct cmsghdr *cm = got == 1 ? CMSG_FIRSTHDR(&mh) : NULL;
    int fd = -1;
    if (cm && cm->cmsg_type == SCM_RIGHTS) memcpy(&fd, CMSG_DATA(cm), sizeof fd);
    return fd;
}

/* The maker of sentries, forked once at start while this process is small. A sentry forked
 * from the fuzzer itself would share its few hundred MB copy-on-write: each replacement
 * (libhdf5 kills one every few dozen damaged files) would then cost page faults over all of it. */
static void maker_loop(int fd)
{
    signal(SIGCHLD, SIG_IGN); /* dead sentries are reaped at once */
    for (int sfd; (sfd = recv_fd(fd)) >= 0; close(sfd)) {
        pid_t pid = fork();
        if (pid == 0) close(fd), sentry_loop(sfd);
        if (send(fd, &pid, sizeof pid, MSG_NOSIGNAL) != sizeof pid) break;
    }
    _exit(0);
}

static struct {
    int maker; /* socket to the maker */
    int fd;    /* socket to the current sentry, -1 when there is none */
    pid_t pid;
} sentry = {-1, -1, -1};

static void maker_start(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) abort();
    pid_t pid = fork();
    if (pid < 0) abort();
    if (pid == 0) close(sv[0]), maker_loop(sv[1]);
    close(sv[1]);
    sentry.maker = sv[0];
}

/* A new sentry from the maker; a maker that fails to give one (it died, or its fork failed) is
 * replaced once, forked from this process, before the harness gives up. */
static void sentry_start(void)
{
    for (int attempt = 0;; attempt++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) != 0) abort();
        if (send_fd(sentry.maker, sv[1]) == 0 && recv_again(sentry.maker, &sentry.pid, sizeof sentry.pid) == sizeof sentry.pid && sentry.pid > 0) {
            close(sv[1]);
            sentry.fd = sv[0];
            return;
        }
        close(sv[0]), close(sv[1]);
        if (attempt > 0) {
            fprintf(stderr, "fuzz: the sentry maker is gone\n");
            abort();
        }
        close(sentry.maker);
        maker_start();
    }
}

/* The sentry's answer within MS milliseconds, 0 when it gives none (libFuzzer's timer ticks
 * interrupt the wait) and 'x' when it died without a word. */
static char sentry_answer(int ms)
{
    struct pollfd p = {.fd = sentry.fd, .events = POLLIN};
    int ready;
    while ((ready = poll(&p, 1, ms)) < 0 && errno == EINTR) continue;
    char verdict = 'x';
    if (ready == 0) return 0;
    if (ready == 1 && recv_again(sentry.fd, &verdict, 1) != 1) verdict = 'x';
    return verdict;
}

/* The verdict on a damaged file, read in a sentry (see sentry_read): 'x' when libhdf5 crashed
 * or hung, 'g' when gandyn crashed or leaked, 'h' when the read was still in gandyn's code
 * after a second (a read takes about a millisecond, a fresh sentry's first 20 ms), for the
 * fuzzer's own timeout to judge. A stuck sentry is asked where it is (SIGUSR1: its stack
 * answers as a crash's does). A dead or stuck sentry is replaced for the next file. */
static char sentry_verdict(const struct request *rq)
{
    if (sentry.fd < 0) sentry_start();
    char verdict = send(sentry.fd, rq, sizeof *rq, MSG_NOSIGNAL) > 0 ? sentry_answer(1000) : 'x';
    if (verdict == 'k' || verdict == 'b') return verdict;
    if (!verdict) { /* alive but stuck, so the pid is still its own */
        kill(sentry.pid, SIGUSR1);
        verdict = sentry_answer(1000);
        verdict = verdict == 'g' ? 'h' : 'x';
        kill(sentry.pid, SIGKILL);
    }
    close(sentry.fd);
    sentry.fd = -1;
    return verdict;
}

/* ---------------------------------------------------------------- the reader -- */

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
    /* particles: the huber critic, whose equilibrium is closed-form; the default (mmd) descends
     * for up to ~1e7 kernel terms, seconds per input here, which explores nothing of the reader */
    static const char *const set[R_COUNT][10] = {
        [R_KDE] = {"model.name", "functional", "model.density", "kde", "model.N", "15", "model.density_file", NULL},
        [R_PARTICLES] = {"model.name", "particles", "model.critic", "huber", "model.particles", NULL},
        [R_DATA] = {"model.name", "particles", "model.critic", "huber", "model.data", NULL},
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

static const char *scratch;

static void remove_scratch(void) { unlink(scratch); }

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_limit_memory();
    setenv("GANDYN_H5_REHEARSE", "0", 1); /* see the top: the sentry stands in for it */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    /* libhdf5 frees its ~0.5 MB metadata cache at every close because it exceeds the default
     * 64 KiB limit of a free list; under ASan each new one is a fresh mmap, page faults and
     * all: 2-7 ms per H5Fopen instead of 0.1 ms. Kept on the list, it is reused. The other
     * lists keep libhdf5's defaults, so big blocks go back to the system. */
    H5set_free_list_limits(16 << 20, 4 << 20, 4 << 20, 256 << 10, 16 << 20, 1 << 20);
    scratch = fuzz_path("h5", ".h5");
    atexit(remove_scratch); /* after a finding the last file stays for replay */
    maker_start(); /* now, while this process is small */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 10) return 0;
    int how = data[3] % 3;
    struct span raw[2];
    size_t len, at = (size_t)data[4] << 8 | data[5];
    uint8_t with[8] = {0};
    memcpy(with, data + 10, size - 10 < 8 ? size - 10 : 8);
    unsigned char *image = build_image(data, size, &len, raw);
    at %= len;
    int risky = damages_metadata(how, at, raw);
    damage(image, &len, how, at, with);
    write_file(scratch, image, len);
    free(image);
    int reader = data[0] % R_COUNT, d = 1 + data[9] % 3;
    if (!risky) {
        read_with(reader, scratch, d);
    } else {
        struct request rq = {(uint8_t)reader, (uint8_t)d, ""};
        snprintf(rq.path, sizeof rq.path, "%s", scratch);
        char v = sentry_verdict(&rq);
        if (v == 'h') read_with(reader, scratch, d); /* slow or hung: -timeout judges */
        if (v == 'g') {
            /* gandyn (or the harness) crashed or leaked in the sentry: again here, for the
             * sanitizer's report and libFuzzer's artifact; if it passes here, still a finding */
            read_with(reader, scratch, d);
            fprintf(stderr, "fuzz_h5: the reader crashed or leaked in a sentry (in gandyn's code) on this damaged file, though not on replay\n");
            abort();
        }
    }
    fuzz_clear_h5_errors();
    return 0;
}
