/*
 * cli_opts.c - the command and option tables of the command line and the
 * parser that reads argv against them (see cli_opts.h).
 */
#include "cli_opts.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dealsim/design.h"
#include "suggest.h"

#define FIELD(f) offsetof(ds_cli_args, f)

static const char *const run_formats[] = {"table", "csv", "json", NULL};
static const char *const compare_formats[] = {"table", "csv", NULL};
static const char *const designs[] = {"grid", "lhs", "sobol", NULL};
static const char *const shells[] = {"bash", "zsh", NULL};
/* In the order of ds_opt_objective (optimize.h), from 1. */
static const char *const objectives[] = {"benefit", "deal", "deficit", NULL};

#define RUN_SWEEP (DS_CMD_RUN | DS_CMD_SWEEP | DS_CMD_OPTIMIZE)
/* The commands that run draws (SPEC §10: -n -s -j --set --progress -q
 * --strict): a new command of that kind adds its bit here. */
#define RUNS (RUN_SWEEP | DS_CMD_SENSITIVITY | DS_CMD_REPORT)
/* The commands that load a scenario, and so take --set and --strict: a new
 * command of that kind adds its bit here. */
#define SCENARIO_CMDS (RUNS | DS_CMD_VALIDATE)
#define OUT_CMDS (DS_CMD_SWEEP | DS_CMD_COMPARE | DS_CMD_SCENARIO)

/* The options.  A command shows its options in this order. */
const ds_cli_opt ds_cli_options[] = {
    /* sweep: the design */
    {0, "vary", "PATH=SPEC", DS_CLI_LIST, DS_CMD_SWEEP, FIELD(vary),
     .help = "vary PATH over SPEC; the first --vary varies slowest"},
    {0, "design", NULL, DS_CLI_ENUM, DS_CMD_SWEEP, FIELD(design), .values = designs,
     .help = "grid: every combination of the lists; lhs: a Latin hypercube; "
             "sobol: a Sobol sequence",
     .dflt = "grid"},
    {0, "samples", "N", DS_CLI_UINT, DS_CMD_SWEEP, FIELD(samples),
     .lo = 1, .hi = DS_DESIGN_MAX_POINTS,
     .help = "points of an lhs or sobol design"},
    {0, "design-file", "FILE", DS_CLI_FILE, DS_CMD_SWEEP, FIELD(design_file),
     .help = "take the points from a CSV whose header names the paths "
             "(e.g. written by SALib or the EMA Workbench)"},
    {0, "vary-seed", NULL, DS_CLI_FLAG, DS_CMD_SWEEP, FIELD(vary_seed), .set = 1,
     .help = "give point P (the `point` column, counted from 1) the seed + P - 1"},

    /* run and sweep */
    {'n', "draws", "N", DS_CLI_UINT, DS_CMD_RUN | DS_CMD_OPTIMIZE | DS_CMD_SENSITIVITY |
         DS_CMD_REPORT, FIELD(draws), .lo = 1, .hi = UINT64_MAX,
     .help = "number of draws",
     .dflt = "the scenario's simulation.draws, else 100000"},
    {'n', "draws", "N", DS_CLI_UINT, DS_CMD_SWEEP, FIELD(draws), .lo = 1, .hi = UINT64_MAX,
     .help = "draws per point", .dflt = "simulation.draws"},
    {'s', "seed", "S", DS_CLI_UINT, DS_CMD_RUN | DS_CMD_OPTIMIZE | DS_CMD_SENSITIVITY |
         DS_CMD_REPORT, FIELD(seed), .lo = 0, .hi = UINT64_MAX,
     .help = "random seed", .dflt = "simulation.seed"},
    {'s', "seed", "S", DS_CLI_UINT, DS_CMD_SWEEP, FIELD(seed), .lo = 0, .hi = UINT64_MAX,
     .help = "seed of every point; also seeds the lhs design",
     .dflt = "simulation.seed"},
    {'j', "threads", "N", DS_CLI_UINT, RUNS, FIELD(threads), .lo = 1, .hi = DS_CLI_MAX_THREADS,
     .help = "worker threads; results are byte-identical for any N",
     .dflt = "all cores"},

    /* outputs */
    {'o', "output", "FILE", DS_CLI_FILE, DS_CMD_RUN, FIELD(output),
     .help = "write the summary CSV to FILE ('-' = stdout)"},
    {'o', "output", "FILE", DS_CLI_FILE, OUT_CMDS, FIELD(output),
     .help = "write the output to FILE ('-' = stdout)", .dflt = "stdout"},
    {0, "draws-out", "FILE", DS_CLI_FILE, DS_CMD_RUN, FIELD(draws_out),
     .help = "also write one CSV row per (draw, strategy)"},
    {0, "inputs-out", "FILE", DS_CLI_FILE, DS_CMD_RUN, FIELD(inputs_out),
     .help = "also write one CSV row per draw: the drawn value of every dist "
             "that varies, a column per dist named by its path"},
    {0, "json", "FILE", DS_CLI_FILE, DS_CMD_RUN, FIELD(json),
     .help = "also write the summary and run metadata as JSON"},
    {0, "format", NULL, DS_CLI_ENUM, DS_CMD_RUN | DS_CMD_SENSITIVITY, FIELD(format),
     .values = run_formats, .help = "what goes to stdout without -o",
     .dflt = "table on a terminal, csv otherwise"},

    /* optimize */
    {'o', "output", "FILE", DS_CLI_FILE, DS_CMD_OPTIMIZE, FIELD(output),
     .help = "write the CSV of candidates to FILE ('-' = stdout)"},
    {0, "item", "ID=V1,V2,...", DS_CLI_LIST, DS_CMD_OPTIMIZE, FIELD(opt_items),
     .help = "the intensities tried for item ID (>= 0; 0 leaves it out)",
     .dflt = "0,1 for every item"},
    {0, "terms", "LINE=T1,T2,...", DS_CLI_LIST, DS_CMD_OPTIMIZE, FIELD(opt_terms),
     .help = "the tariffs the package may ask on line LINE, as fractions",
     .dflt = "the line's deal tariff, not varied"},
    {0, "max-cost", "X", DS_CLI_STR, DS_CMD_OPTIMIZE, FIELD(max_cost),
     .help = "feasible only if concession_cost_mean <= X (bn/yr)"},
    {0, "max-retaliation", "Q=P", DS_CLI_LIST, DS_CMD_OPTIMIZE, FIELD(max_ret),
     .help = "feasible only if p_retaliation_Q <= P, for third party Q"},
    {0, "min-deal", "P", DS_CLI_STR, DS_CMD_OPTIMIZE, FIELD(min_deal),
     .help = "feasible only if p_deal >= P"},
    {0, "objective", NULL, DS_CLI_ENUM, DS_CMD_OPTIMIZE, FIELD(objective), .values = objectives,
     .help = "the order of the rows (best first); deficit also adds deficit_mean "
             "(lower is better) to the front's objectives",
     .dflt = "benefit"},
    {0, "front-only", NULL, DS_CLI_FLAG, DS_CMD_OPTIMIZE, FIELD(front_only), .set = 1,
     .help = "write only the candidates on the Pareto front"},
    {0, "format", NULL, DS_CLI_ENUM, DS_CMD_OPTIMIZE, FIELD(format), .values = compare_formats,
     .help = "without -o: the table of the front, or the CSV",
     .dflt = "table on a terminal, csv otherwise"},

    /* sensitivity */
    {'o', "output", "FILE", DS_CLI_FILE, DS_CMD_SENSITIVITY, FIELD(output),
     .help = "write the CSV (a row per strategy, outcome and input) to FILE "
             "('-' = stdout)"},
    {0, "json", "FILE", DS_CLI_FILE, DS_CMD_SENSITIVITY, FIELD(json),
     .help = "also write the figures and run metadata as JSON"},
    {0, "strategy", "ID", DS_CLI_STR, DS_CMD_SENSITIVITY, FIELD(strategy),
     .help = "show only this strategy in the table", .dflt = "every strategy"},
    {0, "top", "N", DS_CLI_UINT, DS_CMD_SENSITIVITY, FIELD(top), .lo = 1,
     .hi = 1000000, .help = "inputs per outcome in the table", .dflt = "10"},
    /* report */
    {'o', "output", "FILE", DS_CLI_FILE, DS_CMD_REPORT, FIELD(output),
     .help = "write the HTML page to FILE (required; '-' = stdout)"},
    {0, "sweep", "FILE", DS_CLI_FILE, DS_CMD_REPORT, FIELD(report_sweep),
     .help = "also draw the response curves of this `dealsim sweep` CSV"},
    {0, "optimize", "FILE", DS_CLI_FILE, DS_CMD_REPORT, FIELD(report_optimize),
     .help = "also draw the candidates and Pareto front of this "
             "`dealsim optimize` CSV"},
    {0, "no-sensitivity", NULL, DS_CLI_FLAG, DS_CMD_REPORT, FIELD(no_sensitivity), .set = 1,
     .help = "leave out the drivers of each outcome (the tornado charts)"},
    {0, "no-timestamp", NULL, DS_CLI_FLAG, DS_CMD_REPORT, FIELD(no_timestamp), .set = 1,
     .help = "leave out the time the page was made, so that the same run gives "
             "the same bytes"},

    /* compare */
    {0, "format", NULL, DS_CLI_ENUM, DS_CMD_COMPARE, FIELD(format), .values = compare_formats,
     .help = "a table (largest |z| first) or CSV",
     .dflt = "table on a terminal, csv otherwise"},
    {0, "only-significant", NULL, DS_CLI_FLAG, DS_CMD_COMPARE, FIELD(only_significant),
     .set = 1, .help = "keep only rows with |z| >= the threshold"},
    {0, "z", "Z", DS_CLI_NUM, DS_CMD_COMPARE, FIELD(z), .lo_num = 0,
     .help = "the threshold of --only-significant", .dflt = "1.96"},

    /* the scenario */
    {0, "set", "PATH=VALUE", DS_CLI_LIST, SCENARIO_CMDS, FIELD(sets),
     .help = "change the scenario before validation, "
             "e.g. --set actors.trump.threshold=0.2"},
    {0, "strict", NULL, DS_CLI_FLAG, SCENARIO_CMDS, FIELD(strict), .set = 1,
     .help = "make every scenario warning (a value that is valid but most "
             "likely a mistake of units) an error: exit 2, nothing run or "
             "written"},

    /* messages */
    {0, "progress", NULL, DS_CLI_FLAG, RUNS, FIELD(progress), .set = DS_PROGRESS_ON,
     .help = "show a progress line with rate and ETA on stderr"},
    {0, "no-progress", NULL, DS_CLI_FLAG, RUNS, FIELD(progress), .set = DS_PROGRESS_OFF,
     .help = "never show it",
     .dflt = "shown on a terminal for runs longer than about a second"},
    {'q', "quiet", NULL, DS_CLI_FLAG, RUNS, FIELD(quiet), .set = 1,
     .help = "print nothing but results, warnings and errors"},

    /* help */
    {0, "man", NULL, DS_CLI_FLAG, DS_CMD_HELP, FIELD(man), .set = 1,
     .help = "print the manual page of COMMAND (or of dealsim) in roff"},
    {0, "completion", NULL, DS_CLI_ENUM, DS_CMD_HELP, FIELD(completion), .values = shells,
     .help = "print the completion script for that shell"},
    {0, "commands", NULL, DS_CLI_FLAG, DS_CMD_HELP, FIELD(commands), .set = 1,
     .help = "list the commands, one per line"},

    /* everyone */
    {'h', "help", NULL, DS_CLI_FLAG, DS_CMD_ALL, FIELD(help), .set = 1,
     .help = "show this help"},
    {'V', "version", NULL, DS_CLI_FLAG, DS_CMD_MAIN, FIELD(version), .set = 1,
     .help = "show the version"},
};
const size_t ds_cli_n_options = sizeof ds_cli_options / sizeof ds_cli_options[0];

const ds_cli_exit ds_cli_exits[] = {
    {DS_EXIT_OK, "success"},
    {DS_EXIT_RUNTIME, "runtime failure (I/O, memory)"},
    {DS_EXIT_USAGE, "bad usage or invalid scenario"},
    {DS_EXIT_INTERRUPT, "interrupted (Ctrl-C or SIGTERM)"},
};
const size_t ds_cli_n_exits = sizeof ds_cli_exits / sizeof ds_cli_exits[0];

/* The commands.  Row 0 is dealsim itself. */
const ds_cli_cmd ds_cli_commands[] = {
    {NULL, DS_CMD_MAIN, "Monte Carlo simulator of trade-deficit bargaining",
     "<command> [arguments]", DS_OPERAND_COMMAND, 0, 0,
     "dealsim simulates trade-deficit bargaining by Monte Carlo: for each\n"
     "concession package or escalation strategy in a scenario file, how likely a\n"
     "deal is, in which round, at what tariff, what it does to the deficit, what\n"
     "the home side gains, who on the other side supports it, and how likely\n"
     "third-party retaliation is.\n",
     NULL,
     "dealsim run\n"
     "dealsim run scenarios/japan_us_2025.json -n 1000000 -o summary.csv\n"
     "dealsim help run\n",
     NULL},
    {"run", DS_CMD_RUN, "simulate (default: the built-in Japan-US 2025 scenario)",
     "[SCENARIO]", DS_OPERAND_FILE, 0, 1,
     "Simulate every strategy of SCENARIO (a JSON file; default: the built-in\n"
     "Japan-US 2025 scenario) over many random draws and print a summary: one\n"
     "row per strategy with P(deal), the mean deal round, tariff, deficit,\n"
     "benefit to the home side, concession cost, retaliation and approval rates.\n",
     "Output files are written to a temporary name and renamed when complete;\n"
     "Ctrl-C stops promptly, leaves no partial file and exits with status 130.\n",
     "dealsim run\n"
     "dealsim run scenarios/japan_us_2025.json -n 1000000 -o summary.csv\n"
     "dealsim run my.json --set protocol.rounds=5 --format json\n",
     ds_cli_run},
    {"validate", DS_CMD_VALIDATE, "check scenario files and print every problem",
     "[SCENARIO...]", DS_OPERAND_FILE, 0, SIZE_MAX,
     "Check each scenario file completely (keys, types, ranges, ids,\n"
     "references, limits) and print every problem found, one per line on\n"
     "stderr:\n"
     "  FILE:LINE:COL: error: MESSAGE     (JSON syntax)\n"
     "  FILE: error: PATH: MESSAGE        (everything else, PATH by ids)\n"
     "A valid file prints 'FILE: ok' on stdout.  Without a file, the built-in\n"
     "scenario is checked.  Exit status 0 if every file is valid, else 2.\n"
     "\n"
     "A value that is valid but most likely a mistake of units (a tariff of 25\n"
     "meant as 25%: tariffs are fractions) is a warning, also on stderr:\n"
     "  FILE: warning: PATH: MESSAGE\n"
     "It does not make the file invalid, and 'FILE: ok (N warnings)' says how\n"
     "many there were; with --strict every warning is an error.\n",
     NULL,
     "dealsim validate my.json\n"
     "dealsim validate my.json --set protocol.rounds=0\n"
     "dealsim validate --strict scenarios/*.json\n",
     ds_cli_validate},
    {"sweep", DS_CMD_SWEEP, "one run per design point, as one long CSV table",
     "[SCENARIO] --vary PATH=SPEC ...\n"
     "[SCENARIO] --design-file FILE.csv\n",
     DS_OPERAND_FILE, 0, 1,
     "Run one Monte Carlo per design point and write one CSV row per (point,\n"
     "strategy): point, one column per varied path, then the summary columns of\n"
     "`dealsim run`.  Every point is validated before any is run.  Every point\n"
     "uses the same seed and draws (common random numbers, so response curves\n"
     "are smooth) unless --vary-seed is given.\n"
     "\n"
     "SPEC of --vary PATH=SPEC:\n"
     "  v1,v2,...    a list of values (grid design)\n"
     "  a:b:k        k evenly spaced values from a to b inclusive (grid),\n"
     "               rounded to 15 significant digits: 0:0.1:6 gives 0.06\n"
     "  a:b          a range (lhs and sobol designs)\n",
     "A warning about a point's scenario (see `dealsim help validate`) is\n"
     "printed once per distinct message, with the points it came from when\n"
     "not every point has it.  With --strict a point with a warning is\n"
     "invalid.\n",
     "dealsim sweep --vary actors.trump.threshold=0:0.6:7 -n 20000 -o t.csv\n"
     "dealsim sweep my.json --vary protocol.rounds=1,2,3 \\\n"
     "              --vary protocol.disconnect=0:0.4:5\n"
     "dealsim sweep my.json --design lhs --samples 200 \\\n"
     "              --vary home.margin=0.1:0.4 --vary elasticity=0.8:4\n",
     ds_cli_sweep},
    {"compare", DS_CMD_COMPARE, "line up two summary or sweep CSVs: A, B, B - A, z",
     "A.csv B.csv", DS_OPERAND_FILE, 2, 2,
     "Line up two summary CSVs (from `dealsim run`) or two sweep CSVs by\n"
     "strategy (and point) and write, per (strategy [, point], metric): A, B,\n"
     "B - A and, where both files have the metric's standard error, the z-score\n"
     "(B - A) / sqrt(seA^2 + seB^2).  Under common random numbers (the same seed)\n"
     "this z is conservative.  Files that do not line up are an error that says\n"
     "where.\n",
     NULL,
     "dealsim compare before.csv after.csv --only-significant\n",
     ds_cli_compare},
    {"optimize", DS_CMD_OPTIMIZE, "search the packages of the items: the best, and the Pareto front",
     "[SCENARIO]", DS_OPERAND_FILE, 0, 1,
     "Simulate every package that can be built from the scenario's items (and\n"
     "asked tariffs) on the same draws and mark those on the Pareto front of\n"
     "P(deal) and benefit (and the deficit with --objective deficit): no other\n"
     "feasible candidate is at least as good on each and better on one.\n"
     "\n"
     "Candidates are every combination of the items' intensities (--item;\n"
     "default 0,1 for every item) and of the tariffs asked on the lines given\n"
     "--terms, at most 1000000.  They are numbered from 1, the items in file\n"
     "order, then the --terms lines in file order, the first varying slowest:\n"
     "candidate N is the package and strategy cN, offered in every round, and\n"
     "its row is byte for byte that of `dealsim run` on the scenario holding\n"
     "that one package.  A candidate is feasible when it meets every\n"
     "constraint given (--max-cost, --max-retaliation, --min-deal).\n"
     "\n"
     "The CSV has one row per candidate: candidate, one column per item (its\n"
     "intensity), one per --terms line (terms.LINE), feasible, front (0/1),\n"
     "then the summary columns of `dealsim run`; best first by the objective\n"
     "(benefit and deal descending, deficit ascending), ties by candidate.\n"
     "On a terminal the table of the front is shown instead.\n",
     "Candidates are run in chunks of at most 160, sized to keep memory low;\n"
     "every chunk sees the same draws (common random numbers), so results do\n"
     "not depend on the chunks or on -j.  Ctrl-C stops promptly, leaves no\n"
     "partial file and exits with status 130.\n",
     "dealsim optimize -n 20000\n"
     "dealsim optimize --item lng=0,0.5,1 --terms autos=0.1,0.15 -o cands.csv\n"
     "dealsim optimize --max-cost 5 --max-retaliation china=0.2 --front-only\n",
     ds_cli_optimize},
    {"sensitivity", DS_CMD_SENSITIVITY, "which uncertain inputs drive each outcome",
     "[SCENARIO]", DS_OPERAND_FILE, 0, 1,
     "From one run of draws, for every strategy of SCENARIO (default: the\n"
     "built-in scenario), which uncertain inputs drive its outcomes: deal (0/1),\n"
     "benefit, deficit and deficit_end.  Every dist that varies is an input,\n"
     "named by its path.  Each input's draws are split by the input's own CDF\n"
     "into 20 equally likely bins (a discrete input: one bin per value), and\n"
     "for every (strategy, outcome, input) dealsim writes the first-order index\n"
     "(the share of the outcome's variance the input explains alone,\n"
     "bias-corrected, 0 to 1), low and high (the outcome's mean over the draws\n"
     "with the input in its lowest and in its highest tenth; for a discrete\n"
     "input its lowest and highest value) and swing = high - low.\n"
     "\n"
     "The CSV has a row per (strategy, outcome, input): strategy, outcome,\n"
     "input, index, low, high, swing, rank; inputs by |swing|, the largest\n"
     "first.  The table is a text tornado of the top inputs of deal and\n"
     "benefit per strategy.\n",
     "Results are byte-identical for any -j.  Output files are written to a\n"
     "temporary name and renamed when complete; Ctrl-C leaves no partial file.\n",
     "dealsim sensitivity\n"
     "dealsim sensitivity --strategy china_card --top 10\n"
     "dealsim sensitivity my.json -n 200000 -o drivers.csv --json drivers.json\n",
     ds_cli_sensitivity},
    {"report", DS_CMD_REPORT, "one self-contained HTML page with the charts of a run",
     "[SCENARIO] -o FILE.html", DS_OPERAND_FILE, 0, 1,
     "Run SCENARIO (default: the built-in Japan-US 2025 scenario) and write one\n"
     "HTML page for readers who would rather look than read: the run's\n"
     "metadata and sources, the summary table, P(deal) with 95% intervals, the\n"
     "deal rounds, the deficit (year 1 and the horizon's last) and benefit\n"
     "distributions with their 5%, 50% and 95% quantiles, the benefit given a\n"
     "deal and the share of deals that lose money, approvals by actor and\n"
     "strategy, retaliation, and per strategy the tornado of the inputs that\n"
     "drive deal and benefit most (the sensitivity of `dealsim sensitivity`,\n"
     "from the same draws).  With --sweep, each metric of a sweep against each\n"
     "varied path with +-2 standard-error bands; with --optimize, the\n"
     "candidates of an optimize run on P(deal) x benefit with the Pareto front.\n"
     "\n"
     "The page is self-contained: the charts are SVG written by dealsim, there\n"
     "is no script, and it loads no style, font or image, so it works offline\n"
     "and prints.  Every chart has its numbers in a table and a text\n"
     "alternative; colours are safe for colour-blind readers, and series also\n"
     "differ by marker shape.\n",
     "The page is byte-identical for any -j, apart from the time it was made;\n"
     "--no-timestamp leaves that out.  A sweep or optimize file that cannot be\n"
     "read is an error (exit 2) naming the file and line, before any draw.\n",
     "dealsim report -o report.html\n"
     "dealsim report my.json -n 200000 -o report.html --no-timestamp\n"
     "dealsim report --sweep sweep.csv --optimize best.csv -o report.html\n",
     ds_cli_report},
    {"scenario", DS_CMD_SCENARIO, "print the built-in scenario, to start a new one from",
     "", DS_OPERAND_NONE, 0, 0,
     "Print the built-in Japan-US 2025 scenario, byte for byte the file it was\n"
     "built from, so that a new scenario can be started from it.\n",
     NULL,
     "dealsim scenario -o my.json\n",
     ds_cli_scenario},
    /* Built when include/dealsim/format.h (ds_schema_write) is there:
     * see cmake/cli-docs.cmake. */
    {"schema", DS_CMD_SCHEMA, "print the JSON Schema of the scenario format",
     "", DS_OPERAND_NONE, 0, 0,
     "Print the JSON Schema (draft 2020-12) of the scenario format.  A scenario\n"
     "may name it with \"$schema\" so that editors check and complete it.\n",
     NULL,
     "dealsim schema > dealsim.schema.json\n",
     ds_cli_schema},
    {"help", DS_CMD_HELP, "show help for a command",
     "[COMMAND]", DS_OPERAND_COMMAND, 0, 1,
     "Show the help of COMMAND, or the list of commands.\n",
     NULL,
     "dealsim help run\n"
     "dealsim help --man run | man -l -\n"
     "source <(dealsim help --completion bash)\n",
     ds_cli_help},
};
const size_t ds_cli_n_commands = sizeof ds_cli_commands / sizeof ds_cli_commands[0];

const ds_cli_cmd *ds_cli_find(const char *name)
{
    for (size_t i = 1; i < ds_cli_n_commands; i++)
        if (strcmp(ds_cli_commands[i].name, name) == 0)
            return &ds_cli_commands[i];
    return NULL;
}

void ds_cli_unknown_command(const char *where, const char *name)
{
    const char *names[sizeof ds_cli_commands / sizeof ds_cli_commands[0]];
    const char *sg;
    size_t n = 0;

    for (size_t i = 1; i < ds_cli_n_commands; i++)
        names[n++] = ds_cli_commands[i].name;
    sg = ds_suggest(name, names, n);
    fprintf(stderr, "%s: unknown command '%s'", where, name);
    if (sg)
        fprintf(stderr, " (did you mean '%s'?)", sg);
    fprintf(stderr, "\nTry 'dealsim --help'.\n");
}

const char *ds_cli_enum_text(unsigned bit, size_t field, int v)
{
    for (size_t i = 0; v > 0 && i < ds_cli_n_options; i++) {
        const ds_cli_opt *o = &ds_cli_options[i];
        if ((o->cmds & bit) && o->field == field && o->kind == DS_CLI_ENUM)
            return o->values[v - 1];
    }
    return NULL;
}

const char *ds_cli_opt_name(const ds_cli_opt *o, char *buf, size_t n)
{
    if (o->shrt)
        snprintf(buf, n, "-%c/--%s", o->shrt, o->lng);
    else
        snprintf(buf, n, "--%s", o->lng);
    return buf;
}

/* ---- values ------------------------------------------------------------ */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int ds_cli_parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    /* s is D1[.D2][e[+-]E]: the integer D1D2 * 10^(E - len(D2)), read
     * digit by digit so that every 64-bit value is exact. */
    const char *p = s, *d1 = s, *d2 = "";
    size_t n1 = 0, n2 = 0, nd, keep;
    long long e = 0, scale;
    int eneg = 0, over = 0;
    uint64_t v = 0;

    while (is_digit(*p))
        p++, n1++;
    if (*p == '.') {
        d2 = ++p;
        while (is_digit(*p))
            p++, n2++;
    }
    if (n1 + n2 == 0)
        return 1;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            eneg = *p++ == '-';
        if (!is_digit(*p))
            return 1;
        for (; is_digit(*p); p++)
            if (e < 1000000) /* beyond that every nonzero value is out of range */
                e = 10 * e + (*p - '0');
    }
    if (*p)
        return 1;
#define DIGIT(k) ((k) < n1 ? d1[k] - '0' : d2[(k) - n1] - '0')
    nd = n1 + n2;
    scale = (eneg ? -e : e) - (long long)n2;
    keep = nd;
    if (scale < 0) {
        /* The digits after the decimal point must all be zero. */
        keep = (long long)nd + scale > 0 ? (size_t)((long long)nd + scale) : 0;
        for (size_t k = keep; k < nd; k++)
            if (DIGIT(k) != 0)
                return 1;
        scale = 0;
    }
    for (size_t k = 0; k < keep && !over; k++) {
        unsigned d = (unsigned)DIGIT(k);
        if (v > (UINT64_MAX - d) / 10)
            over = 1;
        else
            v = 10 * v + d;
    }
#undef DIGIT
    for (; scale > 0 && v && !over; scale--) {
        if (v > UINT64_MAX / 10)
            over = 1;
        else
            v *= 10;
    }
    if (over || v < lo || v > hi)
        return 2;
    *out = v;
    return 0;
}

/* A decimal number (no hex, inf or nan) that strtod reads completely. */
static int parse_num(const char *s, double *out)
{
    char *end;
    double x;

    if (!*s || strspn(s, "0123456789.eE+-") != strlen(s))
        return -1;
    errno = 0;
    x = strtod(s, &end);
    if (*end || errno || !isfinite(x))
        return -1;
    *out = x;
    return 0;
}

static void range_text(char *b, size_t n, uint64_t lo, uint64_t hi)
{
    if (hi == UINT64_MAX)
        snprintf(b, n, "%llu ... 2^64-1", (unsigned long long)lo);
    else
        snprintf(b, n, "%llu ... %llu", (unsigned long long)lo, (unsigned long long)hi);
}

/* ---- the parser -------------------------------------------------------- */

typedef struct parser {
    const ds_cli_cmd *c;
    const char *cmd;      /* "dealsim run" in messages */
    size_t argc;
    ds_cli_args *a;
} parser;

static int usage(const parser *ps, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int usage(const parser *ps, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", ps->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (ps->c->name)
        fprintf(stderr, "\nTry 'dealsim help %s'.\n", ps->c->name);
    else
        fprintf(stderr, "\nTry 'dealsim --help'.\n");
    return -1;
}

static const ds_cli_opt *find_long(unsigned bit, const char *name, size_t len)
{
    for (size_t i = 0; i < ds_cli_n_options; i++) {
        const ds_cli_opt *o = &ds_cli_options[i];
        if ((o->cmds & bit) && strlen(o->lng) == len && strncmp(o->lng, name, len) == 0)
            return o;
    }
    return NULL;
}

static const ds_cli_opt *find_short(unsigned bit, char c)
{
    for (size_t i = 0; i < ds_cli_n_options; i++) {
        const ds_cli_opt *o = &ds_cli_options[i];
        if ((o->cmds & bit) && o->shrt && o->shrt == c)
            return o;
    }
    return NULL;
}

/* "unknown option 'ARG'", with the closest long option of the command. */
static int unknown_option(const parser *ps, const char *arg)
{
    const char *names[sizeof ds_cli_options / sizeof ds_cli_options[0]];
    char word[DS_SUGGEST_MAX_LEN + 1];
    const char *w = arg + (arg[1] == '-' ? 2 : 1), *sg;
    size_t n = 0, len = strcspn(w, "=");

    for (size_t i = 0; i < ds_cli_n_options; i++)
        if (ds_cli_options[i].cmds & ps->c->bit)
            names[n++] = ds_cli_options[i].lng;
    /* -x is a short option that does not exist: no guess.  -xyz may be
     * --xyz with one dash too few. */
    sg = NULL;
    if ((arg[1] == '-' || strlen(w) > 1) && len <= DS_SUGGEST_MAX_LEN) {
        memcpy(word, w, len);
        word[len] = '\0';
        sg = ds_suggest(word, names, n);
    }
    if (sg)
        return usage(ps, "unknown option '%s' (did you mean '--%s'?)", arg, sg);
    return usage(ps, "unknown option '%s'", arg);
}

/* Store value v of option o into the arguments. */
static int store(parser *ps, const ds_cli_opt *o, const char *v)
{
    char *field = (char *)ps->a + o->field, name[64], range[64];
    ds_cli_opt_name(o, name, sizeof name);
    switch (o->kind) {
    case DS_CLI_FLAG:
        *(int *)field = o->set;
        break;
    case DS_CLI_UINT: {
        ds_cli_uint *u = (ds_cli_uint *)field;
        int rc = ds_cli_parse_uint(v, o->lo, o->hi, &u->v);
        range_text(range, sizeof range, o->lo, o->hi);
        if (rc == 1)
            return usage(ps, "%s must be an integer in %s, got '%s'", name, range, v);
        if (rc == 2)
            return usage(ps, "%s: '%s' is out of range: must be an integer in %s",
                         name, v, range);
        u->text = v;
        break;
    }
    case DS_CLI_NUM: {
        ds_cli_num *x = (ds_cli_num *)field;
        double d;
        if (parse_num(v, &d) != 0 || d < o->lo_num)
            return usage(ps, "%s must be a number >= %g, got '%s'", name, o->lo_num, v);
        x->v = d;
        x->text = v;
        break;
    }
    case DS_CLI_FILE:
        if (!*v)
            return usage(ps, "%s needs a file name, got ''", name);
        /* fall through */
    case DS_CLI_STR:
        *(const char **)field = v;
        break;
    case DS_CLI_ENUM: {
        size_t k, n;
        const char *sg;
        for (k = 0; o->values[k]; k++)
            if (strcmp(o->values[k], v) == 0) {
                *(int *)field = (int)k + 1;
                return 0;
            }
        n = k;
        fprintf(stderr, "%s: %s must be ", ps->cmd, name);
        for (k = 0; k < n; k++)
            fprintf(stderr, "%s%s", k == 0 ? "" : k + 1 == n ? " or " : ", ", o->values[k]);
        fprintf(stderr, ", got '%s'", v);
        if ((sg = ds_suggest(v, o->values, n)))
            fprintf(stderr, " (did you mean '%s'?)", sg);
        fprintf(stderr, "\nTry 'dealsim help %s'.\n", ps->c->name ? ps->c->name : "");
        return -1;
    }
    case DS_CLI_LIST: {
        ds_cli_list *l = (ds_cli_list *)field;
        if (!l->v && !(l->v = calloc(ps->argc, sizeof *l->v))) {
            fprintf(stderr, "%s: out of memory\n", ps->cmd);
            return -2;
        }
        l->v[l->n++] = v;
        break;
    }
    }
    return 0;
}

/* 1 if the argument after an option is to be its value: not something that
 * looks like an option, except "-" (stdout) and a negative number given to
 * a numeric option. */
static int takes_next(const ds_cli_opt *o, const char *next)
{
    if (next[0] != '-' || next[1] == '\0')
        return 1;
    return (o->kind == DS_CLI_UINT || o->kind == DS_CLI_NUM) &&
           (is_digit(next[1]) || next[1] == '.');
}

int ds_cli_parse(const ds_cli_cmd *c, int argc, char **argv, ds_cli_args *a)
{
    parser ps;
    char cmdname[64];
    int only_operands = 0;

    memset(a, 0, sizeof *a);
    snprintf(cmdname, sizeof cmdname, "dealsim%s%s", c->name ? " " : "",
             c->name ? c->name : "");
    ps.c = c;
    ps.cmd = cmdname;
    ps.argc = argc > 0 ? (size_t)argc : 1;
    ps.a = a;
    if (!(a->operands = calloc(ps.argc, sizeof *a->operands))) {
        fprintf(stderr, "%s: out of memory\n", cmdname);
        return -2;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *v = NULL;
        const ds_cli_opt *o;
        size_t len;
        int rc;

        if (only_operands || arg[0] != '-' || arg[1] == '\0') {
            if (a->n_operands >= c->max_operands) {
                if (c->max_operands == 0)
                    return usage(&ps, "takes no arguments, got '%s'", arg);
                return usage(&ps, "unexpected argument '%s' (more than %zu)", arg,
                             c->max_operands);
            }
            a->operands[a->n_operands++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_operands = 1;
            continue;
        }
        if (arg[1] == '-') {              /* --name, --name=value */
            len = strcspn(arg + 2, "=");
            if (!(o = find_long(c->bit, arg + 2, len)))
                return unknown_option(&ps, arg);
            if (arg[2 + len] == '=') {
                if (o->kind == DS_CLI_FLAG)
                    return usage(&ps, "--%s takes no value, got '%s'", o->lng, arg);
                v = arg + 3 + len;
                if (!*v && o->kind != DS_CLI_FILE)
                    return usage(&ps, "--%s needs a value", o->lng);
            }
        } else {                          /* -x, -xVALUE */
            if (!(o = find_short(c->bit, arg[1])))
                return unknown_option(&ps, arg);
            if (arg[2]) {
                if (o->kind == DS_CLI_FLAG)
                    return usage(&ps, "-%c takes no value, got '%s'", o->shrt, arg);
                v = arg + 2;
            }
        }
        if (o->kind != DS_CLI_FLAG && !v) {
            if (i + 1 >= argc || !takes_next(o, argv[i + 1])) {
                char as_typed[64];
                snprintf(as_typed, sizeof as_typed, "%.*s", (int)strcspn(arg, "="), arg);
                return usage(&ps, "%s needs a value", as_typed);
            }
            v = argv[++i];
        }
        if ((rc = store(&ps, o, v)) != 0)
            return rc;
        if (a->help)
            return 0;
    }
    if (a->n_operands < c->min_operands)
        return usage(&ps, "needs %s, got %zu argument%s", c->usage, a->n_operands,
                     a->n_operands == 1 ? "" : "s");
    return 0;
}

void ds_cli_args_free(ds_cli_args *a)
{
    for (size_t i = 0; i < ds_cli_n_options; i++) {
        const ds_cli_opt *o = &ds_cli_options[i];
        if (o->kind == DS_CLI_LIST) {
            ds_cli_list *l = (ds_cli_list *)((char *)a + o->field);
            free(l->v);
            l->v = NULL;
            l->n = 0;
        }
    }
    free(a->operands);
    a->operands = NULL;
    a->n_operands = 0;
}
