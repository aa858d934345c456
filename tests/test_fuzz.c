/*
 * test_fuzz.c - the scenario loader never crashes, leaks or hangs: thousands
 * of random mutations (bit flips, insertions, deletions, duplicated spans,
 * truncations) of valid files, and random --set overrides, each parsed and
 * built in-process.  Fixed seed; leaks are caught under the ASan build.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dealsim/scenario.h"

/* Mutated inputs per seed file: a few thousand in all, well under 20 s in a
 * Debug + ASan build. */
#define N_MUTANTS 3000
/* Fixed seed of the local generator (any value; fixed for reproducibility). */
#define FUZZ_SEED UINT64_C(0x9E3779B97F4A7C15)

/* xorshift64* (Vigna 2016): a tiny generator local to this test. */
static uint64_t rs = FUZZ_SEED;

static uint64_t rnd(void)
{
    rs ^= rs >> 12;
    rs ^= rs << 25;
    rs ^= rs >> 27;
    return rs * UINT64_C(2685821657736338717);
}

static size_t below(size_t n)
{
    return n ? (size_t)(rnd() % n) : 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* Bytes that steer a JSON parser into interesting places. */
static const char special[] = "{}[]\":,.-+eE0123456789 \n\r\t\\tfnu_aZ\xEF\xBB\xBF\x80\xC3";

/* One random edit of buf[0..n) (capacity cap); returns the new length.
 * With keep_syntax, only edits that leave the JSON well-formed. */
static size_t mutate(char *buf, size_t n, size_t cap, int keep_syntax)
{
    size_t i = below(n + 1), k;
    switch (keep_syntax ? 6 : below(9)) {
    case 0: /* flip a bit */
        if (n)
            buf[below(n)] ^= (char)(1u << below(8));
        break;
    case 1: /* insert a byte, often a structural one */
        if (n + 1 < cap) {
            memmove(buf + i + 1, buf + i, n - i);
            buf[i] = below(2) ? special[below(sizeof special - 1)]
                              : (char)below(256);
            n++;
        }
        break;
    case 2: /* delete a span */
        k = below(16) + 1;
        if (i + k > n)
            k = n - i;
        memmove(buf + i, buf + i + k, n - i - k);
        n -= k;
        break;
    case 3: /* duplicate a span (makes duplicate keys, ids, elements) */
        k = below(64) + 1;
        if (i + k > n)
            k = n - i;
        if (n + k < cap) {
            size_t at = below(n + 1);
            char tmp[64];
            memcpy(tmp, buf + i, k);
            memmove(buf + at + k, buf + at, n - at);
            memcpy(buf + at, tmp, k);
            n += k;
        }
        break;
    case 4: /* truncate */
        n = below(n + 1);
        break;
    case 6:
    case 7:
    case 8: /* replace the scalar after a ':' (keeps the syntax valid, so
               the validator, not the parser, gets exercised) */
        for (k = i; k < n && buf[k] != ':'; k++)
            ;
        if (k < n) {
            static const char *const vals[] = {
                "-1", "0", "2.5", "1e999", "null", "true", "\"x\"", "[]", "{}",
                "\"deficit\"", "\"semis\"", "[\"big\",\"nope\"]",
                "{\"dist\":\"normal\",\"mean\":0,\"sd\":1}",
                "{\"dist\":\"discrete\",\"values\":[1],\"weights\":[0]}",
                "{\"dist\":\"pert\",\"min\":1,\"mode\":0,\"max\":2}",
                "{\"dist\":\"lognormal\",\"median\":1,\"sigma\":0}"};
            const char *v = vals[below(sizeof vals / sizeof vals[0])];
            size_t vs = k + 1, ve, l = strlen(v);
            while (vs < n && buf[vs] == ' ')
                vs++;
            ve = vs;
            if (ve < n && buf[ve] == '"') {
                for (ve++; ve < n && buf[ve] != '"'; ve++)
                    ;
                ve += ve < n;
            } else
                while (ve < n && !strchr(",}]{[\n ", buf[ve]))
                    ve++;
            if (n - (ve - vs) + l < cap) {
                memmove(buf + vs + l, buf + ve, n - ve);
                memcpy(buf + vs, v, l);
                n = n - (ve - vs) + l;
            }
        }
        break;
    default: /* replace a digit run with an extreme number */
        for (k = i; k < n && !(buf[k] >= '0' && buf[k] <= '9'); k++)
            ;
        if (k < n) {
            static const char *const nums[] = {"1e999", "-0", "4.5", "1e-320",
                                               "9007199254740993", "-1"};
            const char *s = nums[below(6)];
            size_t l = strlen(s);
            if (n + l < cap) {
                memmove(buf + k + l, buf + k + 1, n - k - 1);
                memcpy(buf + k, s, l);
                n += l - 1;
            }
        }
        break;
    }
    return n;
}

static void parse_and_build(const char *text, size_t len)
{
    ds_report rep;
    ds_model *m = NULL;
    ds_report_init(&rep);
    ds_scenario *s = ds_scenario_parse("fuzz.json", text, len, &rep);
    if (s) {
        int rc = ds_scenario_build(s, &m, &rep);
        /* Either a model and no problem, or problems and no model. */
        cr_assert((rc == DS_OK) == (m != NULL));
        cr_assert(rc != DS_OK || rep.n == 0);
        cr_assert(rc == DS_OK || rep.n > 0);
    } else {
        cr_assert(rep.n > 0);
    }
    for (size_t i = 0; i < rep.n; i++)
        cr_assert(strncmp(rep.msg[i], "fuzz.json", 9) == 0, "%s", rep.msg[i]);
    ds_model_free(m);
    ds_scenario_free(s);
    ds_report_free(&rep);
}

static void fuzz_file(const char *path)
{
    size_t len;
    char *orig = slurp(path, &len);
    size_t cap = 2 * len + 1024;
    char *buf = malloc(cap);
    parse_and_build(orig, len);
    for (int t = 0; t < N_MUTANTS; t++) {
        size_t n = len;
        memcpy(buf, orig, len);
        int edits = 1 + (int)below(3);
        for (int e = 0; e < edits; e++)
            n = mutate(buf, n, cap, t % 2);
        parse_and_build(buf, n);
    }
    free(buf);
    free(orig);
}

Test(fuzz, mutated_full)
{
    fuzz_file(DS_TEST_DIR "/data/good/full.json");
}

Test(fuzz, mutated_minimal)
{
    fuzz_file(DS_TEST_DIR "/data/good/minimal.json");
}

Test(fuzz, every_truncation)
{
    size_t len;
    char *orig = slurp(DS_TEST_DIR "/data/good/minimal.json", &len);
    for (size_t n = 0; n <= len; n++)
        parse_and_build(orig, n);
    free(orig);
}

Test(fuzz, random_overrides)
{
    static const char *const parts[] = {
        "items", "semis", "lng", "cost", "max", "min", "dist", "actors",
        "lutnick", "trump", "weights", "reshoring", "deficit", "protocol",
        "rounds", "simulation", "seed", "lines", "autos", "deal", "values",
        "packages", "big", "0", "", "_x", "home", "margin", "third_parties",
        "china", "retaliation", "strategies", "offers", "scores", "exposure"};
    static const char *const values[] = {
        "1", "-1", "0.5", "true", "null", "\"x\"", "word", "[]", "{}", "[1,2]",
        "{\"dist\":\"uniform\",\"min\":0,\"max\":1}", "{\"dist\":\"nope\"}",
        "1e999", "{\"a\":1,\"a\":2}", "", "[[[", "\"unterminated"};
    size_t len;
    char *orig = slurp(DS_TEST_DIR "/data/good/full.json", &len);
    for (int t = 0; t < 1000; t++) {
        ds_report rep;
        ds_model *m = NULL;
        ds_report_init(&rep);
        ds_scenario *s = ds_scenario_parse("fuzz.json", orig, len, &rep);
        cr_assert_not_null(s);
        int sets = 1 + (int)below(3);
        for (int k = 0; k < sets; k++) {
            char path[256] = "";
            int np = 1 + (int)below(5);
            for (int p = 0; p < np; p++) {
                if (p)
                    strcat(path, ".");
                strcat(path, parts[below(sizeof parts / sizeof parts[0])]);
            }
            ds_scenario_set(s, path, values[below(sizeof values / sizeof values[0])],
                            &rep);
        }
        ds_scenario *c = ds_scenario_copy(s);
        cr_assert_not_null(c);
        ds_scenario_build(c, &m, &rep);
        ds_model_free(m);
        ds_scenario_free(c);
        ds_scenario_free(s);
        ds_report_free(&rep);
    }
    free(orig);
}
