/*
 * test_cover_cli.c - the command line's less travelled paths, end to end:
 * option syntax (`--`, attached values, too many operands), help modes that
 * exclude each other, documents that cannot be written, compare --z, sweep
 * arguments refused before any work, scenarios and outputs that are not
 * regular files, and output names that are descriptors, relative, long or
 * dangling links.  Each case checks the exit status, the message and what
 * is left on disk.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "cli_util.h"

#define MINIMAL DS_TEST_DIR "/data/good/minimal.json"
#define CMP DS_TEST_DIR "/data/compare/"

static char *dir;

static void setup(void) { dir = cli_tmpdir(); }
static void teardown(void) { cli_rmdir(dir); }

TestSuite(cover_cli, .init = setup, .fini = teardown, .timeout = 300);

/* dir/name in buf (an array). */
#define AT(buf, name) (snprintf(buf, sizeof buf, "%s/%s", dir, name), buf)

/* Names in d other than "." and "..", and the temporaries among them. */
static size_t entries(const char *d, size_t *tmps)
{
    DIR *dp = opendir(d);
    size_t n = 0;
    cr_assert(dp, "%s", d);
    if (tmps)
        *tmps = 0;
    for (struct dirent *e; (e = readdir(dp));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        n++;
        if (tmps && strstr(e->d_name, ".tmp-"))
            (*tmps)++;
    }
    closedir(dp);
    return n;
}

/* r exited with `status` and its stderr is exactly `err`. */
static void assert_failed(cli_result *r, int status, const char *err)
{
    cr_assert_eq(r->status, status, "exit %d, expected %d: %s", r->status, status, r->err);
    cr_assert_str_eq(r->err, err);
    cli_free(r);
}

/* ---- option syntax ------------------------------------------------------- */

/* After `--` every word is an operand, even one that starts with '-'. */
Test(cover_cli, double_dash_ends_the_options)
{
    cli_result r = cli_run(dir, "validate", "--", "-n", NULL);
    assert_failed(&r, 2, "-n: error: cannot read: No such file or directory\n");
    r = cli_run(dir, "validate", "--", MINIMAL, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
}

/* `dealsim --` names no command: the main usage on stderr, exit 2. */
Test(cover_cli, double_dash_alone_is_no_command)
{
    cli_result r = cli_run(dir, "--", NULL);
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(r.out, "");
    cr_assert(strncmp(r.err, "usage: dealsim <command> [arguments]\n", 37) == 0, "%s", r.err);
    cr_assert(strstr(r.err, "\ncommands:\n"), "%s", r.err);
    cli_free(&r);
}

Test(cover_cli, operands_beyond_what_a_command_takes)
{
    cli_result r = cli_run(dir, "scenario", "x", NULL);
    assert_failed(&r, 2, "dealsim scenario: takes no arguments, got 'x'\n"
                         "Try 'dealsim help scenario'.\n");
    r = cli_run(dir, "compare", "a", "b", "c", NULL);
    assert_failed(&r, 2, "dealsim compare: unexpected argument 'c' (more than 2)\n"
                         "Try 'dealsim help compare'.\n");
}

/* "--draws=" gives an empty value; a short flag takes no attached value;
 * a short option's value may be attached ("-n7"). */
Test(cover_cli, attached_option_values)
{
    cli_result r = cli_run(dir, "run", "--draws=", NULL);
    assert_failed(&r, 2, "dealsim run: --draws needs a value\nTry 'dealsim help run'.\n");
    r = cli_run(dir, "run", "-qx", NULL);
    assert_failed(&r, 2, "dealsim run: -q takes no value, got '-qx'\nTry 'dealsim help run'.\n");
    r = cli_run(dir, "run", MINIMAL, "-n7", "-s5", "--format", "csv", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\nnothing,7,"), "%s", r.out);
    cli_free(&r);
}

/* ---- help ---------------------------------------------------------------- */

Test(cover_cli, help_modes_exclude_each_other)
{
    cli_result r = cli_run(dir, "help", "--man", "--commands", NULL);
    assert_failed(&r, 2, "dealsim help: give one of --man, --completion and --commands\n"
                         "Try 'dealsim help help'.\n");
    r = cli_run(dir, "help", "--completion", "zsh", "--man", NULL);
    assert_failed(&r, 2, "dealsim help: give one of --man, --completion and --commands\n"
                         "Try 'dealsim help help'.\n");
    r = cli_run(dir, "help", "--commands", "run", NULL);
    assert_failed(&r, 2, "dealsim help: --commands takes no COMMAND, got 'run'\n"
                         "Try 'dealsim help help'.\n");
    r = cli_run(dir, "help", "--completion", "bash", "run", NULL);
    assert_failed(&r, 2, "dealsim help: --completion takes no COMMAND, got 'run'\n"
                         "Try 'dealsim help help'.\n");
}

/* Every generated document that cannot be written: exit 1 and the reason. */
Test(cover_cli, documents_that_cannot_be_written_exit_1)
{
    static const char *cases[][4] = {
        {"help", "--man", NULL, "help"},
        {"help", "--man", "run", "help"},
        {"help", "--man", "format", "help"},
        {"help", "--completion", "bash", "help"},
        {"help", "--completion", "zsh", "help"},
        {"help", "--commands", NULL, "help"},
        {"schema", NULL, NULL, "schema"},
        {"--help", NULL, NULL, "--help"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[200];
        cli_result r = cli_run_to(dir, "/dev/full", cases[i][0], cases[i][1], cases[i][2],
                                  NULL);
        snprintf(want, sizeof want,
                 "dealsim %s: cannot write standard output: No space left on device\n",
                 cases[i][3]);
        cr_assert_eq(r.status, 1, "%s %s: %d", cases[i][0], cases[i][1], r.status);
        cr_assert_str_eq(r.err, want, "%s %s", cases[i][0], cases[i][1]);
        cli_free(&r);
    }
}

/* ---- compare --z --------------------------------------------------------- */

/* The rows of summary_a/b have |z| = 1.41 (invest deficit_mean), 1.34
 * (invest p_deal) and 0.6 (tariff_cut deficit_mean), and two of z = 0
 * (test_compare.c); --z picks the threshold of --only-significant. */
Test(cover_cli, compare_z_sets_the_threshold)
{
    cli_result r = cli_run(dir, "compare", CMP "summary_a.csv", CMP "summary_b.csv",
                           "--only-significant", "--z", "1.4", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "strategy,metric,a,b,diff,z\n"
                            "invest,deficit_mean,60.25,59.25,-1,-1.414213562373095\n");
    cli_free(&r);
    r = cli_run(dir, "compare", CMP "summary_a.csv", CMP "summary_b.csv",
                "--only-significant", "--z=1.3e0", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\ninvest,deficit_mean,") && strstr(r.out, "\ninvest,p_deal,") &&
                  !strstr(r.out, "tariff_cut"),
              "%s", r.out);
    cli_free(&r);
    r = cli_run(dir, "compare", CMP "summary_a.csv", CMP "summary_b.csv",
                "--only-significant", "--z", "50", "--format", "table", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "(no metric with |z| >= 50)\n"), "%s", r.out);
    cli_free(&r);
}

Test(cover_cli, compare_z_must_be_a_finite_number_not_below_0)
{
    static const char *bad[] = {"-1", "abc", "inf", "1e999", "", "0x1", "1e", "nan"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[200];
        cli_result r = cli_run(dir, "compare", CMP "summary_a.csv", CMP "summary_b.csv",
                               "--z", bad[i], NULL);
        snprintf(want, sizeof want,
                 "dealsim compare: --z must be a number >= 0, got '%s'\n"
                 "Try 'dealsim help compare'.\n", bad[i]);
        assert_failed(&r, 2, want);
    }
}

/* ---- sweep arguments refused before any work ------------------------------ */

Test(cover_cli, sweep_arguments_refused_up_front)
{
    char o[600];
    cli_result r = cli_run(dir, "sweep", MINIMAL, "--vary", "simulation.draws=10,20", "-o",
                           AT(o, "s.csv"), NULL);
    assert_failed(&r, 2, MINIMAL ": error: --vary simulation.draws: every point of a sweep "
                                 "has the same draws; use -n\n");
    cr_assert_eq(cli_write_file(AT(o, "design.csv"), "protocol.rounds\n1\n2\n"), 0);
    r = cli_run(dir, "sweep", MINIMAL, "--design-file", o, "--samples", "3", NULL);
    assert_failed(&r, 2, "dealsim sweep: error: --samples needs --design lhs or sobol, "
                         "not --design-file\n");
    unlink(o);
    r = cli_run(dir, "sweep", MINIMAL, "--vary", "actors.trump.threshold=-1e308:1e308:3",
                NULL);
    assert_failed(&r, 2, "dealsim sweep: error: --vary actors.trump.threshold=-1e308:1e308:3: "
                         "range too wide\n");
    cr_assert_eq(entries(dir, NULL), 0);
}

/* ---- inputs that are not regular files ------------------------------------ */

Test(cover_cli, a_directory_is_not_a_scenario_or_a_csv)
{
    char want[900];
    cli_result r = cli_run(dir, "validate", dir, NULL);
    snprintf(want, sizeof want, "%s: error: cannot read: Is a directory\n", dir);
    assert_failed(&r, 2, want);
    r = cli_run(dir, "compare", dir, CMP "summary_b.csv", NULL);
    snprintf(want, sizeof want, "dealsim compare: %s: error: cannot read: Is a directory\n",
             dir);
    assert_failed(&r, 2, want);
}

/* A CSV from a pipe is read to its end, however long (compare reads it into
 * a growing buffer, as it cannot know its size). */
Test(cover_cli, compare_reads_a_csv_from_a_pipe)
{
    char *a = cli_read_file(CMP "summary_a.csv", NULL);
    size_t pad = 200000;
    int p[2];
    pid_t w;
    cr_assert(a);
    cr_assert_eq(pipe(p), 0);
    w = fork();
    cr_assert_geq(w, 0);
    if (w == 0) {
        /* Spaces after the last cell are part of it; a blank line after the
         * table is not a row: a long run of newlines makes it long. */
        size_t n = strlen(a);
        char *big = malloc(n + pad);
        memcpy(big, a, n);
        memset(big + n, '\n', pad);
        close(p[0]);
        _exit(write(p[1], big, n + pad) == (ssize_t)(n + pad) ? 0 : 1);
    }
    close(p[1]);
    char path[64];
    snprintf(path, sizeof path, "/dev/fd/%d", p[0]);
    cli_result r = cli_run(dir, "compare", path, CMP "summary_a.csv", NULL);
    close(p[0]);
    int st;
    waitpid(w, &st, 0);
    free(a);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strstr(r.out, "\ninvest,p_deal,0.5,0.5,0,0\n"), "%s", r.out);
    cli_free(&r);
}

/* ---- outputs by name ------------------------------------------------------ */

/* A socket is a special file that cannot be opened: exit 1, its reason. */
Test(cover_cli, output_to_a_socket)
{
    char sock[600], want[900];
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    cr_assert_geq(fd, 0);
    AT(sock, "sock");
    cr_assert_lt(strlen(sock), sizeof sa.sun_path);
    memcpy(sa.sun_path, sock, strlen(sock) + 1);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cli_result r = cli_run(dir, "run", MINIMAL, "-n", "10", "-o", sock, NULL);
    snprintf(want, sizeof want, "dealsim run: %s: No such device or address\n", sock);
    assert_failed(&r, 1, want);
    close(fd);
    cr_assert_eq(entries(dir, NULL), 1);
}

/* Names that cannot be files: under a regular file, or ending in a
 * directory part ("x/", "x/..") although x does not exist. */
Test(cover_cli, output_names_that_cannot_be_files)
{
    char f[600], name[700], want[900];
    cr_assert_eq(cli_write_file(AT(f, "f"), "F\n"), 0);
    snprintf(name, sizeof name, "%s/x", f);
    cli_result r = cli_run(dir, "run", MINIMAL, "-n", "10", "--json", name, NULL);
    snprintf(want, sizeof want, "dealsim run: %s: Not a directory\n", name);
    assert_failed(&r, 1, want);
    static const char *dirs[] = {"nodir/", "nodir/..", "nodir/."};
    for (size_t i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "%s/%s", dir, dirs[i]);
        r = cli_run(dir, "run", MINIMAL, "-n", "10", "-o", name, NULL);
        snprintf(want, sizeof want, "dealsim run: %s: is a directory\n", name);
        assert_failed(&r, 1, want);
    }
    cr_assert_eq(entries(dir, NULL), 1);
}

/* /dev/stderr and /proc/self/fd/N name descriptors, written as they are;
 * /dev/fd/N of a descriptor that is not open is refused. */
Test(cover_cli, outputs_named_by_descriptor)
{
    cli_result r = cli_run(dir, "run", MINIMAL, "-n", "10", "-o", "/dev/stderr", "-q", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.out, "");
    cr_assert(strncmp(r.err, "strategy,draws,", 15) == 0 && strstr(r.err, "\nnothing,10,"),
              "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "run", MINIMAL, "-n", "10", "-o", "/proc/self/fd/1", "-q", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strncmp(r.out, "strategy,draws,", 15) == 0, "%s", r.out);
    cli_free(&r);
    r = cli_run(dir, "run", MINIMAL, "-n", "10", "-o", "/dev/fd/57", NULL);
    assert_failed(&r, 1, "dealsim run: /dev/fd/57: Bad file descriptor\n");
    cr_assert_eq(entries(dir, NULL), 0);
}

/* A name without a directory part is created in the working directory. */
Test(cover_cli, relative_output_name)
{
    char path[600];
    cr_assert_eq(chdir(dir), 0);
    cli_result r = cli_run(dir, "run", MINIMAL, "-n", "10", "-o", "out.csv", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_str_eq(r.err, "dealsim run: wrote out.csv\n");
    cli_free(&r);
    char *t = cli_read_file(AT(path, "out.csv"), NULL);
    cr_assert(t && strncmp(t, "strategy,draws,", 15) == 0);
    free(t);
    size_t tmps;
    cr_assert_eq(entries(dir, &tmps), 1);
    cr_assert_eq(tmps, 0);
}

/* A 250-byte name still gets a temporary within the 255-byte limit. */
Test(cover_cli, long_output_name)
{
    char name[300], path[900];
    memset(name, 'n', 246);
    strcpy(name + 246, ".csv");
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cli_result r = cli_run(dir, "run", MINIMAL, "-n", "10", "-o", path, "-q", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
    char *t = cli_read_file(path, NULL);
    cr_assert(t && strncmp(t, "strategy,draws,", 15) == 0);
    free(t);
    size_t tmps;
    cr_assert_eq(entries(dir, &tmps), 1);
    cr_assert_eq(tmps, 0);
}

/* A dangling link is followed to the file it names, whether the link is
 * absolute or a relative one longer than a first guess at its size; the
 * link stays a link. */
Test(cover_cli, dangling_links_absolute_and_long)
{
    char sub[600], target[700], link[600], rel[400], link2[600];
    struct stat st;
    cr_assert_eq(mkdir(AT(sub, "sub"), 0755), 0);
    snprintf(target, sizeof target, "%s/t.csv", sub);
    cr_assert_eq(symlink(target, AT(link, "abs")), 0);
    size_t k = 0;
    while (k < 300)
        k += (size_t)snprintf(rel + k, sizeof rel - k, "./");
    snprintf(rel + k, sizeof rel - k, "sub/u.csv");
    cr_assert_eq(symlink(rel, AT(link2, "long")), 0);

    cli_result r = cli_run(dir, "run", MINIMAL, "-n", "10", "-o", link, "--json", link2,
                           "-q", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
    char *t = cli_read_file(target, NULL), *u = NULL;
    char upath[700];
    snprintf(upath, sizeof upath, "%s/u.csv", sub);
    u = cli_read_file(upath, NULL);
    cr_assert(t && strncmp(t, "strategy,draws,", 15) == 0, "%s", t ? t : "missing");
    cr_assert(u && u[0] == '{', "%s", u ? u : "missing");
    free(t);
    free(u);
    cr_assert_eq(lstat(link, &st), 0);
    cr_assert(S_ISLNK(st.st_mode));
    cr_assert_eq(lstat(link2, &st), 0);
    cr_assert(S_ISLNK(st.st_mode));
    size_t tmps;
    cr_assert_eq(entries(sub, &tmps), 2);
    cr_assert_eq(tmps, 0);
}

/* Two dangling links to the same new file collide before the run. */
Test(cover_cli, dangling_links_to_one_new_file_collide)
{
    char target[600], l1[600], l2[600], want[2000];
    AT(target, "new.csv");
    cr_assert_eq(symlink(target, AT(l1, "l1")), 0);
    cr_assert_eq(symlink("new.csv", AT(l2, "l2")), 0);
    cli_result r = cli_run(dir, "run", MINIMAL, "-n", "10", "-o", l1, "--draws-out", l2,
                           NULL);
    snprintf(want, sizeof want,
             "dealsim run: -o %s and --draws-out %s are the same file; give each output "
             "a file of its own\n", l1, l2);
    assert_failed(&r, 2, want);
    cr_assert(!cli_exists(target));
}

/* Every point of a sweep has the strategies, third parties and actors of
 * the first, in the same order, or its rows would not line up: a point
 * that changes their number or an id is invalid, and nothing is run. */
Test(cover_cli, sweep_points_must_keep_the_shape)
{
    char scen[600], o[600];
    cr_assert_eq(cli_write_file(AT(scen, "s.json"),
        "{\"dealsim\": 1, \"name\": \"shape\", \"baseline_deficit\": 60, \"elasticity\": 1.5,\n"
        " \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.2},\n"
        " \"lines\": [{\"id\": \"autos\", \"exports\": 50, \"current\": 0.025,\n"
        "            \"no_deal\": 0.25, \"deal\": 0.15}],\n"
        " \"packages\": [{\"id\": \"nothing\", \"items\": {}}],\n"
        " \"actors\": [{\"id\": \"trump\", \"role\": \"decider\", \"weights\": {\"deficit\": 1},\n"
        "             \"threshold\": 0.1}],\n"
        " \"protocol\": {\"rounds\": 3},\n"
        " \"third_parties\": [{\"id\": \"q\", \"retaliation\": {\"base\": 0, \"slope\": 0},\n"
        "                    \"cost_per_exposure\": 1}]}\n"), 0);
    /* PATH=SPEC, and the value of point 2 as the message shows it */
    static const char *const vary[][2] = {
        {"packages=[{\"id\":\"nothing\",\"items\":{}}],"
         "[{\"id\":\"nothing\",\"items\":{}},{\"id\":\"b\",\"items\":{}}]",
         "[{\"id\":\"nothing\",\"items\":{}},{\"id\":\"b\",\"items\":{}}]"},
        {"packages.nothing={\"id\":\"nothing\",\"items\":{}},{\"id\":\"other\",\"items\":{}}",
         "{\"id\":\"other\",\"items\":{}}"},
        {"actors.trump={\"id\":\"trump\",\"role\":\"decider\",\"weights\":{\"deficit\":1},"
         "\"threshold\":0.1},{\"id\":\"donald\",\"role\":\"decider\",\"weights\":"
         "{\"deficit\":1},\"threshold\":0.1}",
         "{\"id\":\"donald\",\"role\":\"decider\",\"weights\":{\"deficit\":1},"
         "\"threshold\":0.1}"},
        {"third_parties.q={\"id\":\"q\",\"retaliation\":{\"base\":0,\"slope\":0},"
         "\"cost_per_exposure\":1},{\"id\":\"r\",\"retaliation\":{\"base\":0,\"slope\":0},"
         "\"cost_per_exposure\":1}",
         "{\"id\":\"r\",\"retaliation\":{\"base\":0,\"slope\":0},\"cost_per_exposure\":1}"},
    };
    for (size_t i = 0; i < sizeof vary / sizeof vary[0]; i++) {
        char want[2000];
        cli_result r = cli_run(dir, "sweep", scen, "-n", "10", "--vary", vary[i][0], "-o",
                               AT(o, "out.csv"), NULL);
        snprintf(want, sizeof want,
                 "%s: error: point 2 (%.*s=%s) is invalid:\n"
                 "%s: error: the point changes the strategies, third parties or actors, "
                 "so its rows would not line up\n",
                 scen, (int)strcspn(vary[i][0], "="), vary[i][0], vary[i][1], scen);
        assert_failed(&r, 2, want);
        cr_assert(!cli_exists(o));
    }
}

/* A sweep keeps the models it validated for the run only up to a memory
 * budget (64 MiB by its estimate); the points past it are built again when
 * run, with the same results.  Here each model is about 7 MB (1024 items
 * scored on 64 dimensions), so of 11 points the last two are built again:
 * their rows must be those of a sweep of just those two points. */
Test(cover_cli, sweep_points_past_the_memory_budget_are_built_again)
{
    char scen[600], big[600], small[600];
    size_t cap = 1 << 17, n = 0;
    char *t = malloc(cap);
    n += (size_t)snprintf(t + n, cap - n,
        "{\"dealsim\": 1, \"name\": \"wide\", \"baseline_deficit\": 60, \"elasticity\": 1.5,\n"
        " \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.2},\n"
        " \"lines\": [{\"id\": \"autos\", \"exports\": 50, \"current\": 0.025,\n"
        "            \"no_deal\": 0.25, \"deal\": 0.15}],\n"
        " \"dimensions\": [");
    for (int d = 0; d < 64; d++)
        n += (size_t)snprintf(t + n, cap - n, "%s\"d%d\"", d ? "," : "", d);
    n += (size_t)snprintf(t + n, cap - n, "],\n \"items\": [");
    for (int i = 0; i < 1024; i++)
        n += (size_t)snprintf(t + n, cap - n,
                              "%s{\"id\": \"i%d\", \"deficit_effect\": -0.01, \"cost\": 0.01}",
                              i ? ",\n  " : "", i);
    n += (size_t)snprintf(t + n, cap - n,
        "],\n \"packages\": [{\"id\": \"some\", \"items\": {\"i1\": 1, \"i1023\": 2}}],\n"
        " \"actors\": [{\"id\": \"trump\", \"role\": \"decider\", \"weights\": {\"deficit\": 1},\n"
        "             \"threshold\": 0.1}],\n"
        " \"protocol\": {\"rounds\": 3}}\n");
    cr_assert_lt(n, cap);
    cr_assert_eq(cli_write_file(AT(scen, "wide.json"), t), 0);
    free(t);
    cli_result r = cli_run(dir, "sweep", scen, "-n", "50", "-j", "2", "--vary",
                           "actors.trump.threshold=0,0.01,0.02,0.03,0.04,0.05,0.06,0.07,0.08,"
                           "0.09,0.1", "-o", AT(big, "big.csv"), "-q", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
    r = cli_run(dir, "sweep", scen, "-n", "50", "-j", "1", "--vary",
                "actors.trump.threshold=0.09,0.1", "-o", AT(small, "small.csv"), "-q", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
    char *b = cli_read_file(big, NULL), *s = cli_read_file(small, NULL);
    cr_assert(b && s);
    /* rows: "P,VALUE,strategy,..."; compare everything after "P," */
    const char *rb[2], *rs[2];
    rb[0] = strstr(b, "\n10,");
    rb[1] = strstr(b, "\n11,");
    rs[0] = strstr(s, "\n1,");
    rs[1] = strstr(s, "\n2,");
    for (int i = 0; i < 2; i++) {
        cr_assert(rb[i] && rs[i], "%s\n%s", b, s);
        const char *x = strchr(rb[i] + 1, ','), *y = strchr(rs[i] + 1, ',');
        size_t lx = strcspn(x, "\n"), ly = strcspn(y, "\n");
        cr_assert(lx == ly && memcmp(x, y, lx) == 0, "point %d: %.*s\nalone: %.*s", 10 + i,
                  (int)lx, x, (int)ly, y);
    }
    cr_assert_eq(strncmp(b, s, strcspn(b, "\n")), 0, "same header");
    free(b);
    free(s);
}
