/*
 * cli.h - the command line (SPEC §8, §9): parses arguments, calls the
 * library in flow order, prints results and maps statuses to exit codes.
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

#endif
