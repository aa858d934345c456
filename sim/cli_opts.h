/*
 * cli_opts.h - the commands and options of the command line, as data
 * (SPEC §8 "One source of truth").
 *
 * Every option is one row of ds_cli_options and every command one row of
 * ds_cli_commands.  Parsing (ds_cli_parse), `--help`, `dealsim help CMD`,
 * the man pages and the bash and zsh completions (cli_docs.c) all walk
 * these tables, so adding an option is adding a row (and, when it stores
 * something new, a field of ds_cli_args for the command to read).
 */
#ifndef DS_CLI_OPTS_H
#define DS_CLI_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Most worker threads -j accepts: far above any machine this runs on, low
 * enough that a typo (-j 1000000) is an error rather than a hang. */
#define DS_CLI_MAX_THREADS 1024

/* What an option takes, which decides how it is parsed and completed. */
typedef enum ds_cli_kind {
    DS_CLI_FLAG,   /* no value: stores `set` in an int field */
    DS_CLI_UINT,   /* an integer in [lo, hi]: ds_cli_uint field */
    DS_CLI_NUM,    /* a finite number in [lo_num, +inf): ds_cli_num field */
    DS_CLI_STR,    /* any text: const char * field */
    DS_CLI_FILE,   /* a file name, not empty: const char * field */
    DS_CLI_ENUM,   /* one of `values`: int field, 1 + the index; 0 = not given */
    DS_CLI_LIST    /* any text, repeatable, kept in order: ds_cli_list field */
} ds_cli_kind;

/* Commands as bits, so an option row says which commands take it. */
enum {
    DS_CMD_MAIN = 1 << 0, /* `dealsim` itself, before a command */
    DS_CMD_RUN = 1 << 1,
    DS_CMD_VALIDATE = 1 << 2,
    DS_CMD_SWEEP = 1 << 3,
    DS_CMD_COMPARE = 1 << 4,
    DS_CMD_SCENARIO = 1 << 5,
    DS_CMD_SCHEMA = 1 << 6,
    DS_CMD_HELP = 1 << 7,
    DS_CMD_SENSITIVITY = 1 << 8,
    DS_CMD_OPTIMIZE = 1 << 9,
    DS_CMD_REPORT = 1 << 10,
    DS_CMD_ALL = 0x7ff
};

typedef struct ds_cli_uint {
    uint64_t v;
    const char *text; /* as typed; NULL when not given */
} ds_cli_uint;

typedef struct ds_cli_num {
    double v;
    const char *text; /* as typed; NULL when not given */
} ds_cli_num;

typedef struct ds_cli_list {
    const char **v;   /* v[0..n-1]: argv's strings, in order (v is owned) */
    size_t n;
} ds_cli_list;

/* Values of --progress / --no-progress. */
enum { DS_PROGRESS_AUTO = 0, DS_PROGRESS_ON, DS_PROGRESS_OFF };

/* Everything any command can be given.  Strings point into argv. */
typedef struct ds_cli_args {
    const char **operands; /* [n_operands] (owned array) */
    size_t n_operands;
    int help;              /* -h: show the command's help and stop */
    int version;           /* --version (dealsim itself) */
    /* run, sweep (and, for --set and --strict, every command that loads a
     * scenario) */
    ds_cli_uint draws, seed, threads;
    const char *output;
    ds_cli_list sets;
    int strict;            /* --strict: scenario warnings are errors */
    int progress;          /* DS_PROGRESS_* */
    int quiet;
    /* run */
    const char *draws_out, *inputs_out, *json;
    int format;            /* run, sensitivity: 1 table, 2 csv, 3 json;
                              compare: 1 table, 2 csv */
    /* sweep */
    ds_cli_list vary;
    int design;            /* 1 grid, 2 lhs, 3 sobol */
    ds_cli_uint samples;
    const char *design_file;
    int vary_seed;
    /* optimize */
    ds_cli_list opt_items, opt_terms, max_ret;
    const char *max_cost, *min_deal;
    int objective;         /* 1 benefit, 2 deal, 3 deficit */
    int front_only;
    /* sensitivity */
    const char *strategy;  /* --strategy: the table's one strategy */
    ds_cli_uint top;       /* --top: inputs per outcome in the table */
    /* report */
    const char *report_sweep;    /* --sweep: a sweep CSV to draw */
    const char *report_optimize; /* --optimize: an optimize CSV to draw */
    int no_sensitivity;          /* --no-sensitivity */
    int no_timestamp;            /* --no-timestamp */
    /* compare */
    int only_significant;
    ds_cli_num z;
    /* help */
    int man, commands;
    int completion;        /* 1 bash, 2 zsh */
} ds_cli_args;

typedef struct ds_cli_opt {
    char shrt;                  /* 'n' for -n, or 0 */
    const char *lng;            /* "draws" for --draws (without dashes) */
    const char *arg;            /* the value's name in help ("N"); NULL for flags */
    ds_cli_kind kind;
    unsigned cmds;              /* DS_CMD_* bits of the commands that take it */
    size_t field;               /* offsetof(ds_cli_args, ...) */
    int set;                    /* FLAG: the value stored */
    uint64_t lo, hi;            /* UINT: the range */
    double lo_num;              /* NUM: the least value */
    const char *const *values;  /* ENUM: the values, NULL-terminated */
    const char *help;           /* one sentence, no final period */
    const char *dflt;           /* the default, as text for help; or NULL */
} ds_cli_opt;

/* What a command's operands are, for completion. */
typedef enum ds_cli_operand {
    DS_OPERAND_NONE,
    DS_OPERAND_FILE,
    DS_OPERAND_COMMAND
} ds_cli_operand;

typedef int (*ds_cli_fn)(ds_cli_args *a);

typedef struct ds_cli_cmd {
    const char *name;         /* "run"; NULL for dealsim itself */
    unsigned bit;             /* DS_CMD_* */
    const char *summary;      /* one line for the command list and NAME */
    const char *usage;        /* operands, one usage per line, without
                                 "dealsim NAME" and "[options]" */
    ds_cli_operand operand;   /* what the operands are */
    size_t min_operands, max_operands;
    const char *description;  /* paragraphs; see below */
    const char *notes;        /* more paragraphs after the options, or NULL */
    const char *examples;     /* one command per line, or NULL */
    ds_cli_fn fn;             /* the command; NULL for dealsim itself */
} ds_cli_cmd;

/*
 * Text of description, notes and examples: lines of at most 76 characters
 * ending in '\n'; an empty line separates paragraphs; a line starting with
 * two spaces is shown as it is (a literal block in the man page); `x`
 * marks a command or option (bold in the man page).
 */

/* The options, in the order help shows them; ds_cli_n_options rows. */
extern const ds_cli_opt ds_cli_options[];
extern const size_t ds_cli_n_options;

/* The commands, in the order help lists them; ds_cli_n_commands rows.
 * Row 0 is dealsim itself (name NULL). */
extern const ds_cli_cmd ds_cli_commands[];
extern const size_t ds_cli_n_commands;

/* The exit statuses (SPEC §8); ds_cli_n_exit rows. */
typedef struct ds_cli_exit {
    int status;
    const char *meaning;
} ds_cli_exit;
extern const ds_cli_exit ds_cli_exits[];
extern const size_t ds_cli_n_exits;

/* The command named `name`, or NULL. */
const ds_cli_cmd *ds_cli_find(const char *name);

/* Print "dealsim: unknown command 'NAME'" with a did-you-mean to stderr. */
void ds_cli_unknown_command(const char *where, const char *name);

/* The text of value v (1-based, as stored) of the enum option of command
 * `bit` stored at `field`; NULL when v is 0. */
const char *ds_cli_enum_text(unsigned bit, size_t field, int v);

/* "-n/--draws", "--set" or "-q/--quiet" into buf. */
const char *ds_cli_opt_name(const ds_cli_opt *o, char *buf, size_t n);

/*
 * Parse argv[1..argc-1] (argv[0] is the command's name) against the rows of
 * command c into *a (zeroed first; free with ds_cli_args_free).  Options
 * and operands may come in any order; "--" ends the options.  A value may
 * be attached ("-n5", "--draws=5") or be the next argument, which is then
 * taken only when it does not look like an option ("-" and, for numbers, a
 * negative number do not).  Stops at -h/--help (a->help set).
 * Returns 0, or prints a usage error naming the option and the problem
 * (with a did-you-mean for an unknown option) and returns -1; -2 when out
 * of memory (also printed).
 */
int ds_cli_parse(const ds_cli_cmd *c, int argc, char **argv, ds_cli_args *a);

/* Free what ds_cli_parse allocated.  Can't fail. */
void ds_cli_args_free(ds_cli_args *a);

/* Parse an unsigned integer in [lo, hi], written in decimal digits or as
 * an exact integer in scientific notation ("1e6", "2.5e5").  Returns 0 on
 * success, 1 when s is no integer, 2 when it is one out of [lo, hi]. */
int ds_cli_parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *out);

/* The generated documents (cli_docs.c).  Each writes to f and returns 0,
 * or -1 when writing failed (errno tells why). */
int ds_cli_write_help(FILE *f, const ds_cli_cmd *c);
int ds_cli_write_man(FILE *f, const ds_cli_cmd *c);
int ds_cli_write_bash(FILE *f);
int ds_cli_write_zsh(FILE *f);

#endif
