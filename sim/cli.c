/*
 * cli.c - `dealsim validate | help` and the global options.
 *
 * The only place that prints to the terminal or decides an exit status.  It
 * calls the library in flow order: scenario (load, --set, build).
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "dealsim/error.h"
#include "dealsim/scenario.h"

/* Most worker threads -j accepts: far above any machine this runs on, low
 * enough that a typo (-j 1000000) is an error rather than a hang. */
#define MAX_THREADS 1024

/* A run shorter than this shows no progress line (SPEC §8: "takes more than
 * about a second"). */
#define PROGRESS_DELAY_S 1.0

/* ---- help ----------------------------------------------------------- */

static const char HELP_MAIN[] =
"usage: dealsim <command> [arguments]\n"
"\n"
"dealsim simulates trade-deficit bargaining by Monte Carlo: for each\n"
"concession package or escalation strategy in a scenario file, how likely a\n"
"deal is, in which round, at what tariff, what it does to the deficit, what\n"
"the home side gains, who on the other side supports it, and how likely\n"
"third-party retaliation is.\n"
"\n"
"commands:\n"

"  validate SCENARIO...  check scenario files and print every problem\n"

"  help [COMMAND]        show help for a command\n"
"\n"
"options:\n"
"  -h, --help            show this help\n"
"  --version             show the version\n"
"\n"
"exit status: 0 success, 1 runtime failure (I/O, memory), 2 bad usage or\n"
"invalid scenario, 130 interrupted.\n"
"\n"
"Try:  dealsim validate       (the built-in Japan-US 2025 scenario)\n"
"      dealsim help validate\n";

static const char HELP_VALIDATE[] =
"usage: dealsim validate [SCENARIO...]\n"
"\n"
"Check each scenario file completely (SPEC sections 2-4: keys, types,\n"
"ranges, ids, references, limits) and print every problem found, one per\n"
"line on stderr:\n"
"  FILE:LINE:COL: error: MESSAGE     (JSON syntax)\n"
"  FILE: error: PATH: MESSAGE        (everything else, PATH by ids)\n"
"A valid file prints 'FILE: ok' on stdout.  Without a file, the built-in\n"
"scenario is checked.  Exit status 0 if every file is valid, else 2.\n"
"\n"
"options:\n"
"      --set PATH=VALUE  apply an override before validation (repeatable)\n"
"  -h, --help            show this help\n";

static int help(const char *cmd)
{
    if (!cmd)
        fputs(HELP_MAIN, stdout);

    else if (strcmp(cmd, "validate") == 0)
        fputs(HELP_VALIDATE, stdout);

    else {
        fprintf(stderr, "dealsim: no help for unknown command '%s'\n", cmd);
        return DS_EXIT_USAGE;
    }
    return DS_EXIT_OK;
}

/* ---- option parsing ----------------------------------------------------- */

static int usage_error(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "dealsim %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'dealsim help %s'.\n", cmd);
    return DS_EXIT_USAGE;
}

/* Match argv[*i] against a short and a long option that takes a value
 * ("-n 5", "-n5", "--draws 5", "--draws=5").  On a match stores the value in
 * *val (NULL when it is missing) and advances *i past it. */
static int opt_value(int argc, char **argv, int *i, const char *shrt,
                     const char *lng, const char **val)
{
    const char *a = argv[*i];
    size_t n;

    *val = NULL;
    if (shrt && strncmp(a, shrt, 2) == 0 && a[1] != '-') {
        if (a[2]) {
            *val = a + 2;
        } else if (*i + 1 < argc) {
            *val = argv[++*i];
        }
        return 1;
    }
    n = strlen(lng);
    if (strncmp(a, lng, n) == 0 && (a[n] == '\0' || a[n] == '=')) {
        if (a[n] == '=')
            *val = a + n + 1;
        else if (*i + 1 < argc)
            *val = argv[++*i];
        return 1;
    }
    return 0;
}

/* ---- scenario loading ------------------------------------------------- */

static void print_report(const ds_report *rep)
{
    for (size_t i = 0; i < rep->n; i++)
        fprintf(stderr, "%s\n", rep->msg[i]);
    if (rep->dropped)
        fprintf(stderr, "... and %zu more problems\n", rep->dropped);
}

/* Load `file` (NULL = built-in), apply the --set arguments and build the
 * model into *m (caller frees).  Prints every problem.  Returns DS_OK,
 * DS_EINVAL (problems printed) or DS_ENOMEM. */
static int load_model(const char *file, char **sets, int nsets, ds_model **m)
{
    ds_report rep;
    ds_scenario *s;
    int rc = DS_EINVAL;

    ds_report_init(&rep);
    *m = NULL;
    if (file)
        s = ds_scenario_load(file, &rep);
    else
        s = ds_scenario_parse(DS_BUILTIN_NAME, ds_builtin_scenario,
                              ds_builtin_scenario_len, &rep);
    if (s) {
        int bad = 0;
        for (int i = 0; i < nsets; i++)
            if (ds_scenario_set_arg(s, sets[i], &rep) != DS_OK)
                bad = 1;
        if (!bad)
            rc = ds_scenario_build(s, m, &rep);
    }
    print_report(&rep);
    if (rc == DS_OK && ds_report_count(&rep) > 0) {
        /* Never run a scenario that had any problem. */
        ds_model_free(*m);
        *m = NULL;
        rc = DS_EINVAL;
    }
    ds_scenario_free(s);
    ds_report_free(&rep);
    return rc;
}

/* ---- validate --------------------------------------------------------- */

static int cmd_validate(int argc, char **argv)
{
    char **files = calloc((size_t)argc + 1, sizeof *files);
    char **sets = calloc((size_t)argc + 1, sizeof *sets);
    int nfiles = 0, nsets = 0, status = DS_EXIT_OK;

    if (!files || !sets) {
        fprintf(stderr, "dealsim: out of memory\n");
        status = DS_EXIT_RUNTIME;
        goto done;
    }
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            status = help("validate");
            goto done;
        } else if (opt_value(argc, argv, &i, NULL, "--set", &v)) {
            if (!v) {
                status = usage_error("validate", "%s needs PATH=VALUE", "--set");
                goto done;
            }
            sets[nsets++] = (char *)v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            status = usage_error("validate", "unknown option '%s'", argv[i]);
            goto done;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
        ds_model *m = NULL;
        const char *name = nfiles ? files[i] : NULL;
        int rc = load_model(name, sets, nsets, &m);
        if (rc == DS_OK)
            printf("%s: ok\n", name ? name : DS_BUILTIN_NAME);
        else if (rc == DS_ENOMEM && status == DS_EXIT_OK)
            status = DS_EXIT_RUNTIME;
        else
            status = DS_EXIT_USAGE;
        ds_model_free(m);
    }
done:
    free(files);
    free(sets);
    return status;
}

/* ---- main ------------------------------------------------------------- */

int ds_cli_main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    /* GSL's default handler aborts; every GSL status is checked instead. */
    gsl_set_error_handler_off();
    if (!cmd) {
        fputs(HELP_MAIN, stderr);
        return DS_EXIT_USAGE;
    }
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0)
        return help(NULL);
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("dealsim %s (scenario format %d)\n", DS_VERSION, DS_FORMAT_VERSION);
        return DS_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0)
        return help(argc > 2 ? argv[2] : NULL);

    if (strcmp(cmd, "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);

    fprintf(stderr, "dealsim: unknown command '%s'\nTry 'dealsim --help'.\n", cmd);
    return DS_EXIT_USAGE;
}
