/*
 * cli_outfile.h - the output files of one command, written all or none
 * (SPEC §8).
 *
 * A command lists its outputs and inputs in a ds_outfiles set, checks them
 * before it does any work (ds_outfiles_check: two outputs that are the same
 * file, or an output that is an input, are a usage error), opens them, writes,
 * and commits them together.  A regular file (or a name that does not exist
 * yet) is written to a temporary file in its own directory; ds_outfiles_commit
 * flushes, checks and fsyncs every output first and renames the temporaries
 * into place only when all of them are good, then fsyncs their directories.
 * "-" is standard output; /dev/stdout, /dev/stderr and /dev/fd/N are the
 * descriptors they name; they, /dev/null, pipes and other special files are
 * written directly and never replaced or removed.
 *
 * Links.  A symbolic link is followed: the file it points to is replaced (or
 * created, when the link dangles) through a temporary in that file's
 * directory, so the link stays a link.  A regular file with more than one
 * hard link is refused before the run: replacing it by a rename would leave
 * the other names with the old contents, and writing it in place could leave
 * it truncated.
 *
 * Signals.  ds_outfiles_catch_signals makes SIGINT, SIGTERM and SIGHUP
 * (unless inherited as ignored) remove the temporaries and exit with 130, and
 * SIGPIPE remove them before it ends the process as usual.  Around code that
 * polls ds_outfiles_stop (the engine), ds_outfiles_cooperate(1) makes
 * SIGINT, SIGTERM and SIGHUP only set that flag; so does closing the set
 * (commit or abort), after which there is nothing left to remove.
 *
 * Every function here prints its own messages ("dealsim CMD: ...") on stderr.
 */
#ifndef DS_CLI_OUTFILE_H
#define DS_CLI_OUTFILE_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

/* Outputs, and inputs, a command can have: run has three outputs and
 * standard output, compare two inputs. */
#define DS_OUTFILES_MAX 8

typedef struct ds_outfile {
    FILE *f;            /* write here once open; NULL otherwise */
    const char *label;  /* the option, e.g. "-o"; NULL: standard output */
    const char *name;   /* the name given (borrowed); "-" = standard output */
    /* Set by ds_outfiles_check: */
    int kind;           /* how it is written (cli_outfile.c) */
    int open_errno;     /* the name cannot be written: reported by _open */
    int fd_alias;       /* kind direct: the descriptor "-", /dev/fd/N name */
    mode_t mode;        /* mode to keep when replacing; 0: a new file's */
    char *target;       /* regular: the path renamed over (owned) */
    char *tmp;          /* regular: its temporary (owned) */
    /* While open: */
    int fd;             /* f's descriptor; -1 when closed */
    volatile sig_atomic_t tmp_live; /* tmp exists and is ours to remove */
    volatile sig_atomic_t wrote;    /* a direct output received bytes */
    int err;            /* errno of the first failed write; 0 if none */
} ds_outfile;

typedef struct ds_outfiles {
    const char *cmd;    /* "run": messages start "dealsim run: " */
    size_t n, n_in;
    ds_outfile out[DS_OUTFILES_MAX];
    const char *in[DS_OUTFILES_MAX];      /* input names (borrowed) */
    const char *in_what[DS_OUTFILES_MAX]; /* "scenario", "design file", ... */
} ds_outfiles;

/* Start an empty set for command `cmd` (borrowed).  Can't fail. */
void ds_outfiles_init(ds_outfiles *s, const char *cmd);

/* Add the output `name` (borrowed; "-" = standard output) given by option
 * `label` (NULL for a command's standard output).  Returns its slot, which
 * stays valid as long as s; NULL when name is NULL (nothing added). */
ds_outfile *ds_outfiles_add(ds_outfiles *s, const char *label, const char *name);

/* Add an input file (borrowed) that no output may overwrite; `what` names
 * it in messages ("scenario").  NULL name: nothing added. */
void ds_outfiles_input(ds_outfiles *s, const char *what, const char *name);

/* Before any work: resolve every output and report, each on its own line,
 * an empty name, two outputs that are the same regular file (by device and
 * inode, through any link; or the same new name in the same directory), an
 * output that is an input, and a file with several hard links.  Returns
 * DS_OK, DS_EINVAL (a usage error, reported) or DS_ENOMEM (reported).  A
 * name that cannot be written is reported later, by ds_outfiles_open. */
int ds_outfiles_check(ds_outfiles *s);

/* Open every output (after ds_outfiles_check).  Returns DS_OK, or DS_EIO /
 * DS_ENOMEM after reporting the name and the reason; then nothing is open
 * and no temporary is left. */
int ds_outfiles_open(ds_outfiles *s);

/* Finish: flush every output and check it (for a regular one also fsync
 * and close); if any failed, report each failure with the file and the
 * system's reason, remove every temporary and return DS_EIO, so no output is
 * replaced.  Otherwise rename every temporary into place, fsync the
 * directories and return DS_OK (or DS_EIO, reported, when a rename or a
 * directory fsync fails).  The set is closed afterwards either way. */
int ds_outfiles_commit(ds_outfiles *s);

/* Close without committing: flush what a direct output has buffered, remove
 * every temporary, never touch the names asked for.  Safe on a set never
 * opened, and twice.  Can't fail. */
void ds_outfiles_abort(ds_outfiles *s);

/* The command has written all of o (NULL: nothing to do).  A direct output
 * is flushed now, so that outputs sharing standard output or a pipe arrive
 * one after the other, whole.  Can't fail (a failed write is reported by
 * ds_outfiles_commit). */
void ds_outfiles_finished(ds_outfile *o);

/* A writer to o failed: report "cannot write NAME: REASON" with the reason
 * of the write that failed, and abort the set.  Can't fail. */
void ds_outfiles_write_failed(ds_outfiles *s, const ds_outfile *o);

/* Interrupted: abort the set and say what is left ("no output written", or
 * what already went to standard output or another special file). */
void ds_outfiles_interrupted(ds_outfiles *s);

/* Set by a signal while cooperating; give it to the engine as its stop. */
extern volatile sig_atomic_t ds_outfiles_stop;

/* Catch SIGINT, SIGTERM, SIGHUP and SIGPIPE on behalf of s (see the top of
 * this file).  A signal that was ignored when dealsim started stays
 * ignored, so a background job of a script is not made interruptible. */
void ds_outfiles_catch_signals(ds_outfiles *s);

/* on = 1 around code that polls ds_outfiles_stop; 0 after it. */
void ds_outfiles_cooperate(int on);

#endif
