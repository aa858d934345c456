/*
 * test_suggest.c - ds_suggest, the did-you-mean of option, command, key and
 * id typos.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "suggest.h"

static const char *const names[] = {"seed", "draws", "draws-out", "threads", "set",
                                    "progress", "no-progress", "quiet"};
#define N (sizeof names / sizeof names[0])

static void expect(const char *word, const char *want)
{
    const char *got = ds_suggest(word, names, N);
    if (!want)
        cr_assert_null(got, "'%s' -> '%s', expected no suggestion", word, got);
    else
        cr_assert(got && strcmp(got, want) == 0, "'%s' -> '%s', expected '%s'", word,
                  got ? got : "(none)", want);
}

Test(suggest, one_edit_of_each_kind)
{
    expect("sed", "seed");        /* deletion */
    expect("seeed", "seed");      /* insertion */
    expect("drawz", "draws");     /* substitution */
    expect("darws", "draws");     /* swap of neighbours: one edit */
    expect("thraeds", "threads"); /* swap */
    expect("draws-ot", "draws-out");
}

Test(suggest, far_words_get_none)
{
    expect("frobnicate", NULL);
    expect("x", NULL);            /* fewer characters than edits: no guess */
    expect("", NULL);
    expect("zzzzzz", NULL);
}

Test(suggest, closest_and_first_wins)
{
    /* "se" is 1 from "set" and 2 from "seed": the closer one. */
    expect("se", "set");
    /* "progres" is 1 from "progress" and 4 from "no-progress". */
    expect("progres", "progress");
    static const char *const tie[] = {"abcd", "abce"};
    cr_assert_str_eq(ds_suggest("abcx", tie, 2), "abcd");
}

Test(suggest, long_words_allow_a_third)
{
    static const char *const keys[] = {"baseline_deficit", "elasticity"};
    /* 16 characters: up to 5 edits. */
    cr_assert_str_eq(ds_suggest("basline_defict", keys, 2), "baseline_deficit");
    cr_assert_null(ds_suggest("b_d", keys, 2));
    char longw[100];
    memset(longw, 'a', 99);
    longw[99] = '\0';
    static const char *const la[] = {"aaaa"};
    cr_assert_null(ds_suggest(longw, la, 1), "longer than DS_SUGGEST_MAX_LEN");
}
