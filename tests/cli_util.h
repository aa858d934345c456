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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Result of one command: exit status (or 128 + signal) and its output. */
typedef struct cli_result {
    int status;
    char *out;   /* stdout, NUL-terminated, malloc'd */
    size_t out_len;
    char *err;   /* stderr */
} cli_result;

static char *cli_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
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

/* Start argv with stdout/stderr redirected to files in dir; returns the pid. */
static pid_t cli_start(const char *dir, char *const argv[])
{
    char o[512], e[512];
    pid_t pid;
    snprintf(o, sizeof o, "%s/.stdout", dir);
    snprintf(e, sizeof e, "%s/.stderr", dir);
    pid = fork();
    if (pid == 0) {
        int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fi = open("/dev/null", O_RDONLY);
        dup2(fi, 0);
        dup2(fo, 1);
        dup2(fe, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static cli_result cli_wait(const char *dir, pid_t pid)
{
    cli_result r = {0};
    char o[512], e[512];
    int st = 0;
    waitpid(pid, &st, 0);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    snprintf(o, sizeof o, "%s/.stdout", dir);
    snprintf(e, sizeof e, "%s/.stderr", dir);
    r.out = cli_read_file(o, &r.out_len);
    r.err = cli_read_file(e, NULL);
    unlink(o);
    unlink(e);
    return r;
}

/* Run DS_BIN with the given arguments (NULL-terminated) in dir. */
static cli_result cli_run(const char *dir, ...)
{
    char *argv[64];
    int n = 0;
    va_list ap;
    argv[n++] = (char *)DS_BIN;
    va_start(ap, dir);
    for (char *a; n < 63 && (a = va_arg(ap, char *));)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    return cli_wait(dir, cli_start(dir, argv));
}

static void cli_free(cli_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

/* A fresh temporary directory (caller removes it with cli_rmdir). */
static char *cli_tmpdir(void)
{
    char *t = strdup("/tmp/dealsim-test-XXXXXX");
    return mkdtemp(t);
}

static void cli_rmdir(char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    free(dir);
}

static int cli_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

#endif
