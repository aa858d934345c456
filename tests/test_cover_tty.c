/*
 * test_cover_tty.c - what dealsim does differently on a terminal, seen
 * through a pseudo-terminal: the progress line shows by itself (no
 * --progress) once a run takes a second, is redrawn in place with '\r' and
 * cleared before the last message; and run and compare print a table, not
 * CSV, when standard output is a terminal.
 */
#define _GNU_SOURCE /* posix_openpt, ptsname */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <termios.h>

#include "cli_util.h"

#define JAPAN DS_SOURCE_DIR "/scenarios/japan_us_2025.json"
#define MINIMAL DS_TEST_DIR "/data/good/minimal.json"
#define CMP DS_TEST_DIR "/data/compare/"

static char *dir;

static void setup(void) { dir = cli_tmpdir(); }
static void teardown(void) { cli_rmdir(dir); }

TestSuite(cover_tty, .init = setup, .fini = teardown, .timeout = 300);

/* A pseudo-terminal in raw mode (no "\n" -> "\r\n"): its master, and the
 * slave's name in *slave_name.  The slave stays open in *keep until the
 * test closes it, so that the master can be read before the command opens
 * it and after it has exited. */
static int open_pty(char *slave_name, size_t n, int *keep)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    cr_assert_geq(master, 0);
    cr_assert_eq(grantpt(master), 0);
    cr_assert_eq(unlockpt(master), 0);
    snprintf(slave_name, n, "%s", ptsname(master));
    int s = open(slave_name, O_RDWR | O_NOCTTY);
    struct termios tio;
    cr_assert_geq(s, 0);
    cr_assert_eq(tcgetattr(s, &tio), 0);
    cfmakeraw(&tio);
    cr_assert_eq(tcsetattr(s, TCSANOW, &tio), 0);
    *keep = s;
    return master;
}

/* Start argv with descriptor `fd` (1 or 2) on the terminal `slave`, the
 * other one to a file in dir (read back by cli_wait). */
static pid_t start_on(const char *slave, int fd, char *const argv[])
{
    char other[700];
    snprintf(other, sizeof other, "%s/%s", dir, fd == 1 ? ".stderr" : ".stdout");
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        int t = open(slave, O_RDWR | O_NOCTTY);
        int o = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int in = open("/dev/null", O_RDONLY);
        dup2(in, 0);
        dup2(t, fd);
        dup2(o, fd == 1 ? 2 : 1);
        signal(SIGINT, SIG_DFL);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

/* 1 once pid has exited (not reaped: cli_wait does that). */
static int exited(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid;
}

/* Append what the terminal shows to buf (size cap) until `until` is in it,
 * or (until NULL) pid has exited and all it wrote is read; at most
 * `seconds`.  Returns 1 when that came. */
static int collect(int master, char *buf, size_t cap, const char *until, pid_t pid,
                   int seconds)
{
    size_t n = strlen(buf);
    for (int waited = 0; waited < seconds * 10;) {
        int gone = until == NULL && exited(pid);
        struct pollfd p = {master, POLLIN, 0};
        int r = poll(&p, 1, gone ? 0 : 100);
        if (r == 0) {
            if (gone)
                return 1;
            waited++;
            continue;
        }
        ssize_t got = read(master, buf + n, cap - 1 - n);
        if (got <= 0)
            return 0;
        n += (size_t)got;
        buf[n] = '\0';
        if (until && strstr(buf, until))
            return 1;
        if (n + 1 >= cap)
            return 0;
    }
    return 0;
}

/* On a terminal the line comes without --progress, is redrawn in place,
 * and is wiped before the message that the run was interrupted. */
Test(cover_tty, progress_line_on_a_terminal)
{
    char slave[128];
    static char buf[1 << 16];
    int keep, master = open_pty(slave, sizeof slave, &keep);
    char *argv[] = {DS_BIN, "run", JAPAN, "-n", "1e12", "-j", "2", "--format", "csv", NULL};
    pid_t pid = start_on(slave, 2, argv);
    buf[0] = '\0';
    int shown = collect(master, buf, sizeof buf, "draws/s", pid, 60);
    kill(pid, SIGINT);
    cr_assert(collect(master, buf, sizeof buf, NULL, pid, 60), "no end: %s", buf);
    cli_result r = cli_wait(dir, pid);
    close(keep);
    close(master);
    cr_assert(shown, "no progress line within a minute: %s", buf);
    cr_assert_eq(r.status, 130);
    cr_assert_eq(buf[0], '\r', "the line starts at column 0: %s", buf);
    cr_assert(strstr(buf, "/1000000000000 draws  "), "%s", buf);
    char wipe[160];
    snprintf(wipe, sizeof wipe, "\r%72s\rdealsim run: interrupted; no output written\n", "");
    const char *end = buf + strlen(buf) - strlen(wipe);
    cr_assert(end >= buf && strcmp(end, wipe) == 0, "not wiped before the message: %s", buf);
    cr_assert(!memchr(buf, '\n', (size_t)(end - buf)),
              "the line is redrawn in place, not one line per update: %s", buf);
    cr_assert_str_eq(r.out, "");
    cli_free(&r);
}

/* Standard output on a terminal: run and compare print a table. */
Test(cover_tty, a_table_by_default_on_a_terminal)
{
    char slave[128];
    static char buf[1 << 16];
    char *run[] = {DS_BIN, "run", MINIMAL, "-n", "100", NULL};
    char *cmp[] = {DS_BIN, "compare", CMP "summary_a.csv", CMP "summary_b.csv", NULL};
    char *const *argvs[] = {run, cmp};
    const char *csv_start[] = {"strategy,draws,", "strategy,metric,"};
    const char *table_has[] = {"\nnothing  ", "\ninvest      deficit_mean   60.25  59.25     -1  -1.41\n"};
    for (int i = 0; i < 2; i++) {
        int keep, master = open_pty(slave, sizeof slave, &keep);
        pid_t pid = start_on(slave, 1, argvs[i]);
        buf[0] = '\0';
        cr_assert(collect(master, buf, sizeof buf, NULL, pid, 60), "no end: %s", buf);
        cli_result r = cli_wait(dir, pid);
        close(keep);
        close(master);
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_assert(!strstr(buf, csv_start[i]), "CSV on a terminal: %s", buf);
        cr_assert(strstr(buf, table_has[i]), "not the table: %s", buf);
        cli_free(&r);
    }
    /* the same commands into a file give CSV */
    for (int i = 0; i < 2; i++) {
        cli_result r = cli_wait(dir, cli_start(dir, (char *const *)argvs[i]));
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_assert(strncmp(r.out, csv_start[i], strlen(csv_start[i])) == 0, "%s", r.out);
        cli_free(&r);
    }
}
