/*
 * cli.h - the command line (SPEC §8, §9): parses arguments, calls the
 * library in flow order, prints results and maps statuses to exit codes.
 * The commands and their options are the tables of cli_opts.c.
 */
#ifndef DS_CLI_H
#define DS_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Exit statuses (SPEC §8). */
enum {
    DS_EXIT_OK = 0,
    DS_EXIT_RUNTIME = 1,   /* I/O, out of memory */
    DS_EXIT_USAGE = 2,     /* bad usage or invalid scenario */
    DS_EXIT_INTERRUPT = 130
};

/* Run the dealsim command line; returns the process exit status. */
int ds_cli_main(int argc, char **argv);

/* The commands (one row each in ds_cli_commands).  Each takes the parsed
 * arguments and returns the exit status. */
struct ds_cli_args;
int ds_cli_run(struct ds_cli_args *a);
int ds_cli_validate(struct ds_cli_args *a);
int ds_cli_sweep(struct ds_cli_args *a);
int ds_cli_compare(struct ds_cli_args *a);
int ds_cli_scenario(struct ds_cli_args *a);
int ds_cli_schema(struct ds_cli_args *a);
int ds_cli_help(struct ds_cli_args *a);
int ds_cli_optimize(struct ds_cli_args *a);

/* For the commands in files of their own (cli_optimize.c): what the
 * commands of cli.c share.  See the static functions they wrap there. */
struct ds_scenario;
struct ds_model;
struct ds_outfiles;
struct ds_outfile;
struct ds_error;
/* Load SCENARIO (NULL: built-in), apply --set, build with its warnings
 * printed (--strict: errors); keep the scenario in *sp (caller frees).
 * Returns the exit status: DS_EXIT_OK with *m set, or the failure's (its
 * problems printed). */
int ds_cli_load(const char *file, const struct ds_cli_args *a,
                struct ds_scenario **sp, struct ds_model **m);
/* -j, else all cores. */
int ds_cli_threads(const struct ds_cli_args *a);
/* A progress line for `points` runs of `draws` draws: start it, the
 * callback (ctx ignored) for ds_run_opts, clear it. */
void ds_cli_progress_start(const struct ds_cli_args *a, uint64_t draws, size_t points);
void ds_cli_progress(void *ctx, uint64_t done, uint64_t total);
void ds_cli_progress_clear(void);
/* The exit status of a failed ds_outfiles_check, and of a failed run
 * (see run_failed in cli.c). */
int ds_cli_check_status(int rc);
int ds_cli_run_failed(const char *cmd, struct ds_outfiles *os,
                      const struct ds_outfile *rows, int status,
                      const struct ds_error *err);

#endif
