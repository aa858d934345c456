/*
 * test_cover_outfile.c - the output-file set of cli_outfile.c, driven
 * directly: the limits of a set, empty names, names that are descriptors
 * or directories, a descriptor that cannot be duplicated, terminals, when
 * a direct output's bytes go out, and what SIGINT, SIGTERM and SIGPIPE do
 * to temporaries while outputs are open.  A signal ends the process, so
 * those cases run in a forked child and the parent checks its status, what
 * it said and what it left.
 */
#define _GNU_SOURCE /* as cli_outfile.c, included below */
#include <signal.h>
#include <unistd.h>

/* A coverage build (tools/coverage.sh defines DS_GCOV) writes the counts
 * of a child before it ends by _exit() or by a signal, which skip the
 * write at exit: the signal handler's own _exit() and raise() are routed
 * through here, as are the children's. */
#ifdef DS_GCOV
void __gcov_dump(void);
#define GCOV_DUMP() __gcov_dump()
#else
#define GCOV_DUMP() ((void)0)
#endif

static _Noreturn void child_exit(int status)
{
    GCOV_DUMP();
    _exit(status);
}

static int child_raise(int sig)
{
    GCOV_DUMP();
    return raise(sig);
}

#define _exit child_exit
#define raise child_raise
#include "cli_outfile.c"
#undef _exit
#undef raise

#include <criterion/criterion.h>
#include <dirent.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>

#include "cli_util.h"

static char *dir;

static void setup(void) { dir = cli_tmpdir(); }
static void teardown(void) { cli_rmdir(dir); }

TestSuite(cover_outfile, .init = setup, .fini = teardown, .timeout = 120);

/* dir/name in buf (an array). */
#define AT(buf, name) (snprintf(buf, sizeof buf, "%s/%s", dir, name), buf)

/* Names in dir other than "." and "..". */
static size_t entries(void)
{
    DIR *dp = opendir(dir);
    size_t n = 0;
    cr_assert(dp);
    for (struct dirent *e; (e = readdir(dp));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(dp);
    return n;
}

/* Redirect stderr to dir/.err until stderr_end, which returns what was
 * written (caller frees). */
static int saved_err = -1;

static void stderr_begin(void)
{
    char path[600];
    int fd = open(AT(path, ".err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq(fd, 0);
    fflush(stderr);
    saved_err = dup(2);
    dup2(fd, 2);
    close(fd);
}

static char *stderr_end(void)
{
    char path[600];
    fflush(stderr);
    dup2(saved_err, 2);
    close(saved_err);
    char *t = cli_read_file(AT(path, ".err"), NULL);
    unlink(path);
    return t;
}

/* ---- the set -------------------------------------------------------------- */

/* A set holds DS_OUTFILES_MAX outputs and inputs; more, or a NULL name,
 * add nothing. */
Test(cover_outfile, limits_of_a_set)
{
    ds_outfiles s;
    ds_outfiles_init(&s, "test");
    cr_assert_null(ds_outfiles_add(&s, "-o", NULL));
    cr_assert_eq(s.n, 0);
    for (size_t i = 0; i < DS_OUTFILES_MAX; i++)
        cr_assert_not_null(ds_outfiles_add(&s, "-o", "-"));
    cr_assert_null(ds_outfiles_add(&s, "-o", "-"));
    cr_assert_eq(s.n, DS_OUTFILES_MAX);
    ds_outfiles_input(&s, "scenario", NULL);
    cr_assert_eq(s.n_in, 0);
    for (size_t i = 0; i < DS_OUTFILES_MAX; i++)
        ds_outfiles_input(&s, "scenario", "x.json");
    ds_outfiles_input(&s, "scenario", "y.json");
    cr_assert_eq(s.n_in, DS_OUTFILES_MAX);
    cr_assert_str_eq(s.in[DS_OUTFILES_MAX - 1], "x.json");
}

/* An empty name is refused by the check, named by its option (or as
 * "output" for a command's standard output), and nothing is opened. */
Test(cover_outfile, empty_names_are_refused)
{
    ds_outfiles s;
    char a[600];
    ds_outfiles_init(&s, "test");
    ds_outfiles_add(&s, "--json", "");
    ds_outfiles_add(&s, NULL, "");
    ds_outfiles_add(&s, "-o", AT(a, "a.csv"));
    stderr_begin();
    int rc = ds_outfiles_check(&s);
    char *err = stderr_end();
    cr_assert_eq(rc, DS_EINVAL);
    cr_assert_str_eq(err, "dealsim test: --json: the file name is empty\n"
                          "dealsim test: output: the file name is empty\n");
    free(err);
    cr_assert_eq(entries(), 0);
}

/* Run one output named `name` through check and open; the rc of open (or
 * of check when it fails) and what was said. */
static int open_one_name(const char *name, char **err)
{
    ds_outfiles s;
    int rc;
    ds_outfiles_init(&s, "test");
    ds_outfiles_add(&s, "-o", name);
    stderr_begin();
    rc = ds_outfiles_check(&s);
    if (rc == DS_OK)
        rc = ds_outfiles_open(&s);
    if (rc == DS_OK)
        ds_outfiles_abort(&s);
    *err = stderr_end();
    return rc;
}

/* Two dangling links to one new name in the root directory are the same
 * file, refused before anything is created there. */
Test(cover_outfile, new_names_in_the_root_directory_collide)
{
    char target[64], l1[600], l2[600];
    snprintf(target, sizeof target, "/dealsim-test-%ld-never-made", (long)getpid());
    cr_assert_eq(symlink(target, AT(l1, "l1")), 0);
    cr_assert_eq(symlink(target, AT(l2, "l2")), 0);
    ds_outfiles s;
    ds_outfiles_init(&s, "test");
    ds_outfiles_add(&s, "-o", l1);
    ds_outfiles_add(&s, "--json", l2);
    stderr_begin();
    int rc = ds_outfiles_check(&s);
    char *err = stderr_end();
    cr_assert_eq(rc, DS_EINVAL);
    char want[1400];
    snprintf(want, sizeof want, "dealsim test: -o %s and --json %s are the same file; give "
             "each output a file of its own\n", l1, l2);
    cr_assert_str_eq(err, want);
    free(err);
    cr_assert_eq(access(target, F_OK), -1);
}

/* "/dev/fd/" names a directory, not a descriptor; a number too large for
 * a descriptor is an ordinary name, here one that cannot be created. */
Test(cover_outfile, descriptor_names_that_are_not_descriptors)
{
    char *err;
    int rc = open_one_name("/dev/fd/", &err);
    cr_assert_eq(rc, DS_EIO);
    cr_assert_str_eq(err, "dealsim test: /dev/fd/: is a directory\n");
    free(err);
    rc = open_one_name("/dev/fd/99999999999", &err);
    cr_assert_eq(rc, DS_EIO);
    cr_assert(strncmp(err, "dealsim test: /dev/fd/99999999999: cannot create a file in "
                           "/dev/fd: ", 68) == 0, "%s", err);
    free(err);
}

/* Standard output cannot be duplicated when no descriptor is left: the
 * open fails and says so.  In a child, whose limit can be lowered. */
Test(cover_outfile, no_descriptor_left_for_standard_output)
{
    char errpath[600];
    AT(errpath, "child.err");
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        ds_outfiles s;
        struct rlimit rl, old;
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644), rc;
        dup2(fd, 2);
        close(fd);
        ds_outfiles_init(&s, "test");
        ds_outfiles_add(&s, NULL, "-");
        if (ds_outfiles_check(&s) != DS_OK || getrlimit(RLIMIT_NOFILE, &old) != 0)
            child_exit(3);
        rl = old;
        rl.rlim_cur = 3; /* the soft limit only, so that it can be raised again */
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            child_exit(3);
        rc = ds_outfiles_open(&s);
        if (setrlimit(RLIMIT_NOFILE, &old) != 0) /* room to write the counts */
            child_exit(5);
        child_exit(rc == DS_EIO ? 0 : 4);
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    char *err = cli_read_file(errpath, NULL);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status %d: %s", st, err);
    cr_assert(strncmp(err, "dealsim test: cannot write standard output: ", 44) == 0, "%s",
              err);
    free(err);
}

/* ---- when bytes go out ------------------------------------------------------ */

/* ds_outfiles_finished sends what a direct output has buffered; a file's
 * bytes wait in its temporary's buffer for the commit.  NULL is ignored. */
Test(cover_outfile, finished_flushes_direct_outputs_only)
{
    char direct[600], file[600], name[64];
    struct stat st;
    int fd = open(AT(direct, "direct"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert_geq(fd, 0);
    snprintf(name, sizeof name, "/dev/fd/%d", fd);
    ds_outfiles s;
    ds_outfiles_init(&s, "test");
    ds_outfile *d = ds_outfiles_add(&s, "--draws-out", name);
    ds_outfile *f = ds_outfiles_add(&s, "-o", AT(file, "file.csv"));
    cr_assert_eq(ds_outfiles_check(&s), DS_OK);
    cr_assert_eq(ds_outfiles_open(&s), DS_OK);
    fputs("direct\n", d->f);
    fputs("file\n", f->f);
    ds_outfiles_finished(NULL);
    ds_outfiles_finished(d);
    ds_outfiles_finished(f);
    cr_assert_eq(stat(direct, &st), 0);
    cr_assert_eq(st.st_size, 7);
    cr_assert_eq(stat(f->tmp, &st), 0);
    cr_assert_eq(st.st_size, 0, "a file's bytes went out before the commit");
    cr_assert_eq(ds_outfiles_commit(&s), DS_OK);
    char *t = cli_read_file(file, NULL);
    cr_assert_str_eq(t, "file\n");
    free(t);
    close(fd);
}

/* A terminal gets each line as it is written. */
Test(cover_outfile, a_terminal_is_line_buffered)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    cr_assert_geq(master, 0);
    cr_assert_eq(grantpt(master), 0);
    cr_assert_eq(unlockpt(master), 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    cr_assert_geq(slave, 0);
    struct termios tio;
    cr_assert_eq(tcgetattr(slave, &tio), 0);
    cfmakeraw(&tio);
    cr_assert_eq(tcsetattr(slave, TCSANOW, &tio), 0);

    char name[64], got[64];
    snprintf(name, sizeof name, "/dev/fd/%d", slave);
    ds_outfiles s;
    ds_outfiles_init(&s, "test");
    ds_outfile *o = ds_outfiles_add(&s, "-o", name);
    cr_assert_eq(ds_outfiles_check(&s), DS_OK);
    cr_assert_eq(ds_outfiles_open(&s), DS_OK);
    fputs("row 1\nrow", o->f); /* no flush */
    struct pollfd p = {master, POLLIN, 0};
    cr_assert_eq(poll(&p, 1, 5000), 1, "the line did not reach the terminal");
    ssize_t n = read(master, got, sizeof got - 1);
    cr_assert_eq(n, 6);
    got[n] = '\0';
    cr_assert_str_eq(got, "row 1\n");
    cr_assert_eq(ds_outfiles_commit(&s), DS_OK);
    n = read(master, got, sizeof got - 1);
    cr_assert_eq(n, 3);
    close(slave);
    close(master);
}

/* ---- signals while outputs are open ---------------------------------------- */

/* In a child: catch signals, open a new file a.csv, an existing file b.csv
 * and (when `direct`) standard output, write to each, then raise sig.  The
 * parent gets the child's status and its stderr. */
static int signalled_child(int sig, int direct, char **err)
{
    char a[600], b[600], e[600], o[600];
    AT(a, "a.csv");
    AT(b, "b.csv");
    AT(e, "child.err");
    AT(o, "child.out");
    cr_assert_eq(cli_write_file(b, "OLD\n"), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        static ds_outfiles s;
        int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fe, 2);
        dup2(fo, 1);
        signal(SIGPIPE, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        ds_outfiles_init(&s, "test");
        ds_outfile *oa = ds_outfiles_add(&s, "-o", a);
        ds_outfile *ob = ds_outfiles_add(&s, "--json", b);
        ds_outfile *od = direct ? ds_outfiles_add(&s, NULL, "-") : NULL;
        ds_outfiles_catch_signals(&s);
        if (ds_outfiles_check(&s) != DS_OK || ds_outfiles_open(&s) != DS_OK)
            child_exit(3);
        fputs("A\n", oa->f);
        fputs("B\n", ob->f);
        if (od) {
            fputs("D\n", od->f);
            ds_outfiles_finished(od);
        }
        fflush(oa->f);
        raise(sig); /* the handler's own _exit or raise writes the counts */
        child_exit(4); /* not reached: the signal ends the process */
    }
    int st;
    cr_assert_eq(waitpid(pid, &st, 0), pid);
    *err = cli_read_file(e, NULL);
    unlink(e);
    unlink(o);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Before the commit SIGINT and SIGTERM remove the temporaries, leave the
 * old file as it was, say so and exit 130. */
Test(cover_outfile, interrupt_before_the_commit_removes_temporaries)
{
    static const int sigs[] = {SIGINT, SIGTERM};
    char b[600];
    for (int i = 0; i < 2; i++) {
        char *err;
        int status = signalled_child(sigs[i], 0, &err);
        cr_assert_eq(status, 130, "%s: %d", strsignal(sigs[i]), status);
        cr_assert_str_eq(err, "dealsim test: interrupted; no output written\n");
        free(err);
        cr_assert_eq(entries(), 1, "a temporary or a.csv was left");
        char *t = cli_read_file(AT(b, "b.csv"), NULL);
        cr_assert_str_eq(t, "OLD\n");
        free(t);
    }
}

/* What already went to standard output stays there, and the note says so. */
Test(cover_outfile, interrupt_names_what_stays_on_standard_output)
{
    char *err;
    int status = signalled_child(SIGHUP, 1, &err);
    cr_assert_eq(status, 130);
    cr_assert_str_eq(err, "dealsim test: interrupted; what was already written to standard "
                          "output stays there, incomplete; no file written\n");
    free(err);
    cr_assert_eq(entries(), 1);
}

/* SIGPIPE removes the temporaries, then ends the process as it always does. */
Test(cover_outfile, broken_pipe_removes_temporaries_and_ends_the_process)
{
    char *err;
    int status = signalled_child(SIGPIPE, 0, &err);
    cr_assert_eq(status, 128 + SIGPIPE);
    cr_assert_str_eq(err, "");
    free(err);
    cr_assert_eq(entries(), 1);
}

/* After the commit there is nothing to remove: a signal only asks to stop. */
Test(cover_outfile, after_the_commit_a_signal_only_asks_to_stop)
{
    char a[600];
    ds_outfiles s;
    ds_outfiles_init(&s, "test");
    ds_outfile *o = ds_outfiles_add(&s, "-o", AT(a, "a.csv"));
    ds_outfiles_catch_signals(&s);
    cr_assert_eq(ds_outfiles_check(&s), DS_OK);
    cr_assert_eq(ds_outfiles_open(&s), DS_OK);
    fputs("A\n", o->f);
    cr_assert_eq(ds_outfiles_commit(&s), DS_OK);
    cr_assert_eq(ds_outfiles_stop, 0);
    raise(SIGINT);
    cr_assert_eq(ds_outfiles_stop, 1);
    char *t = cli_read_file(a, NULL);
    cr_assert_str_eq(t, "A\n");
    free(t);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
}
