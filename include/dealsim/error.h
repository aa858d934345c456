/*
 * error.h - status codes, single errors and multi-problem reports.
 *
 * Every fallible function in dealsim returns a status (DS_OK == 0) and, when
 * it can fail for a reason a user should read, fills a caller-provided
 * ds_error or appends to a ds_report.  Nothing below the CLI prints or exits.
 *
 * GSL's error handler.  GSL reports some errors by calling a handler that is
 * one setting for the whole process and whose default aborts.  dealsim calls
 * GSL only with arguments it has checked: for a model that
 * ds_scenario_build accepted, a dist that passes ds_dist_check and options
 * that ds_design_new accepted, no GSL function it calls reaches the
 * handler, whatever the handler is.  The exception is GSL itself running out
 * of memory (the table of a discrete dist, a Sobol design), which GSL
 * reports through the handler.  dealsim never changes the handler: doing so
 * from a library would race with the program's other threads and override
 * the program's own choice.  A program that would rather get DS_ENOMEM than
 * an abort there calls gsl_set_error_handler_off() once, before it starts
 * threads, as the dealsim program does.
 */
#ifndef DEALSIM_ERROR_H
#define DEALSIM_ERROR_H

#include <stddef.h>

/* Status codes.  The numeric values of the codes are
 * not exit statuses; the CLI maps them (SPEC §8). */
enum {
    DS_OK = 0,
    DS_EINVAL,  /* invalid scenario, option or input file */
    DS_ENOMEM,  /* allocation failed */
    DS_EIO,     /* read or write failed */
    DS_EINTR,   /* interrupted by a signal (Ctrl-C, SIGTERM) */
    DS_ERANGE   /* a draw's outcome is not finite or too large to summarise */
};

/* Longest message a ds_error holds, including the terminating NUL; longer
 * messages are truncated. */
#define DS_ERROR_MSG_MAX 1024

typedef struct ds_error {
    int code;                    /* DS_OK when nothing went wrong */
    char msg[DS_ERROR_MSG_MAX];  /* human-readable, no trailing newline */
} ds_error;

/* Set code and a printf-style message, passed through ds_text_escape (so
 * control characters from an input never reach a terminal raw).  e may be
 * NULL (then nothing is recorded).  Returns code, so callers can write
 * `return ds_error_set(...)`. */
int ds_error_set(ds_error *e, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Reset to DS_OK with an empty message.  e may be NULL. */
void ds_error_clear(ds_error *e);

/*
 * Make text safe to print on a terminal: copy src into dst (n bytes; dst may
 * be NULL when n is 0) with every byte that could act on a terminal made
 * visible, the way the JSON syntax messages show bytes:
 *   - C0 controls (0x00-0x1F: ESC, BEL, tab, line ends, ...) and DEL (0x7F)
 *     as "\xNN" (two lowercase hex digits);
 *   - C1 controls (U+0080-U+009F, in UTF-8 the bytes C2 80 .. C2 9F) as
 *     "\u00NN";
 *   - every byte that is not part of a well-formed UTF-8 sequence (a stray
 *     continuation byte, an overlong form, an encoded surrogate, a code point
 *     above U+10FFFF, a cut sequence) as "\xNN", so a lone 0x9B cannot act
 *     as an 8-bit CSI.
 * Printable ASCII and other well-formed UTF-8 pass through unchanged, and so
 * does a backslash: the result contains nothing this function would change,
 * so escaping twice gives the same text as escaping once.
 * The result is always NUL-terminated (when n > 0) and, when it does not fit,
 * cut before the first escape or character that does not fit whole.  Returns
 * the length of the whole result without its NUL (as snprintf does): a
 * return value >= n means it was cut.  Can't fail.
 */
size_t ds_text_escape(char *dst, size_t n, const char *src);

/*
 * A report collects every problem found in an input (SPEC §4: "report every
 * problem found, not only the first").  Each message is one complete line
 * without its newline, already in the SPEC §4 format, e.g.
 *   "a.json: error: items.semis.cost.sd: must be >= 0, got -1".
 * The report owns its messages; ds_report_free releases them.
 */
#define DS_REPORT_MAX 10000 /* messages kept; more only bump `dropped` */

typedef struct ds_report {
    size_t n;       /* messages stored */
    size_t cap;     /* allocated slots */
    size_t dropped; /* problems beyond DS_REPORT_MAX, or lost to no memory */
    char **msg;     /* msg[0..n-1], each malloc'd */
    int nomem;      /* memory ran out: what reported here stopped short, and
                       a message may be lost (in `dropped`) */
} ds_report;

/* A zeroed struct is a valid empty report; this just zeroes it. */
void ds_report_init(ds_report *r);

/* Append one printf-formatted message, passed through ds_text_escape (so
 * control characters from an input never reach a terminal raw).  Returns
 * DS_OK or DS_ENOMEM (the problem is then counted in `dropped`, never
 * silently lost, and nomem is set). */
int ds_report_add(ds_report *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Memory ran out while working on `file`: append "FILE: error: out of
 * memory" and set nomem, so a caller that only gets NULL back (as from
 * ds_scenario_parse) can tell no memory from bad input.  Returns
 * DS_ENOMEM. */
int ds_report_nomem(ds_report *r, const char *file);

/* Total problems seen: n + dropped. */
size_t ds_report_count(const ds_report *r);

/* Free every message and zero the report.  r may be NULL. Can't fail. */
void ds_report_free(ds_report *r);

#endif /* DEALSIM_ERROR_H */
