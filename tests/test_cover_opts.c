/*
 * test_cover_opts.c - the option table's helpers (sim/cli_opts.c) on their
 * own: every spelling ds_cli_parse_uint takes or refuses, exactly, near
 * 2^64 and with exponents far out of range; the text of an enum option's
 * value; an option's name for messages.
 */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_opts.h"

/* s must parse to want. */
static void ok(const char *s, uint64_t want)
{
    uint64_t v = 12345;
    cr_assert_eq(ds_cli_parse_uint(s, 0, UINT64_MAX, &v), 0, "'%s' refused", s);
    cr_assert_eq(v, want, "'%s' gave %llu", s, (unsigned long long)v);
}

/* s must be refused with `rc` (1: not an integer, 2: out of range), and
 * *out left alone. */
static void bad(const char *s, uint64_t lo, uint64_t hi, int rc)
{
    uint64_t v = 12345;
    cr_assert_eq(ds_cli_parse_uint(s, lo, hi, &v), rc, "'%s'", s);
    cr_assert_eq(v, 12345, "'%s' changed the value", s);
}

Test(cover_opts, integers_in_scientific_notation)
{
    ok("1e+3", 1000);
    ok("1E3", 1000);
    ok("2.5e1", 25);
    ok("2.50e1", 25);
    ok("2500e-2", 25);
    ok("2500.000e-2", 25);
    ok("0.00e-999999999999", 0);
    ok("0e99999999999", 0);
    ok("1.8446744073709551615e19", UINT64_MAX);
    ok("18446744073709551615", UINT64_MAX);
    ok("1844674407370955161.5e1", UINT64_MAX);
    ok("007", 7);
    ok(".5e1", 5);
    ok("5.", 5);
}

Test(cover_opts, what_is_not_an_integer)
{
    static const char *const no[] = {"", ".", "e5", "1e", "1e+", "1e-", "1.5", "15e-1",
                                     "2501e-2", "1x", "1e5x", "-1", "+1", " 1", "1 ",
                                     "0x10", "1..2", "1e1.5"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        bad(no[i], 0, UINT64_MAX, 1);
}

Test(cover_opts, out_of_range)
{
    bad("18446744073709551616", 0, UINT64_MAX, 2);
    bad("1.8446744073709551616e19", 0, UINT64_MAX, 2);
    bad("184467440737095516150", 0, UINT64_MAX, 2);
    bad("2e19", 0, UINT64_MAX, 2);
    bad("1e20", 0, UINT64_MAX, 2);
    bad("1e99999999999999999999", 0, UINT64_MAX, 2);
    bad("0", 1, 10, 2);
    bad("11", 1, 10, 2);
    bad("1.1e1", 1, 10, 2);
}

Test(cover_opts, enum_text_and_option_names)
{
    size_t design = offsetof(ds_cli_args, design);
    cr_assert_null(ds_cli_enum_text(DS_CMD_SWEEP, design, 0));
    cr_assert_str_eq(ds_cli_enum_text(DS_CMD_SWEEP, design, 2), "lhs");
    /* no enum option of run is stored there */
    cr_assert_null(ds_cli_enum_text(DS_CMD_RUN, design, 2));
    char buf[64];
    int shrt = 0, lng = 0;
    for (size_t i = 0; i < ds_cli_n_options; i++) {
        const ds_cli_opt *o = &ds_cli_options[i];
        char want[64];
        if (o->shrt)
            snprintf(want, sizeof want, "-%c/--%s", o->shrt, o->lng), shrt++;
        else
            snprintf(want, sizeof want, "--%s", o->lng), lng++;
        cr_assert_str_eq(ds_cli_opt_name(o, buf, sizeof buf), want);
    }
    cr_assert(shrt > 0 && lng > 0);
}
