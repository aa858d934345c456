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
int ds_cli_sensitivity(struct ds_cli_args *a);
int ds_cli_report(struct ds_cli_args *a);

/* ---- what the commands in other files (cli_*.c) share with run --------- */
struct ds_scenario;
struct ds_model;
struct ds_error;
struct ds_outfiles;
struct ds_outfile;
struct ds_run_opts;
struct ds_stats;

/* Load SCENARIO (NULL: the built-in one) with a's --set and --strict, as
 * `run` does: every problem and warning printed.  With sha (65 bytes), the
 * SHA-256 of the bytes parsed; with sp, the scenario is kept in *sp
 * (caller frees).  DS_OK with *m (caller frees), DS_EINVAL (problems
 * printed) or DS_ENOMEM. */
int ds_cli_load(const char *file, const struct ds_cli_args *a, char *sha,
                struct ds_scenario **sp, struct ds_model **m);

/* The exit status of a failed ds_cli_load, and of a failed
 * ds_outfiles_check. */
int ds_cli_load_status(int rc);
int ds_cli_check_status(int rc);

/* -j, else all cores. */
int ds_cli_threads(const struct ds_cli_args *a);

/* A progress line for `points` runs of `draws` draws: start it, the
 * callback (ctx ignored) for ds_run_opts, clear it. */
void ds_cli_progress_start(const struct ds_cli_args *a, uint64_t draws, size_t points);
void ds_cli_progress(void *ctx, uint64_t done, uint64_t total);
void ds_cli_progress_clear(void);

/* ds_run with ro's draws, seed, outputs and hook and a's threads, with the
 * progress line of `run` (as a's --progress, -q) and Ctrl-C stopping it. */
int ds_cli_run_draws(const struct ds_cli_args *a, const struct ds_model *m,
                     struct ds_run_opts *ro, struct ds_stats **stats,
                     struct ds_error *err);

/* The exit status of a run that did not complete (as `run` reports it);
 * rows, when not NULL, is the output whose rows were being written. */
int ds_cli_run_failed(const char *cmd, struct ds_outfiles *os,
                      const struct ds_outfile *rows, int status,
                      const struct ds_error *err);

/* 1 if path is a regular file (worth saying it was written). */
int ds_cli_is_regular(const char *path);

#endif
