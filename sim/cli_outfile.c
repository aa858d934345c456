/*
 * cli_outfile.c - the output files of a command: checked before the run,
 * written to temporaries, committed all or none, cleaned up on signals (see
 * cli_outfile.h).
 *
 * Every output is a stdio stream over a descriptor of ours whose writes go
 * through write_out(), which records the errno of the first failed write:
 * the library's writers only say that a write failed, and errno is long
 * gone when they return, so the reason a message gives is the one the
 * system gave at the failing call.
 */
#define _GNU_SOURCE /* fopencookie; realpath, fchmod, lstat, readlink */
#include "cli_outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dealsim/error.h"
#include "procs.h"

/* How an output is written. */
enum {
    K_NONE,    /* cannot be written: open_errno says why */
    K_DIRECT,  /* an open descriptor ("-", /dev/fd/N): written directly */
    K_SPECIAL, /* a device, pipe or socket by name: written directly */
    K_REPLACE  /* a regular file or a new name: temporary, then rename */
};

/* What an output or input is, to tell whether two are the same file. */
enum { ID_NONE, ID_FILE, ID_NEW };
typedef struct ident {
    int kind;         /* ID_FILE: a regular file; ID_NEW: a name to create */
    dev_t dev;        /* the file, or (ID_NEW) its directory */
    ino_t ino;
    nlink_t nlink;    /* ID_FILE: its hard links */
    const char *base; /* ID_NEW: the name in that directory (in target) */
} ident;

/* Symbolic links followed at most, as the kernel's own limit (ELOOP). */
#define MAX_LINK_HOPS 40
/* Bytes of the output's name kept in its temporary's name, so that
 * ".NAME.tmp-XXXXXX" stays within NAME_MAX (255 on every Linux
 * filesystem). */
#define TMP_BASE_MAX 200
/* Names tried before giving up on creating a temporary. */
#define TMP_TRIES 100

volatile sig_atomic_t ds_outfiles_stop;

/* ---- messages ------------------------------------------------------------ */

static void say(const ds_outfiles *s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void say(const ds_outfiles *s, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "dealsim %s: ", s->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* The name of o in a message about writing it. */
static const char *shown(const ds_outfile *o)
{
    return strcmp(o->name, "-") == 0 ? "standard output" : o->name;
}

/* o with the option that named it: "-o out.csv", "standard output". */
static const char *described(const ds_outfile *o, char *buf, size_t cap)
{
    if (!o->label)
        return "standard output";
    snprintf(buf, cap, "%s %s", o->label, o->name);
    return buf;
}

/* A reason that is never "Success". */
static const char *reason(int e)
{
    return strerror(e ? e : EIO);
}

/* ---- signals ------------------------------------------------------------- */

static ds_outfiles *volatile sig_set;  /* whose temporaries a signal removes */
static volatile sig_atomic_t sig_coop; /* 1: SIGINT etc. only set the flag */

/* The signals that interrupt dealsim; blocked while a temporary is being
 * created, renamed or removed, so a handler never sees it half done. */
static const int interrupts[] = {SIGINT, SIGTERM, SIGHUP};

static void block_interrupts(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof interrupts / sizeof interrupts[0]; i++)
        sigaddset(&set, interrupts[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static void restore_mask(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* Append text to buf (async-signal-safe, unlike snprintf). */
static size_t put(char *buf, size_t n, size_t cap, const char *text)
{
    while (*text && n + 1 < cap)
        buf[n++] = *text++;
    buf[n] = '\0';
    return n;
}

/* "dealsim CMD: interrupted; ..." saying what is left: nothing, or what
 * already reached standard output or another special file, which stays.
 * Async-signal-safe. */
static size_t interrupted_note(const ds_outfiles *s, char *buf, size_t cap)
{
    size_t n = 0, direct = 0;
    int files = 0;

    n = put(buf, n, cap, "dealsim ");
    n = put(buf, n, cap, s->cmd);
    n = put(buf, n, cap, ": interrupted; ");
    for (size_t i = 0; i < s->n; i++) {
        const ds_outfile *o = &s->out[i];
        files |= o->kind == K_REPLACE;
        if ((o->kind == K_DIRECT || o->kind == K_SPECIAL) && o->wrote) {
            n = put(buf, n, cap, direct++ ? " and " : "what was already written to ");
            n = put(buf, n, cap, shown(o));
        }
    }
    if (direct) {
        n = put(buf, n, cap, " stays there, incomplete");
        if (files)
            n = put(buf, n, cap, "; no file written");
    } else {
        n = put(buf, n, cap, "no output written");
    }
    return put(buf, n, cap, "\n");
}

static void on_signal(int sig)
{
    int saved = errno;
    ds_outfiles *s = sig_set;
    char msg[1024];
    size_t n;

    if (sig != SIGPIPE && sig_coop) {
        ds_outfiles_stop = 1;
        errno = saved;
        return;
    }
    for (size_t i = 0; s && i < s->n; i++)
        if (s->out[i].tmp_live)
            unlink(s->out[i].tmp);
    if (sig == SIGPIPE) {
        /* Installed with SA_RESETHAND | SA_NODEFER: this ends the process
         * the way SIGPIPE always does. */
        raise(SIGPIPE);
        errno = saved; /* not reached: the default action ended it  GCOVR_EXCL_LINE */
        return;        /* GCOVR_EXCL_LINE */
    }
    n = s ? interrupted_note(s, msg, sizeof msg) : put(msg, 0, sizeof msg, "dealsim: interrupted\n");
    if (write(STDERR_FILENO, msg, n) < 0) {
        /* Nothing left to tell it to. */
    }
    _exit(130);
}

void ds_outfiles_catch_signals(ds_outfiles *s)
{
    struct sigaction sa, old;

    sig_set = s;
    sig_coop = 0;
    ds_outfiles_stop = 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof interrupts / sizeof interrupts[0]; i++)
        sigaddset(&sa.sa_mask, interrupts[i]);
    for (size_t i = 0; i < sizeof interrupts / sizeof interrupts[0]; i++) {
        /* A shell starts a background job of a script with SIGINT
         * ignored, so that a Ctrl-C stops only what runs in the
         * foreground; catching it again would stop the job too. */
        if (sigaction(interrupts[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(interrupts[i], &sa, NULL);
    }
    if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler != SIG_IGN) {
        sa.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigaction(SIGPIPE, &sa, NULL);
    }
}

void ds_outfiles_cooperate(int on)
{
    sig_coop = on;
}

/* ---- names --------------------------------------------------------------- */

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

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The descriptor a name stands for ("-", /dev/stdout, /dev/stderr,
 * /dev/fd/N, /proc/self/fd/N), or -1.  Written to as it is: opening the
 * name again would truncate a file the shell opened for appending. */
static int fd_alias(const char *name)
{
    static const char *const dirs[] = {"/dev/fd/", "/proc/self/fd/"};
    if (strcmp(name, "-") == 0 || strcmp(name, "/dev/stdout") == 0)
        return STDOUT_FILENO;
    if (strcmp(name, "/dev/stderr") == 0)
        return STDERR_FILENO;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        size_t k = strlen(dirs[i]);
        long long v = 0;
        const char *p = name + k;
        if (strncmp(name, dirs[i], k) != 0 || !*p)
            continue;
        for (; *p >= '0' && *p <= '9' && v <= INT_MAX; p++)
            v = v * 10 + (*p - '0');
        if (!*p && v <= INT_MAX)
            return (int)v;
    }
    return -1;
}

/* The contents of symbolic link `path` (caller frees); NULL with errno. */
static char *read_link(const char *path)
{
    for (size_t cap = 256;; cap *= 2) {
        char *buf = malloc(cap);
        ssize_t n;
        if (!buf)
            return NULL;
        n = readlink(path, buf, cap);
        if (n < 0) {
            free(buf);
            return NULL;
        }
        if ((size_t)n < cap) {
            buf[n] = '\0';
            return buf;
        }
        free(buf);
        if (cap > (size_t)1 << 20) { /* a link holds < PATH_MAX bytes  GCOVR_EXCL_START */
            errno = ENAMETOOLONG;
            return NULL;
        } /* GCOVR_EXCL_STOP */
    }
}

/* `name` does not exist: the name a file would be created under, following
 * a dangling symbolic link (or a chain of them) to the name it points to
 * (caller frees).  NULL with errno set. */
static char *follow_dangling(const char *name)
{
    char *p = strdup(name);

    for (int hops = 0; p; hops++) {
        struct stat st;
        char *link, *dir, *next;
        if (lstat(p, &st) != 0) {
            int e = errno;
            if (e == ENOENT)
                return p;
            free(p);
            errno = e;
            return NULL;
        }
        if (!S_ISLNK(st.st_mode))
            return p; /* created since; whatever it is, open will tell */
        if (hops == MAX_LINK_HOPS) { /* stat said ELOOP before  GCOVR_EXCL_START */
            free(p);
            errno = ELOOP;
            return NULL;
        } /* GCOVR_EXCL_STOP */
        if (!(link = read_link(p))) {
            free(p);
            return NULL;
        }
        if (link[0] == '/') {
            next = link;
        } else {
            /* A relative link is relative to the link's own directory. */
            dir = dir_of(p);
            next = dir ? malloc(strlen(dir) + strlen(link) + 2) : NULL;
            if (next)
                sprintf(next, "%s/%s", dir, link);
            free(dir);
            free(link);
            if (!next)
                errno = ENOMEM;
        }
        free(p);
        p = next;
    }
    return NULL;
}

/* Decide how o is written, and what it is (id).  Returns DS_OK or
 * DS_ENOMEM; a name that cannot be written sets o->open_errno instead. */
static int resolve(ds_outfile *o, ident *id)
{
    struct stat st;
    int fd = fd_alias(o->name);

    memset(id, 0, sizeof *id);
    o->kind = K_NONE;
    if (fd >= 0) {
        o->fd_alias = fd;
        if (fstat(fd, &st) != 0) {
            o->open_errno = errno;
            return DS_OK;
        }
        o->kind = K_DIRECT;
        if (S_ISREG(st.st_mode)) {
            id->kind = ID_FILE;
            id->dev = st.st_dev;
            id->ino = st.st_ino;
        }
        return DS_OK;
    }
    if (stat(o->name, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            o->open_errno = EISDIR;
        } else if (!S_ISREG(st.st_mode)) {
            o->kind = K_SPECIAL;
        } else {
            /* Replace the file itself, so symbolic links stay links. */
            if (!(o->target = realpath(o->name, NULL))) {
                if (errno == ENOMEM)
                    return DS_ENOMEM;
                o->open_errno = errno;
                return DS_OK;
            }
            o->kind = K_REPLACE;
            o->mode = st.st_mode & 0777;
            id->kind = ID_FILE;
            id->dev = st.st_dev;
            id->ino = st.st_ino;
            id->nlink = st.st_nlink;
        }
        return DS_OK;
    }
    if (errno != ENOENT) {
        o->open_errno = errno;
        return DS_OK;
    }
    /* A new file; through a dangling link, the file the link names. */
    if (!(o->target = follow_dangling(o->name))) {
        if (errno == ENOMEM)
            return DS_ENOMEM;
        o->open_errno = errno;
        return DS_OK;
    }
    {
        const char *base = base_of(o->target);
        char *dir;
        if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
            o->open_errno = EISDIR;
            return DS_OK;
        }
        o->kind = K_REPLACE;
        if (!(dir = dir_of(o->target)))
            return DS_ENOMEM;
        /* A directory that is not there: creating the temporary says so. */
        if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
            id->kind = ID_NEW;
            id->dev = st.st_dev;
            id->ino = st.st_ino;
            id->base = base;
        }
        free(dir);
    }
    return DS_OK;
}

/* 1 if a and b are the same regular file, or the same new name. */
static int same_file(const ident *a, const ident *b)
{
    if (a->kind == ID_NONE || a->kind != b->kind || a->dev != b->dev || a->ino != b->ino)
        return 0;
    return a->kind == ID_FILE || strcmp(a->base, b->base) == 0;
}

/* ---- the set ------------------------------------------------------------- */

void ds_outfiles_init(ds_outfiles *s, const char *cmd)
{
    memset(s, 0, sizeof *s);
    s->cmd = cmd;
    for (size_t i = 0; i < DS_OUTFILES_MAX; i++)
        s->out[i].fd = -1;
}

ds_outfile *ds_outfiles_add(ds_outfiles *s, const char *label, const char *name)
{
    ds_outfile *o;
    if (!name || s->n == DS_OUTFILES_MAX)
        return NULL; /* the commands have fewer outputs than the room */
    o = &s->out[s->n++];
    o->label = label;
    o->name = name;
    return o;
}

void ds_outfiles_input(ds_outfiles *s, const char *what, const char *name)
{
    if (!name || s->n_in == DS_OUTFILES_MAX)
        return;
    s->in[s->n_in] = name;
    s->in_what[s->n_in++] = what;
}

int ds_outfiles_check(ds_outfiles *s)
{
    ident id[DS_OUTFILES_MAX];
    char b1[PATH_MAX + 64], b2[PATH_MAX + 64];
    int bad = 0;

    /* Under MPI only rank 0 writes (and checks) files: another rank's
     * outputs all go to /dev/null (open_one). */
    if (ds_mpi_rank() != 0)
        return DS_OK;

    for (size_t i = 0; i < s->n; i++) {
        ds_outfile *o = &s->out[i];
        memset(&id[i], 0, sizeof id[i]);
        free(o->target);
        o->target = NULL;
        o->open_errno = 0;
        if (!*o->name) {
            say(s, "%s: the file name is empty", o->label ? o->label : "output");
            bad = 1;
            continue;
        }
        if (resolve(o, &id[i]) != DS_OK) {
            say(s, "out of memory");
            ds_outfiles_abort(s);
            return DS_ENOMEM;
        }
    }
    /* Two descriptors the shell opened (standard output twice) are
     * written one after the other, not replaced: no collision. */
    for (size_t i = 0; i < s->n; i++)
        for (size_t j = 0; j < i; j++)
            if (same_file(&id[i], &id[j]) &&
                !(s->out[i].kind == K_DIRECT && s->out[j].kind == K_DIRECT)) {
                say(s, "%s and %s are the same file; give each output a file of its own",
                    described(&s->out[j], b1, sizeof b1), described(&s->out[i], b2, sizeof b2));
                bad = 1;
                break;
            }
    for (size_t k = 0; k < s->n_in; k++) {
        struct stat st;
        if (stat(s->in[k], &st) != 0 || !S_ISREG(st.st_mode))
            continue; /* a missing input is reported when it is read */
        for (size_t i = 0; i < s->n; i++)
            if (id[i].kind == ID_FILE && id[i].dev == st.st_dev && id[i].ino == st.st_ino) {
                say(s, "%s is the %s %s; an output must not overwrite an input",
                    described(&s->out[i], b1, sizeof b1), s->in_what[k], s->in[k]);
                bad = 1;
            }
    }
    for (size_t i = 0; i < s->n; i++)
        if (s->out[i].kind == K_REPLACE && id[i].kind == ID_FILE && id[i].nlink > 1) {
            say(s, "%s has %lu hard links; replacing it would leave the other names "
                   "with the old contents (remove it first, or choose another name)",
                described(&s->out[i], b1, sizeof b1), (unsigned long)id[i].nlink);
            bad = 1;
        }
    if (bad)
        ds_outfiles_abort(s);
    return bad ? DS_EINVAL : DS_OK;
}

/* ---- writing ------------------------------------------------------------- */

/* The stream's write: all of buf, or stop at the first error and keep its
 * errno in o->err.  A write cut short by a signal is retried, unless that
 * signal asked dealsim to stop. */
static ssize_t write_out(void *cookie, const char *buf, size_t len)
{
    ds_outfile *o = cookie;
    size_t done = 0;

    while (done < len) {
        ssize_t n = write(o->fd, buf + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            o->wrote = 1;
            continue;
        }
        if (n < 0 && errno == EINTR && !ds_outfiles_stop)
            continue;
        if (!o->err)
            o->err = n < 0 ? errno : EIO;
        break;
    }
    return (ssize_t)done; /* short: the stream's error flag is set */
}

static int close_out(void *cookie)
{
    ds_outfile *o = cookie;
    int fd = o->fd;

    o->fd = -1;
    /* Linux closes the descriptor even when close() says EINTR. */
    if (fd >= 0 && close(fd) != 0 && errno != EINTR) {
        if (!o->err)
            o->err = errno;
        return EOF;
    }
    return 0;
}

/* A stream over o->fd that writes through write_out.  NULL on no memory. */
static FILE *stream_of(ds_outfile *o)
{
    cookie_io_functions_t io = {NULL, write_out, NULL, close_out};
    FILE *f = fopencookie(o, "w", io);
    if (!f)
        return NULL;
    /* A terminal sees each line (a sweep's rows) as it comes; anything
     * else gets stdio's full buffering. */
    if (isatty(o->fd))
        setvbuf(f, NULL, _IOLBF, 0);
    return f;
}

/* A random name for o's temporary, next to its target (o->tmp). */
static int tmp_name(ds_outfile *o)
{
    static uint64_t counter;
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    struct timespec ts;
    uint64_t x;
    char *dir = dir_of(o->target), *p;
    const char *base = base_of(o->target);
    int nb = (int)(strlen(base) > TMP_BASE_MAX ? TMP_BASE_MAX : strlen(base));

    free(o->tmp);
    o->tmp = dir ? malloc(strlen(dir) + (size_t)nb + 16) : NULL;
    if (!o->tmp) {
        free(dir);
        return DS_ENOMEM;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    /* Not a secret, only unlikely to be taken: O_EXCL does the rest. */
    x = ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
        (++counter * 0x9E3779B97F4A7C15u);
    sprintf(o->tmp, "%s/.%.*s.tmp-", dir, nb, base);
    p = o->tmp + strlen(o->tmp);
    for (int i = 0; i < 6; i++) {
        x ^= x >> 31;
        x *= 0xBF58476D1CE4E5B9u;
        *p++ = digits[x % (sizeof digits - 1)];
    }
    *p = '\0';
    free(dir);
    return DS_OK;
}

/* Create o's temporary: O_EXCL, in the target's directory, with the mode a
 * new file gets (0666 less the umask) or the mode of the file it replaces. */
static int create_tmp(ds_outfiles *s, ds_outfile *o)
{
    sigset_t old;
    int e = EEXIST;

    for (int tries = 0; tries < TMP_TRIES && e == EEXIST; tries++) {
        if (tmp_name(o) != DS_OK) {
            say(s, "%s: out of memory", o->name);
            return DS_ENOMEM;
        }
        block_interrupts(&old);
        o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        e = errno;
        if (o->fd >= 0)
            o->tmp_live = 1;
        restore_mask(&old);
        if (o->fd >= 0) {
            /* Keeping the old mode can fail (a file of another user in a
             * directory of ours); the file then has a new file's mode. */
            if (o->mode)
                (void)fchmod(o->fd, o->mode);
            return DS_OK;
        }
    }
    {
        char *dir = dir_of(o->target);
        say(s, "%s: cannot create a file in %s: %s", o->name, dir ? dir : ".", reason(e));
        free(dir);
    }
    return DS_EIO;
}

static int open_one(ds_outfiles *s, ds_outfile *o)
{
    int rc;

    o->err = 0;
    o->wrote = 0;
    if (ds_mpi_rank() != 0) {
        o->kind = K_SPECIAL;
        if ((o->fd = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
            say(s, "/dev/null: %s", reason(errno));
            return DS_EIO;
        }
    } else if (o->kind == K_NONE) {
        if (o->open_errno == EISDIR)
            say(s, "%s: is a directory", o->name);
        else
            say(s, "%s: %s", shown(o), reason(o->open_errno));
        return DS_EIO;
    }
    if (ds_mpi_rank() != 0) {
        /* /dev/null, opened above */
    } else if (o->kind == K_DIRECT) {
        if ((o->fd = fcntl(o->fd_alias, F_DUPFD_CLOEXEC, 3)) < 0) {
            say(s, "cannot write %s: %s", shown(o), reason(errno));
            return DS_EIO;
        }
    } else if (o->kind == K_SPECIAL) {
        if ((o->fd = open(o->name, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0) {
            say(s, "%s: %s", o->name, reason(errno));
            return DS_EIO;
        }
    } else if ((rc = create_tmp(s, o)) != DS_OK) {
        return rc;
    }
    if (!(o->f = stream_of(o))) {
        say(s, "%s: out of memory", o->name);
        return DS_ENOMEM;
    }
    return DS_OK;
}

int ds_outfiles_open(ds_outfiles *s)
{
    for (size_t i = 0; i < s->n; i++) {
        int rc = open_one(s, &s->out[i]);
        if (rc != DS_OK) {
            ds_outfiles_abort(s);
            return rc;
        }
    }
    return DS_OK;
}

/* Close o's stream; the errno of what failed (0: all went out). */
static int close_stream(ds_outfile *o, int sync)
{
    FILE *f = o->f;
    int e = 0;

    o->f = NULL;
    if (fflush(f) != 0 || ferror(f))
        e = o->err ? o->err : EIO;
    /* A filesystem without fsync (EINVAL) has nothing more to flush. */
    else if (sync && fsync(o->fd) != 0 && errno != EINVAL && errno != ENOTSUP)
        e = errno;
    if (fclose(f) != 0 && !e)
        e = o->err ? o->err : EIO;
    return e;
}

/* Flush the directory of o's target after o's rename in it.  0 or the
 * errno.  The directory is the part of o->tmp before its last '/' (the
 * temporary was made there), so nothing is allocated once the output is in
 * place. */
static int sync_dir(ds_outfile *o)
{
    char *slash = strrchr(o->tmp, '/');
    int fd, e = 0;

    *slash = '\0';
    fd = open(o->tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        e = errno;
    *slash = '/';
    if (fd >= 0 && fsync(fd) != 0 && errno != EINVAL && errno != ENOTSUP)
        e = errno;
    if (fd >= 0)
        close(fd);
    return e;
}

/* 1 if o was renamed into place by ds_outfiles_commit. */
static int renamed(const ds_outfile *o)
{
    return o->kind == K_REPLACE && o->tmp && !o->tmp_live;
}

/* 1 if an output before i was renamed into the same directory. */
static int dir_done_before(const ds_outfiles *s, size_t i)
{
    const char *t = s->out[i].target;
    size_t n = (size_t)(base_of(t) - t);
    for (size_t j = 0; j < i; j++) {
        const char *u = s->out[j].target;
        if (renamed(&s->out[j]) && (size_t)(base_of(u) - u) == n && memcmp(t, u, n) == 0)
            return 1;
    }
    return 0;
}

int ds_outfiles_commit(ds_outfiles *s)
{
    sigset_t old;
    int failed = 0;

    /* 1: every output complete and on disk, or none is renamed. */
    for (size_t i = 0; i < s->n; i++) {
        ds_outfile *o = &s->out[i];
        int e;
        if (!o->f)
            continue;
        if ((e = close_stream(o, o->kind == K_REPLACE)) != 0) {
            say(s, "cannot write %s: %s", shown(o), reason(e));
            failed = 1;
        }
    }
    if (failed) {
        ds_outfiles_abort(s);
        return DS_EIO;
    }
    /* 2: rename them all, uninterrupted. */
    block_interrupts(&old);
    for (size_t i = 0; i < s->n && !failed; i++) {
        ds_outfile *o = &s->out[i];
        if (!o->tmp_live)
            continue;
        if (rename(o->tmp, o->target) != 0) {
            say(s, "cannot write %s: %s", o->name, reason(errno));
            failed = 1;
        } else {
            o->tmp_live = 0;
        }
    }
    if (!failed) {
        /* Done: a signal from now on only asks to stop. */
        sig_coop = 1;
        sig_set = NULL;
    }
    restore_mask(&old);
    /* A rename fails only when the directory changed under dealsim; the
     * outputs renamed before it cannot be put back, so say which they are. */
    for (size_t i = 0; i < s->n && failed; i++)
        if (renamed(&s->out[i]))
            say(s, "%s was replaced all the same", s->out[i].name);
    /* 3: the renames on disk: each directory once. */
    for (size_t i = 0; i < s->n && !failed; i++) {
        ds_outfile *o = &s->out[i];
        int e;
        if (renamed(o) && !dir_done_before(s, i) && (e = sync_dir(o)) != 0) {
            say(s, "cannot write %s: flushing its directory: %s", o->name, reason(e));
            failed = 1;
        }
    }
    ds_outfiles_abort(s);
    return failed ? DS_EIO : DS_OK;
}

void ds_outfiles_abort(ds_outfiles *s)
{
    sigset_t old;

    for (size_t i = 0; i < s->n; i++) {
        ds_outfile *o = &s->out[i];
        if (o->f) {
            FILE *f = o->f;
            o->f = NULL;
            fclose(f); /* what a direct output has buffered goes out */
        }
        block_interrupts(&old);
        if (o->fd >= 0) {
            close(o->fd);
            o->fd = -1;
        }
        if (o->tmp_live) {
            unlink(o->tmp);
            o->tmp_live = 0;
        }
        free(o->tmp);
        o->tmp = NULL;
        restore_mask(&old);
        free(o->target);
        o->target = NULL;
    }
    /* Nothing left to remove, and s may go out of scope: from now on a
     * signal only asks to stop, and the command returns its own status. */
    block_interrupts(&old);
    if (sig_set == s) {
        sig_set = NULL;
        sig_coop = 1;
    }
    restore_mask(&old);
}

void ds_outfiles_finished(ds_outfile *o)
{
    /* A failure stays in the stream's error flag for the commit. */
    if (o && o->f && (o->kind == K_DIRECT || o->kind == K_SPECIAL))
        fflush(o->f);
}

void ds_outfiles_write_failed(ds_outfiles *s, const ds_outfile *o)
{
    say(s, "cannot write %s: %s", shown(o), reason(o->err));
    ds_outfiles_abort(s);
}

void ds_outfiles_interrupted(ds_outfiles *s)
{
    char msg[1024];
    ds_outfiles_abort(s);
    interrupted_note(s, msg, sizeof msg);
    fputs(msg, stderr);
}
