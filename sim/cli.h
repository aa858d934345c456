/*
 * cli.h - the command line (SPEC §8, §9): parses arguments, calls the
 * library in flow order, prints results and maps statuses to exit codes.
 * The commands and their options are the tables of cli_opts.c.
 */
#ifndef DS_CLI_H
#define DS_CLI_H

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

#endif
