/*
 * cli_outfile.c - write-to-temporary-then-rename output files (see
 * cli_outfile.h).
 */
#define _XOPEN_SOURCE 700 /* realpath, fchmod */
#include "cli_outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void clear(ds_outfile *o)
{
    free(o->name);
    free(o->target);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}

/* dirname of path, "." when it has no slash.  NULL on no memory. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int ds_outfile_open(ds_outfile *o, const char *name, ds_error *err)
{
    struct stat st;
    char *dir = NULL;
    const char *base;
    int fd = -1;

    memset(o, 0, sizeof *o);
    if (!(o->name = strdup(name)))
        goto nomem;
    if (strcmp(name, "-") == 0) {
        o->f = stdout;
        o->is_stdout = 1;
        return DS_OK;
    }
    if (stat(name, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            ds_error_set(err, DS_EIO, "%s: is a directory", name);
            goto fail;
        }
        if (!S_ISREG(st.st_mode)) {
            /* A device, pipe or socket: write to it as it is. */
            if (!(o->f = fopen(name, "w"))) {
                ds_error_set(err, DS_EIO, "%s: %s", name, strerror(errno));
                goto fail;
            }
            return DS_OK;
        }
        /* A regular file, perhaps through symlinks: replace the file itself
         * so the links stay links. */
        if (!(o->target = realpath(name, NULL))) {
            ds_error_set(err, DS_EIO, "%s: %s", name, strerror(errno));
            goto fail;
        }
    } else if (errno == ENOENT) {
        if (!(o->target = strdup(name)))
            goto nomem;
    } else {
        ds_error_set(err, DS_EIO, "%s: %s", name, strerror(errno));
        goto fail;
    }
    if (!(dir = dir_of(o->target)))
        goto nomem;
    base = strrchr(o->target, '/');
    base = base ? base + 1 : o->target;
    if (!(o->tmp = malloc(strlen(dir) + strlen(base) + 16)))
        goto nomem;
    sprintf(o->tmp, "%s/.%s.tmp-XXXXXX", dir, base);
    if ((fd = mkstemp(o->tmp)) < 0) {
        ds_error_set(err, DS_EIO, "%s: cannot create a file in %s: %s", name,
                     dir, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        goto fail;
    }
    {
        /* mkstemp makes 0600; give the file the mode a plain create would. */
        mode_t mask = umask(0);
        umask(mask);
        fchmod(fd, stat(o->target, &st) == 0 ? (st.st_mode & 07777)
                                               : (0666 & ~mask));
    }
    if (!(o->f = fdopen(fd, "w"))) {
        ds_error_set(err, DS_EIO, "%s: %s", name, strerror(errno));
        close(fd);
        goto fail;
    }
    free(dir);
    return DS_OK;
nomem:
    ds_error_set(err, DS_ENOMEM, "%s: out of memory", name);
fail:
    free(dir);
    if (o->tmp)
        unlink(o->tmp);
    clear(o);
    return err ? err->code : DS_EIO;
}

int ds_outfile_commit(ds_outfile *o, ds_error *err)
{
    int e = 0;

    if (!o->f)
        return ds_error_set(err, DS_EIO, "%s: not open", o->name ? o->name : "?");
    /* The reason of a failed write: fflush's, else the stream's error flag
     * from an earlier write whose errno is gone. */
    errno = 0;
    if (fflush(o->f) != 0)
        e = errno ? errno : EIO;
    else if (ferror(o->f))
        e = EIO;
    if (o->is_stdout) {
        if (e)
            ds_error_set(err, DS_EIO, "cannot write standard output: %s", strerror(e));
        clear(o);
        return e ? DS_EIO : DS_OK;
    }
    errno = 0;
    if (fclose(o->f) != 0 && !e)
        e = errno ? errno : EIO;
    o->f = NULL;
    if (!e && o->tmp && rename(o->tmp, o->target) != 0)
        e = errno ? errno : EIO;
    if (e) {
        ds_error_set(err, DS_EIO, "cannot write %s: %s", o->name, strerror(e));
        if (o->tmp)
            unlink(o->tmp);
    }
    clear(o);
    return e ? DS_EIO : DS_OK;
}

void ds_outfile_abort(ds_outfile *o)
{
    if (o->f && !o->is_stdout)
        fclose(o->f);
    else if (o->f)
        fflush(o->f);
    if (o->tmp)
        unlink(o->tmp);
    clear(o);
}
