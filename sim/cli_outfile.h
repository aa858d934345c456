/*
 * cli_outfile.h - output files that never leave a truncated result (SPEC §8).
 *
 * A regular file (or a name that does not exist yet) is written to a
 * temporary file in the same directory and renamed over the name only by
 * ds_outfile_commit.  "-" is standard output; /dev/null, /dev/stdout, pipes
 * and other special files are written directly and never replaced or removed.
 */
#ifndef DS_CLI_OUTFILE_H
#define DS_CLI_OUTFILE_H

#include <stdio.h>
#include "dealsim/error.h"

typedef struct ds_outfile {
    FILE *f;      /* write here; NULL when not open */
    char *name;   /* the name asked for (owned) */
    char *target; /* the path renamed over (owned; NULL when direct) */
    char *tmp;    /* the temporary file (owned; NULL when direct) */
    int is_stdout;
} ds_outfile;

/* Open `name` for writing ("-" = stdout).  On failure fills err (with the
 * name and reason) and returns DS_EIO; o is then closed and owns nothing. */
int ds_outfile_open(ds_outfile *o, const char *name, ds_error *err);

/* Flush and close; for a regular file, rename the temporary into place.
 * Returns DS_OK or DS_EIO (the temporary is then removed).  Closes o. */
int ds_outfile_commit(ds_outfile *o, ds_error *err);

/* Close without committing: remove the temporary, never touch the name
 * asked for.  Safe on a closed or zeroed o.  Can't fail. */
void ds_outfile_abort(ds_outfile *o);

#endif
