/*
 * cli_util.h - run the dealsim executable from a test and capture what it
 * printed.  Header-only, shared by the end-to-end tests.
 */
#ifndef DS_TEST_CLI_UTIL_H
#define DS_TEST_CLI_UTIL_H

#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Result of one command: exit status (or 128 + signal) and its output. */
typedef struct cli_result {
    int status;
    char *out;   /* stdout, NUL-terminated, malloc'd */
    size_t out_len;
    char *err;   /* stderr */
} cli_result;

static inline char *cli_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (len)
        *len = 0;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

/* How cli_start_ex starts a command. */
typedef struct cli_opts {
    int in_fd;            /* stdin; -1: /dev/null */
    int out_fd;           /* stdout to this descriptor when >= 0 ... */
    const char *out_path; /* ... else to this file; NULL: a file in dir,
                             read back by cli_wait */
    int ignore_sigint;    /* start with SIGINT ignored, as a shell starts a
                             background job of a script */
    int ignore_sigpipe;   /* start with SIGPIPE ignored (else its default) */
    long fsize;           /* > 0: RLIMIT_FSIZE in bytes, SIGXFSZ ignored, so
                             a write beyond it fails with EFBIG */
} cli_opts;

/* Start argv as o says, with stderr to a file in dir; returns the pid. */
static inline pid_t cli_start_ex(const char *dir, const cli_opts *o, char *const argv[])
{
    char out[1024], e[1024];
    pid_t pid;
    snprintf(out, sizeof out, "%s/.stdout", dir);
    snprintf(e, sizeof e, "%s/.stderr", dir);
    pid = fork();
    if (pid == 0) {
        int fo = o->out_fd >= 0 ? o->out_fd
                                : open(o->out_path ? o->out_path : out,
                                       O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fi = o->in_fd >= 0 ? o->in_fd : open("/dev/null", O_RDONLY);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        signal(SIGINT, o->ignore_sigint ? SIG_IGN : SIG_DFL);
        signal(SIGPIPE, o->ignore_sigpipe ? SIG_IGN : SIG_DFL);
        if (o->fsize > 0) {
            struct rlimit rl = {(rlim_t)o->fsize, (rlim_t)o->fsize};
            signal(SIGXFSZ, SIG_IGN);
            setrlimit(RLIMIT_FSIZE, &rl);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* Start argv with stdin from in_fd (-1: /dev/null), stdout to out_path
 * (NULL: a file in dir, read back by cli_wait) and stderr to a file in dir;
 * returns the pid. */
static inline pid_t cli_start_io(const char *dir, int in_fd, const char *out_path,
                          char *const argv[])
{
    cli_opts o = {in_fd, -1, out_path, 0, 0, 0};
    return cli_start_ex(dir, &o, argv);
}

/* Start argv with stdout/stderr redirected to files in dir; returns the pid. */
static inline pid_t cli_start(const char *dir, char *const argv[])
{
    return cli_start_io(dir, -1, NULL, argv);
}

static inline cli_result cli_wait(const char *dir, pid_t pid)
{
    cli_result r = {0};
    char o[1024], e[1024];
    int st = 0;
    waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    snprintf(o, sizeof o, "%s/.stdout", dir);
    snprintf(e, sizeof e, "%s/.stderr", dir);
    r.out = cli_read_file(o, &r.out_len);
    r.err = cli_read_file(e, NULL);
    if (!r.out)
        r.out = calloc(1, 1); /* stdout went elsewhere */
    unlink(o);
    unlink(e);
    return r;
}

/* Sleep for ms milliseconds. */
static inline void cli_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* cli_wait, but kill pid (SIGKILL) when it runs longer than `seconds`;
 * *timed_out tells whether it had to. */
static inline cli_result cli_wait_timeout(const char *dir, pid_t pid, double seconds,
                                   int *timed_out)
{
    *timed_out = 0;
    for (long waited = 0;; waited += 20) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            si.si_pid == pid)
            break; /* ended; cli_wait reaps it */
        if (waited >= (long)(seconds * 1000)) {
            kill(pid, SIGKILL);
            *timed_out = 1;
            break;
        }
        cli_sleep_ms(20);
    }
    return cli_wait(dir, pid);
}

/* 1 as soon as what the command started in dir wrote to stderr contains
 * `text`; 0 when it has not after `seconds`. */
static inline int cli_stderr_has(const char *dir, const char *text, double seconds)
{
    char e[1024];
    snprintf(e, sizeof e, "%s/.stderr", dir);
    for (long waited = 0; waited <= (long)(seconds * 1000); waited += 20) {
        char *t = cli_read_file(e, NULL);
        int found = t && strstr(t, text) != NULL;
        free(t);
        if (found)
            return 1;
        cli_sleep_ms(20);
    }
    return 0;
}

/* DS_BIN and the NULL-terminated arguments after `last` into argv[64]. */
#define CLI_ARGV(argv, last)                                        \
    do {                                                            \
        int n_ = 0;                                                 \
        va_list ap_;                                                \
        argv[n_++] = (char *)DS_BIN;                                \
        va_start(ap_, last);                                        \
        for (char *a_; n_ < 63 && (a_ = va_arg(ap_, char *));)      \
            argv[n_++] = a_;                                        \
        va_end(ap_);                                                \
        argv[n_] = NULL;                                            \
    } while (0)

/* Run DS_BIN with the given arguments (NULL-terminated) in dir. */
static inline cli_result cli_run(const char *dir, ...)
{
    char *argv[64];
    CLI_ARGV(argv, dir);
    return cli_wait(dir, cli_start(dir, argv));
}

/* The same with stdout written to out_path (e.g. /dev/full): the result's
 * `out` is then empty. */
static inline cli_result cli_run_to(const char *dir, const char *out_path, ...)
{
    char *argv[64];
    CLI_ARGV(argv, out_path);
    return cli_wait(dir, cli_start_io(dir, -1, out_path, argv));
}

/* Run DS_BIN with the given arguments as o says, and wait for it. */
static inline cli_result cli_run_ex(const char *dir, const cli_opts *o, ...)
{
    char *argv[64];
    CLI_ARGV(argv, o);
    return cli_wait(dir, cli_start_ex(dir, o, argv));
}

static inline void cli_free(cli_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

/* A fresh temporary directory (caller removes it with cli_rmdir). */
static inline char *cli_tmpdir(void)
{
    char *t = strdup("/tmp/dealsim-test-XXXXXX");
    return mkdtemp(t);
}

/* Write text to path (replacing it); 0 on success. */
static inline int cli_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

static inline void cli_rmdir(char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    free(dir);
}

static inline int cli_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

#endif
