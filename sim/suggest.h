/*
 * suggest.h - "did you mean" for names typed by a user: scenario keys and
 * ids, dist kinds, command-line options and commands.
 */
#ifndef DS_SUGGEST_H
#define DS_SUGGEST_H

#include <stddef.h>

/* The name in names[0..n-1] closest to `word` by optimal-string-alignment
 * distance (insertions, deletions, substitutions and swaps of neighbours),
 * when it is close enough to be a likely typo: within 2 edits, or a third
 * of the word for long words, and fewer edits than the word has characters.
 * Ties go to the earlier name; NULL names are skipped.  Returns a pointer
 * into names (borrowed), or
 * NULL when no name is close.  Names or words longer than
 * DS_SUGGEST_MAX_LEN characters never match.  Can't fail. */
const char *ds_suggest(const char *word, const char *const *names, size_t n);

/* Longest word or name ds_suggest compares: a typo of a longer name is
 * rare, and the limit keeps the work on fixed-size rows. */
#define DS_SUGGEST_MAX_LEN 63

#endif
