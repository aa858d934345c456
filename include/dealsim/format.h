/*
 * format.h - documents of the scenario format, generated from the one table
 * that also drives the validator (SPEC §8 "One source of truth"): the JSON
 * Schema that `dealsim schema` prints and the dealsim-scenario(5) man page.
 * Neither depends on any scenario; both are the same bytes on every call.
 */
#ifndef DEALSIM_FORMAT_H
#define DEALSIM_FORMAT_H

#include <stdio.h>

/* Write the JSON Schema (draft 2020-12) of the scenario format to f: every
 * key with its description and unit, required keys, defaults, ranges that a
 * schema can express for plain numbers, integers, id patterns, enums and
 * dists.  What only the validator checks (references between ids,
 * orderings such as min <= max, D̄ > 0, ...) is left out, so every valid
 * scenario passes the schema, while a file that passes it may still be
 * invalid.  f stays open (and is flushed).  Returns DS_OK, or DS_EIO when a
 * write fails. */
int ds_schema_write(FILE *f);

/* Write the dealsim-scenario(5) man page (roff) to f: every key with its
 * kind, whether it is required, its default, range, unit and description,
 * and the kinds of dist.  f stays open (and is flushed).  Returns DS_OK, or
 * DS_EIO when a write fails. */
int ds_format_man(FILE *f);

#endif /* DEALSIM_FORMAT_H */
