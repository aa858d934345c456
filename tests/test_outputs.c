/*
 * test_outputs.c - output files (SPEC §8): all or none, never colliding,
 * on disk before the rename, every write error named, no temporary left by
 * an error or a signal, links kept.  End-to-end runs of dealsim, and the
 * commit of cli_outfile.c compiled in here with fsync and rename wrapped, to
 * see their order and to make them fail.
 */
#define _GNU_SOURCE /* as cli_outfile.c, included below */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The commit's fsync and rename, recorded in order ('F' a file, 'D' a
 * directory, 'R' a rename) and failed on request (the n-th call). */
static char events[64];
static size_t n_events;
static int fsync_calls, rename_calls, fail_fsync_at, fail_rename_at;

static void hooks_reset(void)
{
    memset(events, 0, sizeof events);
    n_events = 0;
    fsync_calls = rename_calls = fail_fsync_at = fail_rename_at = 0;
}

static int hook_fsync(int fd)
{
    struct stat st;
    if (n_events + 1 < sizeof events)
        events[n_events++] = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) ? 'D' : 'F';
    if (++fsync_calls == fail_fsync_at) {
        errno = EIO;
        return -1;
    }
    return fsync(fd);
}

static int hook_rename(const char *from, const char *to)
{
    if (n_events + 1 < sizeof events)
        events[n_events++] = 'R';
    if (++rename_calls == fail_rename_at) {
        errno = EXDEV;
        return -1;
    }
    return rename(from, to);
}

#define fsync hook_fsync
#define rename hook_rename
#include "cli_outfile.c"
#undef fsync
#undef rename

#include <criterion/criterion.h>
#include <dirent.h>

#include "cli_util.h"

#define JAPAN DS_SOURCE_DIR "/scenarios/japan_us_2025.json"
#define GOLDEN DS_TEST_DIR "/golden/japan_us_2025.csv"
/* Far more draws than a test waits for: a run that got this far would
 * time out instead of exiting 2. */
#define FOREVER "1000000000000"

static char *dir;

static void setup(void) { dir = cli_tmpdir(); }
static void teardown(void) { cli_rmdir(dir); }

TestSuite(outputs, .init = setup, .fini = teardown, .timeout = 300);

/* dir/name in buf (an array). */
#define AT(buf, name) (snprintf(buf, sizeof buf, "%s/%s", dir, name), buf)

/* Temporaries (".NAME.tmp-XXXXXX") left in d. */
static size_t temporaries(const char *d)
{
    DIR *dp = opendir(d);
    size_t n = 0;
    cr_assert(dp, "%s", d);
    for (struct dirent *e; (e = readdir(dp));)
        n += strstr(e->d_name, ".tmp-") != NULL;
    closedir(dp);
    return n;
}

static void assert_contents(const char *path, const char *want)
{
    char *got = cli_read_file(path, NULL);
    cr_assert(got, "%s is missing", path);
    cr_assert_str_eq(got, want, "%s changed", path);
    free(got);
}

static void copy_file(const char *from, const char *to)
{
    char *t = cli_read_file(from, NULL);
    cr_assert(t, "%s", from);
    cr_assert_eq(cli_write_file(to, t), 0, "%s", to);
    free(t);
}

/* Run with a timeout; a command that should stop at once must. */
static cli_result run_quick(char *const argv[])
{
    int timed_out;
    cli_result r = cli_wait_timeout(dir, cli_start(dir, argv), 60, &timed_out);
    cr_assert(!timed_out, "%s did not stop before the run: %s", argv[1], r.err);
    return r;
}

/* ---- a failed run replaces none of its outputs ---------------------------- */

Test(outputs, failed_output_replaces_no_other)
{
    char keep[600], keepj[600];
    AT(keep, "keep.csv");
    AT(keepj, "keep.json");
    /* The per-draw rows of one draw are still buffered when the summary is
     * complete: the summary once was renamed before they failed. */
    cli_write_file(keep, "OLD\n");
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "1", "-o", keep, "--draws-out",
                           "/dev/full", NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "cannot write /dev/full: No space left on device"), "%s", r.err);
    assert_contents(keep, "OLD\n");
    cli_free(&r);

    r = cli_run(dir, "run", JAPAN, "-n", "100", "-o", keep, "--json", "/dev/full", NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "cannot write /dev/full: No space left on device"), "%s", r.err);
    assert_contents(keep, "OLD\n");
    cli_free(&r);

    /* Standard output that cannot be written: the JSON file stays as it was. */
    cli_write_file(keepj, "OLD\n");
    r = cli_run_to(dir, "/dev/full", "run", JAPAN, "-n", "100", "--format", "csv", "--json",
                   keepj, NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "cannot write standard output: No space left on device"), "%s",
              r.err);
    assert_contents(keepj, "OLD\n");
    cli_free(&r);
    cr_assert_eq(temporaries(dir), 0);
}

/* A regular file on a full disk (a file size limit makes the write fail with
 * EFBIG): exit 1, the file named with the reason, no partial file, and the
 * other outputs untouched. */
Test(outputs, regular_file_write_error_leaves_nothing)
{
    char keep[600], big[600], sw[600], sc[600], cmp[600], a[600];
    cli_opts o = {-1, -1, NULL, 0, 0, 8192};
    AT(keep, "keep.csv");
    AT(big, "big.json");
    AT(sw, "sweep.csv");
    AT(sc, "scenario.json");
    AT(cmp, "cmp.csv");
    AT(a, "a.csv");

    /* The summary (about 6 KB) fits, the JSON (about 31 KB) does not. */
    cli_write_file(keep, "OLD\n");
    cli_result r = cli_run_ex(dir, &o, "run", JAPAN, "-n", "100", "-o", keep, "--json", big,
                              NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "cannot write"), "%s", r.err);
    cr_assert(strstr(r.err, "big.json: File too large"), "%s", r.err);
    assert_contents(keep, "OLD\n");
    cr_assert(!cli_exists(big));
    cli_free(&r);

    r = cli_run_ex(dir, &o, "sweep", JAPAN, "--vary", "protocol.rounds=1,2,3,4,5,6", "-n",
                   "100", "-o", sw, NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "sweep.csv: File too large"), "%s", r.err);
    cr_assert(!cli_exists(sw));
    cli_free(&r);

    r = cli_run_ex(dir, &o, "scenario", "-o", sc, NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "scenario.json: File too large"), "%s", r.err);
    cr_assert(!cli_exists(sc));
    cli_free(&r);

    /* compare writes about 20 KB for two summaries */
    copy_file(GOLDEN, a);
    r = cli_run_ex(dir, &o, "compare", a, GOLDEN, "-o", cmp, NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "cmp.csv: File too large"), "%s", r.err);
    cr_assert(!cli_exists(cmp));
    cli_free(&r);
    cr_assert_eq(temporaries(dir), 0);
}

/* Every command names the file and the system's reason, never "Success". */
Test(outputs, write_errors_name_file_and_reason)
{
    static const char *const cmds[][8] = {
        {"run", JAPAN, "-n", "100", "--json", "/dev/full", NULL},
        {"run", JAPAN, "-n", "100", "-o", "/dev/full", NULL},
        {"run", JAPAN, "-n", "100", "--inputs-out", "/dev/full", "-o", "/dev/null"},
        {"sweep", JAPAN, "--vary", "protocol.rounds=1,2", "-n", "100", "-o", "/dev/full"},
        {"compare", GOLDEN, GOLDEN, "-o", "/dev/full", NULL},
        {"scenario", "-o", "/dev/full", NULL},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char *argv[12] = {DS_BIN};
        for (size_t k = 0; k < 8 && cmds[i][k]; k++)
            argv[k + 1] = (char *)cmds[i][k];
        cli_result r = cli_wait(dir, cli_start(dir, argv));
        cr_assert_eq(r.status, 1, "%s: %s", cmds[i][0], r.err);
        cr_assert(strstr(r.err, "cannot write /dev/full: No space left on device"), "%s: %s",
                  cmds[i][0], r.err);
        cr_assert(!strstr(r.err, "Success"), "%s", r.err);
        cli_free(&r);
    }
    /* The same to standard output. */
    cli_result r = cli_run_to(dir, "/dev/full", "compare", GOLDEN, GOLDEN, NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "cannot write standard output: No space left on device"), "%s",
              r.err);
    cli_free(&r);
    r = cli_run_to(dir, "/dev/full", "scenario", NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "cannot write standard output: No space left on device"), "%s",
              r.err);
    cli_free(&r);
}

/* ---- outputs never collide ------------------------------------------------ */

static void assert_usage_error(char *const argv[], const char *text)
{
    cli_result r = run_quick(argv);
    cr_assert_eq(r.status, 2, "%s %s: status %d: %s", argv[1], argv[3], r.status, r.err);
    cr_assert(strstr(r.err, text), "%s", r.err);
    cli_free(&r);
}

Test(outputs, same_file_twice_is_a_usage_error)
{
    char f[600], g[600], lg[600], dotf[600], dl[600], target[600], sub[600];
    AT(f, "f.csv");
    AT(g, "g.csv");
    AT(lg, "link-to-g");
    AT(dl, "dangling");
    AT(target, "target.csv");
    AT(sub, "sub");
    snprintf(dotf, sizeof dotf, "%s/sub/../f.csv", dir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    cli_write_file(g, "G\n");
    cr_assert_eq(symlink("g.csv", lg), 0);
    cr_assert_eq(symlink("target.csv", dl), 0);

    /* Two new names that are one. */
    char *a1[] = {DS_BIN, "run", JAPAN, "-o", f, "--json", f, "-n", FOREVER, NULL};
    assert_usage_error(a1, "same file");
    char *a2[] = {DS_BIN, "run", JAPAN, "-o", f, "--draws-out", dotf, "-n", FOREVER, NULL};
    assert_usage_error(a2, "same file");
    cr_assert(!cli_exists(f), "nothing is written");
    /* An existing file and a symbolic link to it. */
    char *a3[] = {DS_BIN, "run", JAPAN, "-o", g, "--json", lg, "-n", FOREVER, NULL};
    assert_usage_error(a3, "same file");
    assert_contents(g, "G\n");
    /* A dangling link and the name it points to. */
    char *a4[] = {DS_BIN, "run", JAPAN, "--draws-out", dl, "--json", target, "-n", FOREVER, NULL};
    assert_usage_error(a4, "same file");
    cr_assert(!cli_exists(target));
    cr_assert_eq(temporaries(dir), 0);
}

Test(outputs, output_that_is_an_input_is_a_usage_error)
{
    char x[600], hx[600], d[600], a[600], b[600], lb[600], out[600];
    AT(x, "x.json");
    AT(hx, "hard-x.json");
    AT(d, "design.csv");
    AT(a, "a.csv");
    AT(b, "b.csv");
    AT(lb, "link-to-b");
    AT(out, "out.txt");
    copy_file(JAPAN, x);
    copy_file(GOLDEN, a);
    copy_file(GOLDEN, b);
    cr_assert_eq(link(x, hx), 0);
    cr_assert_eq(symlink("b.csv", lb), 0);
    cli_write_file(d, "protocol.rounds\n1\n2\n");
    char *japan = cli_read_file(JAPAN, NULL), *golden = cli_read_file(GOLDEN, NULL);

    char *a1[] = {DS_BIN, "run", x, "-o", x, "-n", FOREVER, NULL};
    assert_usage_error(a1, "is the scenario");
    char *a2[] = {DS_BIN, "run", x, "--json", hx, "-n", FOREVER, NULL};
    assert_usage_error(a2, "is the scenario");
    char *a3[] = {DS_BIN, "sweep", x, "--design-file", d, "-o", d, "-n", FOREVER, NULL};
    assert_usage_error(a3, "is the design file");
    char *a4[] = {DS_BIN, "sweep", x, "--vary", "protocol.rounds=1,2", "-o", hx, "-n", FOREVER, NULL};
    assert_usage_error(a4, "is the scenario");
    char *a5[] = {DS_BIN, "compare", a, b, "-o", a, NULL};
    assert_usage_error(a5, "is the input");
    char *a6[] = {DS_BIN, "compare", a, b, "-o", lb, NULL};
    assert_usage_error(a6, "is the input");
    assert_contents(x, japan);
    assert_contents(a, golden);
    assert_contents(b, golden);
    assert_contents(d, "protocol.rounds\n1\n2\n");

    /* Standard output redirected to a file that is also an output. */
    char *a7[] = {DS_BIN, "run", JAPAN, "--json", out, "-n", FOREVER, NULL};
    int timed_out;
    cli_result r = cli_wait_timeout(dir, cli_start_io(dir, -1, out, a7), 60, &timed_out);
    cr_assert(!timed_out);
    cr_assert_eq(r.status, 2, "%s", r.err);
    cr_assert(strstr(r.err, "standard output are the same file"), "%s", r.err);
    cli_free(&r);
    free(japan);
    free(golden);
    cr_assert_eq(temporaries(dir), 0);
}

/* Special files are no collision: they are written to, never replaced, so
 * /dev/null may take every output and standard output several, in order. */
Test(outputs, special_files_may_take_several_outputs)
{
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "100", "-o", "/dev/null", "--json",
                           "/dev/null", "--draws-out", "/dev/null", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "run", JAPAN, "-n", "10", "-o", "-", "--json", "/dev/stdout", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strncmp(r.out, "strategy,", 9) == 0, "the CSV comes first: %.40s", r.out);
    cr_assert(strstr(r.out, "\n{"), "then the JSON");
    cli_free(&r);
}

/* /dev/stdout is the descriptor the shell opened, written as it is: a
 * regular file behind it keeps its inode (it is not replaced). */
Test(outputs, dev_stdout_is_written_not_replaced)
{
    char out[600];
    struct stat before, after;
    AT(out, "out.txt");
    cli_write_file(out, "");
    cr_assert_eq(stat(out, &before), 0);
    cli_result r = cli_run_to(dir, out, "run", JAPAN, "-n", "10", "-o", "/dev/stdout", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
    cr_assert_eq(stat(out, &after), 0);
    cr_assert_eq(before.st_ino, after.st_ino, "/dev/stdout was replaced");
    char *csv = cli_read_file(out, NULL);
    cr_assert(csv && strncmp(csv, "strategy,", 9) == 0);
    free(csv);
    cr_assert_eq(temporaries(dir), 0);
}

/* ---- links ---------------------------------------------------------------- */

Test(outputs, symbolic_links_stay_links)
{
    char dl[600], sub[600], dl2[600], t2[600], lk[600], t3[600];
    struct stat st;
    AT(dl, "dangling");
    AT(sub, "sub");
    AT(dl2, "dangling-into-sub");
    AT(t2, "sub/t.csv");
    AT(lk, "link");
    AT(t3, "existing.csv");
    cr_assert_eq(mkdir(sub, 0755), 0);
    cr_assert_eq(symlink("nowhere.csv", dl), 0);
    cr_assert_eq(symlink("sub/t.csv", dl2), 0);
    cr_assert_eq(symlink("existing.csv", lk), 0);
    cli_write_file(t3, "OLD\n");

    cli_result r = cli_run(dir, "run", JAPAN, "-n", "10", "-o", dl, "--json", dl2,
                           "--draws-out", lk, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
    for (int i = 0; i < 3; i++) {
        const char *l = i == 0 ? dl : i == 1 ? dl2 : lk;
        cr_assert_eq(lstat(l, &st), 0);
        cr_assert(S_ISLNK(st.st_mode), "%s is no longer a link", l);
    }
    char nowhere[600];
    char *csv = cli_read_file(AT(nowhere, "nowhere.csv"), NULL);
    cr_assert(csv && strncmp(csv, "strategy,", 9) == 0, "the link's target has the CSV");
    free(csv);
    char *json = cli_read_file(t2, NULL);
    cr_assert(json && json[0] == '{', "the target in sub/ has the JSON");
    free(json);
    char *draws = cli_read_file(t3, NULL);
    cr_assert(draws && strncmp(draws, "draw,", 5) == 0, "the existing target is replaced");
    free(draws);
    cr_assert_eq(temporaries(dir), 0);
    cr_assert_eq(temporaries(sub), 0);
}

/* A file with several hard links is refused before the run, both names
 * keep their contents. */
Test(outputs, hard_linked_output_is_refused)
{
    char f[600], h[600];
    AT(f, "f.csv");
    AT(h, "h.csv");
    cli_write_file(f, "OLD\n");
    cr_assert_eq(link(f, h), 0);
    char *argv[] = {DS_BIN, "run", JAPAN, "-o", f, "-n", FOREVER, NULL};
    assert_usage_error(argv, "has 2 hard links");
    assert_contents(f, "OLD\n");
    assert_contents(h, "OLD\n");
}

/* A replaced file keeps its mode; a new one gets 0666 less the umask. */
Test(outputs, modes_of_new_and_replaced_files)
{
    char f[600], n1[600];
    struct stat st;
    AT(f, "f.csv");
    AT(n1, "new.csv");
    cli_write_file(f, "OLD\n");
    cr_assert_eq(chmod(f, 0604), 0);
    mode_t old = umask(027);
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "10", "-o", f, "--json", n1, NULL);
    umask(old);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
    cr_assert_eq(stat(f, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0604, "%o", st.st_mode & 0777);
    cr_assert_eq(stat(n1, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0640, "%o", st.st_mode & 0777);
}

/* A temporary is removed on every error path: here the second output's
 * directory is missing after the first temporary was created. */
Test(outputs, failed_open_removes_earlier_temporaries)
{
    char ok[600];
    AT(ok, "ok.csv");
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "10", "-o", ok, "--json",
                           "/nonexistent-dir/x.json", NULL);
    cr_assert_eq(r.status, 1, "%s", r.err);
    cr_assert(strstr(r.err, "/nonexistent-dir"), "%s", r.err);
    cr_assert(!cli_exists(ok));
    cr_assert_eq(temporaries(dir), 0);
    cli_free(&r);
}

/* ---- signals -------------------------------------------------------------- */

/* compare interrupted while it reads its input (a FIFO the test holds
 * open, so the moment is certain): exit 130, no output, no temporary. */
Test(outputs, interrupted_compare_leaves_nothing)
{
    char fifo[600], b[600], out[600];
    AT(fifo, "a.fifo");
    AT(b, "b.csv");
    AT(out, "out.csv");
    copy_file(GOLDEN, b);
    char *golden = cli_read_file(GOLDEN, NULL);
    for (int sig = 0; sig < 2; sig++) {
        unlink(fifo);
        cr_assert_eq(mkfifo(fifo, 0644), 0);
        char *argv[] = {DS_BIN, "compare", fifo, b, "-o", out, NULL};
        pid_t pid = cli_start(dir, argv);
        int w = open(fifo, O_WRONLY); /* returns once compare reads it */
        cr_assert(w >= 0);
        cr_assert(write(w, golden, 200) == 200);
        cli_sleep_ms(100);
        cr_assert_eq(temporaries(dir), 1, "compare writes to a temporary");
        kill(pid, sig ? SIGTERM : SIGINT);
        cli_result r = cli_wait(dir, pid);
        close(w);
        cr_assert_eq(r.status, 130, "status %d: %s", r.status, r.err);
        cr_assert(strstr(r.err, "interrupted; no output written"), "%s", r.err);
        cr_assert(!cli_exists(out));
        cr_assert_eq(temporaries(dir), 0, "a temporary was left");
        cli_free(&r);
    }
    free(golden);
}

/* A sweep to standard output interrupted after some rows: those rows stay,
 * and the message says so instead of "no output written". */
Test(outputs, interrupted_sweep_to_stdout_says_what_stays)
{
    char *argv[] = {DS_BIN, "sweep", JAPAN, "--design", "lhs", "--samples", "5000",
                    "--vary", "protocol.rounds=1:10", "-n", "2000", "--progress", NULL};
    pid_t pid = cli_start(dir, argv);
    cr_assert(cli_stderr_has(dir, "draws/s", 60), "no progress within a minute");
    cli_sleep_ms(500);
    kill(pid, SIGINT);
    cli_result r = cli_wait(dir, pid);
    cr_assert_eq(r.status, 130, "%s", r.err);
    cr_assert(!strstr(r.err, "no output written"), "%s", r.err);
    cr_assert(strstr(r.err, "interrupted; what was already written to standard output "
                            "stays there, incomplete"), "%s", r.err);
    cr_assert(strncmp(r.out, "point,", 6) == 0, "%.40s", r.out);
    cr_assert(r.out_len > 0 && r.out[r.out_len - 1] == '\n', "rows end whole");
    cli_free(&r);
}

/* Started with SIGINT ignored (a background job of a script), run and
 * sweep stay ignoring it; SIGTERM still stops them cleanly. */
Test(outputs, inherited_ignored_sigint_stays_ignored)
{
    char out[600];
    cli_opts o = {-1, -1, NULL, 1, 0, 0};
    AT(out, "out.csv");
    for (int k = 0; k < 2; k++) {
        char *run[] = {DS_BIN, "run", JAPAN, "-n", FOREVER, "-o", out, "--progress", NULL};
        char *sweep[] = {DS_BIN, "sweep", JAPAN, "--vary", "protocol.rounds=1,2", "-n",
                         FOREVER, "-o", out, "--progress", NULL};
        pid_t pid = cli_start_ex(dir, &o, k ? sweep : run);
        cr_assert(cli_stderr_has(dir, "draws/s", 60), "no progress within a minute");
        kill(pid, SIGINT);
        cli_sleep_ms(500);
        siginfo_t si;
        memset(&si, 0, sizeof si);
        cr_assert_eq(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT), 0);
        cr_assert_eq(si.si_pid, 0, "%s ended on an ignored SIGINT", k ? "sweep" : "run");
        kill(pid, SIGTERM);
        cli_result r = cli_wait(dir, pid);
        cr_assert_eq(r.status, 130, "%s", r.err);
        cr_assert(!cli_exists(out));
        cr_assert_eq(temporaries(dir), 0);
        cli_free(&r);
    }
}

/* Standard output closed by its reader: SIGPIPE ends dealsim as usual, but
 * not before the other outputs' temporaries are removed; with SIGPIPE
 * ignored the write error is reported instead. */
Test(outputs, broken_pipe_leaves_no_temporary)
{
    char out[600];
    AT(out, "out.csv");
    for (int ignore = 0; ignore < 2; ignore++) {
        int p[2];
        cr_assert_eq(pipe(p), 0);
        cli_opts o = {-1, p[1], NULL, 0, ignore, 0};
        char *argv[] = {DS_BIN, "run", JAPAN, "-n", "20000", "--draws-out", "-", "-o", out,
                        NULL};
        close(p[0]);
        pid_t pid = cli_start_ex(dir, &o, argv);
        close(p[1]);
        cli_result r = cli_wait(dir, pid);
        if (ignore) {
            cr_assert_eq(r.status, 1, "%s", r.err);
            cr_assert(strstr(r.err, "cannot write standard output: Broken pipe"), "%s", r.err);
        } else {
            cr_assert_eq(r.status, 128 + SIGPIPE, "%d: %s", r.status, r.err);
        }
        cr_assert(!cli_exists(out));
        cr_assert_eq(temporaries(dir), 0);
        cli_free(&r);
    }
}

/* ---- the commit, step by step --------------------------------------------- */

/* Run fn with stderr going to a file; returns what it printed. */
static char *stderr_of(void (*fn)(void *), void *arg)
{
    char path[600];
    int saved = dup(2), fd = open(AT(path, ".err"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    fflush(stderr);
    dup2(fd, 2);
    close(fd);
    fn(arg);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    return cli_read_file(path, NULL);
}

typedef struct commit_case {
    ds_outfiles s;
    char a[600], b[600];
    int rc;
} commit_case;

/* Two outputs: a new a.csv and an existing b.csv ("OLD"), written "A" and
 * "B", then committed. */
static void commit_two(void *arg)
{
    commit_case *c = arg;
    ds_outfile *oa, *ob;
    ds_outfiles_init(&c->s, "test");
    oa = ds_outfiles_add(&c->s, "-o", c->a);
    ob = ds_outfiles_add(&c->s, "--json", c->b);
    cr_assert_eq(ds_outfiles_check(&c->s), DS_OK);
    cr_assert_eq(ds_outfiles_open(&c->s), DS_OK);
    fputs("A\n", oa->f);
    fputs("B\n", ob->f);
    c->rc = ds_outfiles_commit(&c->s);
}

static void commit_setup(commit_case *c)
{
    memset(c, 0, sizeof *c);
    AT(c->a, "a.csv");
    AT(c->b, "b.csv");
    cli_write_file(c->b, "OLD\n");
    hooks_reset();
}

/* Each file is on disk before any rename, each directory after. */
Test(outputs, commit_fsyncs_files_then_renames_then_directory)
{
    commit_case c;
    commit_setup(&c);
    char *err = stderr_of(commit_two, &c);
    cr_assert_eq(c.rc, DS_OK, "%s", err);
    cr_assert_str_eq(events, "FFRRD", "fsync each file, rename, fsync the directory once");
    assert_contents(c.a, "A\n");
    assert_contents(c.b, "B\n");
    cr_assert_eq(temporaries(dir), 0);
    free(err);
}

Test(outputs, failed_fsync_renames_nothing)
{
    commit_case c;
    commit_setup(&c);
    fail_fsync_at = 2;
    char *err = stderr_of(commit_two, &c);
    cr_assert_eq(c.rc, DS_EIO);
    cr_assert(!strchr(events, 'R'), "renamed after a failed fsync: %s", events);
    cr_assert(strstr(err, "dealsim test: cannot write "), "%s", err);
    cr_assert(strstr(err, "b.csv: Input/output error"), "%s", err);
    cr_assert(!cli_exists(c.a));
    assert_contents(c.b, "OLD\n");
    cr_assert_eq(temporaries(dir), 0);
    free(err);
}

Test(outputs, failed_rename_says_what_was_replaced)
{
    commit_case c;
    commit_setup(&c);
    fail_rename_at = 2;
    char *err = stderr_of(commit_two, &c);
    cr_assert_eq(c.rc, DS_EIO);
    cr_assert(strstr(err, "b.csv: Invalid cross-device link"), "%s", err);
    cr_assert(strstr(err, "a.csv was replaced all the same"), "%s", err);
    assert_contents(c.a, "A\n");
    assert_contents(c.b, "OLD\n");
    cr_assert_eq(temporaries(dir), 0);
    free(err);
}

Test(outputs, failed_directory_fsync_is_reported)
{
    commit_case c;
    commit_setup(&c);
    fail_fsync_at = 3;
    char *err = stderr_of(commit_two, &c);
    cr_assert_eq(c.rc, DS_EIO);
    cr_assert(strstr(err, "flushing its directory: Input/output error"), "%s", err);
    free(err);
}

/* The message of an interrupt says what went to a direct output. */
Test(outputs, interrupted_note_names_what_stays)
{
    ds_outfiles s;
    char buf[512];
    ds_outfiles_init(&s, "sweep");
    ds_outfiles_add(&s, NULL, "-")->kind = K_DIRECT;
    interrupted_note(&s, buf, sizeof buf);
    cr_assert_str_eq(buf, "dealsim sweep: interrupted; no output written\n");
    s.out[0].wrote = 1;
    ds_outfiles_add(&s, "-o", "x.csv")->kind = K_REPLACE;
    ds_outfiles_add(&s, "--json", "p.fifo")->kind = K_SPECIAL;
    s.out[2].wrote = 1;
    interrupted_note(&s, buf, sizeof buf);
    cr_assert_str_eq(buf, "dealsim sweep: interrupted; what was already written to standard "
                          "output and p.fifo stays there, incomplete; no file written\n");
}
