/* SPDX-License-Identifier: BSD-3-Clause
 *
 * Plugins: shared libraries that register games and rules (<gandyn/game.h>) from their entry
 * point gandyn_plugin_init. The CLI's --plugin FILE and a configuration's [model] plugin both
 * come here. A plugin stays loaded for the life of the process (its callbacks are in the
 * registry); one whose entry point fails is removed from the registry and unloaded.
 */
#include "gd_impl.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    char *path; /* as given: the types' plugin stamp */
    void *handle;
} plugin;

static plugin *loaded;
static int nloaded, cap;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The types the plugin at path registered. */
static int owned(const char *path)
{
    int n = 0;
    for (const gd_model_type *const *t = gd_model_types(); *t; t++) n += (*t)->plugin == path;
    for (const gd_integrator_type *const *t = gd_integrator_types(); *t; t++) n += (*t)->plugin == path;
    return n;
}

/* Run the entry point with the registry stamping what it adds; undo it all on failure. */
static int initialise(void *handle, char *owner, const char *path, char *msg)
{
    void *sym = dlsym(handle, "gandyn_plugin_init");
    if (!sym) return gd_fmt(msg, GD_EUSAGE, "plugin '%s' has no entry point gandyn_plugin_init (see <gandyn/game.h>)", path);
    int (*init)(int, char *);
    memcpy(&init, &sym, sizeof init); /* a data pointer to a function pointer, as POSIX allows */
    char why[GD_ERRMSG_LEN] = "";
    gd_registry_set_loading(owner);
    int rc = init(GD_ABI_VERSION, why);
    gd_registry_set_loading(NULL);
    why[sizeof why - 1] = '\0';
    if (rc == 0 && owned(owner) > 0) return GD_OK;
    gd_registry_remove_plugin(owner);
    if (rc == 0) return gd_fmt(msg, GD_EUSAGE, "plugin '%s' registered no model and no integrator", path);
    if (why[0]) return gd_fmt(msg, GD_EUSAGE, "plugin '%s': %s", path, why);
    return gd_fmt(msg, GD_EUSAGE, "plugin '%s': gandyn_plugin_init returned %d", path, rc);
}

static int load(const char *path, char *msg)
{
    for (int i = 0; i < nloaded; i++)
        if (strcmp(loaded[i].path, path) == 0) return GD_OK;
    struct stat st;
    if (stat(path, &st) != 0) return gd_fmt(msg, GD_EUSAGE, "plugin '%s': %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) return gd_fmt(msg, GD_EUSAGE, "plugin '%s' is a directory, not a shared library", path);
    if (!S_ISREG(st.st_mode)) /* a device or a pipe: dlopen could block reading it */
        return gd_fmt(msg, GD_EUSAGE, "plugin '%s' is not a regular file, not a shared library", path);
    if (nloaded == cap) {
        plugin *more = realloc(loaded, sizeof *more * (size_t)(cap ? 2 * cap : 8));
        if (!more) return gd_fmt(msg, GD_ENOMEM, "out of memory");
        loaded = more, cap = cap ? 2 * cap : 8;
    }
    char *owner = strdup(path), *local = malloc(strlen(path) + 3);
    if (!owner || !local) {
        free(owner), free(local);
        return gd_fmt(msg, GD_ENOMEM, "out of memory");
    }
    /* dlopen searches the library path for a name without '/': a file here is meant */
    snprintf(local, strlen(path) + 3, "%s%s", strchr(path, '/') ? "" : "./", path);
    dlerror();
    void *handle = dlopen(local, RTLD_NOW | RTLD_LOCAL);
    free(local);
    int rc = GD_OK;
    if (!handle) {
        const char *why = dlerror();
        rc = gd_fmt(msg, GD_EUSAGE, "plugin '%s' is not a shared library that can be loaded: %s", path, why ? why : "dlopen failed");
    }
    for (int i = 0; rc == GD_OK && i < nloaded; i++)
        if (loaded[i].handle == handle) { /* the same file under another name: loaded already */
            dlclose(handle);
            free(owner);
            return GD_OK;
        }
    if (rc == GD_OK) rc = initialise(handle, owner, path, msg);
    if (rc != GD_OK) {
        if (handle) dlclose(handle);
        free(owner);
        return rc;
    }
    loaded[nloaded++] = (plugin){owner, handle};
    return GD_OK;
}

int gd_plugin_load(const char *path, char *msg)
{
    char own[GD_MSG_LEN];
    if (!msg) msg = own;
    if (!path || !path[0]) return gd_fmt(msg, GD_EUSAGE, "gd_plugin_load: no path given");
    gd_registry_builtins(); /* a plugin's name must not take a built-in's */
    pthread_mutex_lock(&lock);
    int rc = load(path, msg);
    pthread_mutex_unlock(&lock);
    return rc;
}
