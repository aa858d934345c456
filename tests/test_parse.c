/*
 * test_parse.c - the strict JSON scanner in front of cJSON (SPEC §3, §4),
 * the terminal-safe messages of error.c, and design-file line ends: text in
 * buffers of exactly its size (no NUL after it, a guard page after it),
 * invalid UTF-8, "\u0000" and lone surrogates, messages that name common
 * JSON mistakes, control characters from an input shown escaped, and the
 * bad files tests/data/bad/json_* through `dealsim validate` and in-process.
 * Cases that pin a past defect say what went wrong before.
 */
/* MAP_ANONYMOUS is not POSIX.1-2008; glibc shows it with this. */
#define _DEFAULT_SOURCE
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli_util.h"
#include "dealsim/design.h"
#include "dealsim/error.h"
#include "dealsim/scenario.h"

#define BAD_DIR DS_TEST_DIR "/data/bad/"
#define GOOD_DIR DS_TEST_DIR "/data/good/"
#define DESIGN_DIR DS_TEST_DIR "/data/design/"

/* ------------------------------------------------------------ helpers */

/* All messages of a report, each followed by '\n' (caller frees). */
static char *joined(const ds_report *rep)
{
    size_t len = 1;
    char *all;
    for (size_t i = 0; i < rep->n; i++)
        len += strlen(rep->msg[i]) + 1;
    all = calloc(1, len);
    cr_assert_not_null(all);
    for (size_t i = 0; i < rep->n; i++) {
        strcat(all, rep->msg[i]);
        strcat(all, "\n");
    }
    return all;
}

/* Parse text[0..len) from a heap buffer of exactly len bytes (nothing after
 * it for ASan to miss) and, when it parses, build it.  Returns the report
 * (caller frees); *built tells whether a model came out. */
static char *parse_heap(const char *text, size_t len, int *built)
{
    ds_report rep;
    ds_model *m = NULL;
    char *buf = malloc(len ? len : 1), *r;
    cr_assert_not_null(buf);
    memcpy(buf, text, len);
    ds_report_init(&rep);
    ds_scenario *s = ds_scenario_parse("t.json", buf, len, &rep);
    if (s)
        ds_scenario_build(s, &m, &rep);
    if (built)
        *built = m != NULL;
    ds_model_free(m);
    ds_scenario_free(s);
    free(buf);
    r = joined(&rep);
    ds_report_free(&rep);
    return r;
}

/* Place text[0..len) at the very end of readable memory: the page after it
 * is PROT_NONE, so reading one byte past the end faults in every build,
 * with or without a sanitizer.  Returns the copy; release with
 * guard_free(copy, len). */
static char *guarded(const char *text, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (len + page - 1) / page + 1;
    char *base = mmap(NULL, pages * page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(base, MAP_FAILED);
    cr_assert_eq(mprotect(base + (pages - 1) * page, page, PROT_NONE), 0);
    char *p = base + (pages - 1) * page - len;
    memcpy(p, text, len);
    return p;
}

static void guard_free(char *p, size_t len)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (len + page - 1) / page + 1;
    char *base = p + len - (pages - 1) * page;
    munmap(base, pages * page);
}

/* Parse text[0..len) placed just before a guard page; the report. */
static char *parse_guarded(const char *text, size_t len)
{
    ds_report rep;
    char *buf = guarded(text, len), *r;
    ds_report_init(&rep);
    ds_scenario_free(ds_scenario_parse("t.json", buf, len, &rep));
    guard_free(buf, len);
    r = joined(&rep);
    ds_report_free(&rep);
    return r;
}

/* The first message of parsing a C string, without its '\n'. */
static char *first_message(const char *text)
{
    char *r = parse_heap(text, strlen(text), NULL), *nl = strchr(r, '\n');
    if (nl)
        *nl = '\0';
    return r;
}

static char *slurp(const char *path, size_t *len)
{
    char *b = cli_read_file(path, len);
    cr_assert_not_null(b, "cannot read %s", path);
    return b;
}

/* 1 if s holds a byte a terminal may act on (C0 other than '\n', DEL). */
static int has_control(const char *s)
{
    for (; *s; s++)
        if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7f)
            return 1;
    return 0;
}

/* ---------------------------------------- text of exactly its size */

/* Before: the scanner read the byte after the text when a number, a key or
 * a fraction was cut off at the end ("-", {"a", [1.), an over-read of one
 * byte past a heap buffer of exactly the text's size.  Pinned 2026-11-28. */
Test(parse, cut_off_text_is_not_read_past)
{
    static const struct { const char *text, *want; } c[] = {
        {"-", "t.json:1:2: error: unexpected end of input\n"},
        {"{\"a\"", "t.json:1:5: error: unexpected end of input\n"},
        {"[1.", "t.json:1:4: error: unexpected end of input\n"},
        {"{\"a\":1e", "t.json:1:8: error: unexpected end of input\n"},
        {"{\"a\":-", "t.json:1:7: error: unexpected end of input\n"},
        {"{\"a\":\"\\u12", "t.json:1:7: error: invalid \\u escape in a string\n"},
        {"{\"a\":\"\\ud800\\", "t.json:1:7: error: lone surrogate escape \\ud800 in a string: "
                            "a high surrogate must be followed by a low one (\\uDC00-\\uDFFF)\n"},
        {"{\"a\":\"\xC3", "t.json:1:7: error: invalid UTF-8 in a string: byte 0xc3 starts a "
                         "2-byte sequence that is cut short\n"},
        {"{\"a\":1,", "t.json:1:8: error: unexpected end of input\n"},
        {"{\"a\":1 /", "t.json:1:8: error: unexpected character '/', expected ',' or '}'\n"},
        {"{\"a\":tr", "t.json:1:6: error: unexpected character 't', expected a value\n"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        size_t len = strlen(c[i].text);
        char *h = parse_heap(c[i].text, len, NULL);
        char *g = parse_guarded(c[i].text, len);
        cr_expect_str_eq(h, c[i].want, "heap, case %zu", i);
        cr_expect_str_eq(g, c[i].want, "guarded, case %zu", i);
        free(h);
        free(g);
    }
}

/* Every prefix of real files, each in a buffer of exactly its size. */
Test(parse, every_prefix_in_exact_buffers)
{
    static const char *const files[] = {GOOD_DIR "minimal.json",
                                        BAD_DIR "json_utf8_continuation.json",
                                        BAD_DIR "json_lone_surrogate.json"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        size_t len;
        char *text = slurp(files[f], &len);
        for (size_t n = 0; n <= len; n++) {
            free(parse_heap(text, n, NULL));
            free(parse_guarded(text, n));
        }
        free(text);
    }
}

/* ------------------------------------------------- string contents */

/* Before: "\u0000" ended the C string cJSON made, so a key, id or name
 * was silently cut short ("rounds\u0000x" read as "rounds").  dealsim's
 * strings are NUL-terminated everywhere (ids, names, output), so a NUL
 * cannot be kept without truncation: it is rejected in every string, free
 * text included.  Pinned 2026-11-28. */
Test(parse, nul_escape_is_rejected_in_every_string)
{
    static const struct { const char *text, *want; } c[] = {
        {"{\"rounds\\u0000x\":1}", "t.json:1:9: error: \\u0000 (a NUL character) is not "
                                   "allowed in a string"},
        {"{\"a\":[\"id\\u0000\"]}", "t.json:1:10: error: \\u0000 (a NUL character) is not "
                                    "allowed in a string"},
        {"{\"description\":\"free \\u0000 text\"}", "t.json:1:22: error: \\u0000 (a NUL "
                                                   "character) is not allowed in a string"},
        {"{\"_note\":\"\\u0000\"}", "t.json:1:11: error: \\u0000 (a NUL character) is not "
                                    "allowed in a string"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char *r = first_message(c[i].text);
        cr_expect_str_eq(r, c[i].want, "case %zu", i);
        free(r);
    }
    /* Other escaped control characters are kept (and shown escaped in
     * messages); only NUL cannot live in a C string. */
    char *r = first_message("{\"a\":\"\\u0001\\u001f\"}");
    cr_expect(strstr(r, "error: a: unknown key") != NULL, "%s", r);
    free(r);
}

/* Before: overlong forms, encoded surrogates, code points above U+10FFFF,
 * cut sequences and stray continuation bytes were accepted in strings and
 * copied into JSON output.  RFC 8259 §8.1 requires UTF-8.  Pinned
 * 2026-11-28. */
Test(parse, invalid_utf8_in_strings_is_rejected)
{
    static const struct { const char *text, *want; } c[] = {
        {"{\"a\":\"\xC0\xAF\"}", "t.json:1:7: error: invalid UTF-8 in a string: byte 0xc0 is "
                                 "an overlong encoding"},
        {"{\"a\":\"\xC1\xBF\"}", "t.json:1:7: error: invalid UTF-8 in a string: byte 0xc1 is "
                                 "an overlong encoding"},
        {"{\"a\":\"\xE0\x80\xAF\"}", "t.json:1:7: error: invalid UTF-8 in a string: bytes 0xe0 "
                                     "0x80 start an overlong encoding"},
        {"{\"a\":\"\xF0\x8F\xBF\xBF\"}", "t.json:1:7: error: invalid UTF-8 in a string: bytes "
                                         "0xf0 0x8f start an overlong encoding"},
        {"{\"a\":\"\xED\xA0\x80\"}", "t.json:1:7: error: invalid UTF-8 in a string: bytes 0xed "
                                     "0xa0 start an encoded surrogate (U+D800-U+DFFF)"},
        {"{\"a\":\"\xED\xBF\xBF\"}", "t.json:1:7: error: invalid UTF-8 in a string: bytes 0xed "
                                     "0xbf start an encoded surrogate (U+D800-U+DFFF)"},
        {"{\"a\":\"\xF4\x90\x80\x80\"}", "t.json:1:7: error: invalid UTF-8 in a string: bytes "
                                         "0xf4 0x90 start a code point above U+10FFFF"},
        {"{\"a\":\"\xF5\x80\x80\x80\"}", "t.json:1:7: error: invalid UTF-8 in a string: byte "
                                         "0xf5 is a code point above U+10FFFF"},
        {"{\"a\":\"\xFF\"}", "t.json:1:7: error: invalid UTF-8 in a string: byte 0xff is a "
                             "byte that never occurs in UTF-8"},
        {"{\"a\":\"x\x80\"}", "t.json:1:8: error: invalid UTF-8 in a string: byte 0x80 is a "
                              "continuation byte without a lead byte"},
        {"{\"a\":\"\xE2\x82\xAC\xAC\"}", "t.json:1:8: error: invalid UTF-8 in a string: byte "
                                         "0xac is a continuation byte without a lead byte"},
        {"{\"a\":\"\xC3\"}", "t.json:1:7: error: invalid UTF-8 in a string: byte 0xc3 starts a "
                             "2-byte sequence that is cut short"},
        {"{\"a\":\"\xE2\x82x\"}", "t.json:1:7: error: invalid UTF-8 in a string: byte 0xe2 "
                                  "starts a 3-byte sequence that is cut short"},
        {"{\"a\":\"\xF0\x9D\x84\"}", "t.json:1:7: error: invalid UTF-8 in a string: byte 0xf0 "
                                     "starts a 4-byte sequence that is cut short"},
        /* in a key too, and the column counts code points before it */
        {"{\"\xC3\xA9\xE2\x82\xAC\xED\xA0\x80\":1}", "t.json:1:5: error: invalid UTF-8 in a "
                                                     "string: bytes 0xed 0xa0 start an encoded "
                                                     "surrogate (U+D800-U+DFFF)"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char *r = first_message(c[i].text);
        cr_expect_str_eq(r, c[i].want, "case %zu", i);
        free(r);
    }
}

/* The edges of valid UTF-8 (and an escaped pair) are accepted and reach
 * the model byte for byte. */
Test(parse, valid_utf8_reaches_the_model)
{
    static const struct { const char *json, *bytes; } c[] = {
        {"\xC2\x80", "\xC2\x80"},                 /* U+0080 */
        {"\xDF\xBF", "\xDF\xBF"},                 /* U+07FF */
        {"\xE0\xA0\x80", "\xE0\xA0\x80"},         /* U+0800 */
        {"\xED\x9F\xBF", "\xED\x9F\xBF"},         /* U+D7FF */
        {"\xEE\x80\x80", "\xEE\x80\x80"},         /* U+E000 */
        {"\xEF\xBF\xBF", "\xEF\xBF\xBF"},         /* U+FFFF */
        {"\xF0\x90\x80\x80", "\xF0\x90\x80\x80"}, /* U+10000 */
        {"\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF"}, /* U+10FFFF */
        {"caf\xC3\xA9 \xE2\x82\xAC", "caf\xC3\xA9 \xE2\x82\xAC"},
        {"\\ud834\\udd1e", "\xF0\x9D\x84\x9E"},   /* U+1D11E as a pair */
        {"\\udbff\\udfff", "\xF4\x8F\xBF\xBF"},   /* U+10FFFF as a pair */
    };
    size_t len;
    char *base = slurp(GOOD_DIR "minimal.json", &len);
    const char *at = strstr(base, "\"minimal\"");
    cr_assert_not_null(at);
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char text[2048];
        ds_report rep;
        ds_model *m = NULL;
        int k = snprintf(text, sizeof text, "%.*s\"%s\"%s", (int)(at - base), base, c[i].json,
                         at + strlen("\"minimal\""));
        ds_report_init(&rep);
        ds_scenario *s = ds_scenario_parse("t.json", text, (size_t)k, &rep);
        cr_assert_not_null(s, "case %zu: %s", i, rep.n ? rep.msg[0] : "");
        cr_assert_eq(ds_scenario_build(s, &m, &rep), DS_OK, "case %zu: %s", i,
                     rep.n ? rep.msg[0] : "");
        cr_expect_str_eq(m->name, c[i].bytes, "case %zu", i);
        ds_model_free(m);
        ds_scenario_free(s);
        ds_report_free(&rep);
    }
    free(base);
}

/* Before: "\ud800x" passed the scanner and cJSON then failed, which was
 * reported as "cannot parse the JSON near ... (number too long, or out of
 * memory)".  Pinned 2026-11-28. */
Test(parse, lone_surrogates_are_named)
{
    static const char high[] = "a high surrogate must be followed by a low one (\\uDC00-\\uDFFF)";
    static const char low[] = "a low surrogate must follow a high one (\\uD800-\\uDBFF)";
    static const struct { const char *text, *esc; int is_high; size_t col; } c[] = {
        {"{\"a\":\"\\ud800x\"}", "\\ud800", 1, 7},
        {"{\"a\":\"\\uD800\"}", "\\uD800", 1, 7},
        {"{\"a\":\"x\\udbff\\n\"}", "\\udbff", 1, 8},
        {"{\"a\":\"\\ud800\\u0041\"}", "\\ud800", 1, 7},
        {"{\"a\":\"\\ud800\\ud800\"}", "\\ud800", 1, 7},
        {"{\"a\":\"\\udc00\"}", "\\udc00", 0, 7},
        {"{\"a\":\"\\ud83d\\ude00\\udfff\"}", "\\udfff", 0, 19},
        {"{\"\\udCBA\":1}", "\\udCBA", 0, 3},
        {"{\"\\udABC\":1}", "\\udABC", 1, 3},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char want[256], *r = first_message(c[i].text);
        snprintf(want, sizeof want, "t.json:1:%zu: error: lone surrogate escape %s in a "
                 "string: %s", c[i].col, c[i].esc, c[i].is_high ? high : low);
        cr_expect_str_eq(r, want, "case %zu", i);
        free(r);
    }
}

/* A number longer than the 63 characters cJSON reads was reported as
 * "number too long, or out of memory"; now the scanner names it. */
Test(parse, long_numbers)
{
    char text[128], *r;
    int built;
    snprintf(text, sizeof text, "{\"a\":0.%062d}", 1); /* 64 characters */
    r = first_message(text);
    cr_expect_str_eq(r, "t.json:1:6: error: number too long (at most 63 characters)");
    free(r);
    snprintf(text, sizeof text, "{\"a\":0.%061d}", 1); /* 63: read */
    r = parse_heap(text, strlen(text), &built);
    cr_expect(strstr(r, "error: a: unknown key") != NULL, "%s", r);
    free(r);
}

/* ------------------------------------------- messages for mistakes */

/* Before: a trailing comma was reported at the ']' or '}' after it as
 * "unexpected character"; a missing comma, single quotes and comments got
 * the generic message.  Pinned 2026-11-28. */
Test(parse, common_mistakes_are_named)
{
    static const char no_comments[] =
        "comments are not allowed in JSON (write a comment as a key starting with '_', "
        "e.g. \"_note\": \"...\")";
    static const char single[] =
        "single quote: JSON strings and keys are written in double quotes (\"...\")";
    static const struct { const char *text, *pos, *msg; } c[] = {
        /* trailing commas: at the comma, not at what follows */
        {"{\"a\":[1,2,]}", "1:10", "trailing comma (JSON allows none before ']')"},
        {"{\"a\":[1,\n  2,\n]}", "2:4", "trailing comma (JSON allows none before ']')"},
        {"{\"a\":1,}", "1:7", "trailing comma (JSON allows none before '}')"},
        {"{\"a\":{\"b\":1,\r\n  }\n}", "1:12", "trailing comma (JSON allows none before '}')"},
        {"{\"a\":[1,,2]}", "1:9", "unexpected ',' (two commas in a row)"},
        {"{\"a\":1,,\"b\":2}", "1:8", "unexpected ',' (two commas in a row)"},
        /* missing commas */
        {"{\"a\":1\n \"b\":2}", "2:2",
         "unexpected character '\"', expected ',' or '}' (missing comma between two members)"},
        {"{\"a\":[1 2]}", "1:9",
         "unexpected character '2', expected ',' or ']' (missing comma between two values)"},
        {"{\"a\":[{} {}]}", "1:10",
         "unexpected character '{', expected ',' or ']' (missing comma between two values)"},
        {"{\"a\":[\"x\" \"y\"]}", "1:11",
         "unexpected character '\"', expected ',' or ']' (missing comma between two values)"},
        {"{\"a\":[1 true]}", "1:9",
         "unexpected character 't', expected ',' or ']' (missing comma between two values)"},
        {"{\"a\":[1 -2]}", "1:9",
         "unexpected character '-', expected ',' or ']' (missing comma between two values)"},
        {"{\"a\":[1 :]}", "1:9", "unexpected character ':', expected ',' or ']'"},
        {"{\"a\":1 2}", "1:8", "unexpected character '2', expected ',' or '}'"},
        /* single quotes */
        {"{'a':1}", "1:2", single},
        {"{\"a\":'x'}", "1:6", single},
        {"{\"a\":['x']}", "1:7", single},
        /* comments, wherever a token may stand */
        {"// settings\n{\"a\":1}", "1:1", no_comments},
        {"/* settings */ {\"a\":1}", "1:1", no_comments},
        {"{\n  // note\n  \"a\":1}", "2:3", no_comments},
        {"{\"a\": /* bn */ 1}", "1:7", no_comments},
        {"{\"a\":1 // bn\n}", "1:8", no_comments},
        {"{\"a\":1, /* x */ \"b\":2}", "1:9", no_comments},
        {"{\"a\":[1, // x\n 2]}", "1:10", no_comments},
        {"{\"a\":1}\n// end\n", "2:1", no_comments},
        {"{\"a\":1} /* end */", "1:9", no_comments},
        {"# settings\n{\"a\":1}", "1:1", no_comments},
        {"{\"a\":1, # x\n\"b\":1}", "1:9", no_comments},
        /* unquoted keys */
        {"{name: 1}", "1:2",
         "unexpected character 'n', expected a string key (keys are written in double quotes)"},
        {"{\"a\":1, _b: 1}", "1:9",
         "unexpected character '_', expected a string key (keys are written in double quotes)"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char want[512], *r = first_message(c[i].text);
        snprintf(want, sizeof want, "t.json:%s: error: %s", c[i].pos, c[i].msg);
        cr_expect_str_eq(r, want, "case %zu: %s", i, c[i].text);
        free(r);
    }
}

/* ------------------------------------------ bad files, end to end */

/* One file per problem and the fragments its report must contain. */
static const struct bad_case {
    const char *name;
    const char *expect[2];
} bad_cases[] = {
    {"json_trailing_comma_array", {":8:84: error: trailing comma (JSON allows none before ']')"}},
    {"json_trailing_comma_object", {":16:28: error: trailing comma (JSON allows none before '}')"}},
    {"json_missing_comma_array",
     {":15:5: error: unexpected character '{', expected ',' or ']' (missing comma between two "
      "values)"}},
    {"json_missing_comma_object",
     {":6:3: error: unexpected character '\"', expected ',' or '}' (missing comma between two "
      "members)"}},
    {"json_single_quotes", {":3:3: error: single quote: JSON strings and keys are written in "
                            "double quotes"}},
    {"json_single_quoted_value", {":3:11: error: single quote:"}},
    {"json_comment_line", {":5:3: error: comments are not allowed in JSON (write a comment as "
                           "a key starting with '_'"}},
    {"json_comment_block", {":4:26: error: comments are not allowed in JSON"}},
    {"json_nul_key", {":16:23: error: \\u0000 (a NUL character) is not allowed in a string"}},
    {"json_nul_id", {":8:18: error: \\u0000 (a NUL character) is not allowed in a string"}},
    {"json_nul_name", {":3:16: error: \\u0000 (a NUL character) is not allowed in a string"}},
    {"json_lone_surrogate", {":3:12: error: lone surrogate escape \\ud800 in a string: a high "
                             "surrogate must be followed by a low one"}},
    {"json_lone_low_surrogate", {":3:13: error: lone surrogate escape \\udc00 in a string: a "
                                 "low surrogate must follow a high one"}},
    {"json_utf8_overlong", {":3:14: error: invalid UTF-8 in a string: byte 0xc0 is an overlong "
                            "encoding"}},
    {"json_utf8_surrogate", {":3:12: error: invalid UTF-8 in a string: bytes 0xed 0xa0 start "
                             "an encoded surrogate"}},
    {"json_utf8_above_max", {":3:12: error: invalid UTF-8 in a string: bytes 0xf4 0x90 start a "
                             "code point above U+10FFFF"}},
    {"json_utf8_truncated", {":3:15: error: invalid UTF-8 in a string: byte 0xc3 starts a "
                             "2-byte sequence that is cut short"}},
    {"json_utf8_continuation", {":3:13: error: invalid UTF-8 in a string: byte 0x80 is a "
                                "continuation byte without a lead byte"}},
    {"json_utf8_key", {":16:18: error: invalid UTF-8 in a string: byte 0xff is a byte that "
                       "never occurs in UTF-8"}},
    {"json_control_key", {"error: protocol.\\x1b]0;owned\\x07\\x1b[2J: unknown key"}},
    {"json_control_id", {"error: packages[0].id: invalid id 'no\\x1b[31mthing\\u009b'",
                         "error: packages[0].id:"}},
};
#define N_BAD (sizeof bad_cases / sizeof bad_cases[0])

Test(parse, bad_files_in_process)
{
    for (size_t i = 0; i < N_BAD; i++) {
        char path[512];
        size_t len;
        int built;
        snprintf(path, sizeof path, BAD_DIR "%s.json", bad_cases[i].name);
        char *text = slurp(path, &len);
        char *r = parse_heap(text, len, &built);
        cr_expect(!built, "%s built", bad_cases[i].name);
        for (size_t k = 0; k < 2 && bad_cases[i].expect[k]; k++)
            cr_expect(strstr(r, bad_cases[i].expect[k]) != NULL, "%s: report lacks \"%s\":\n%s",
                      bad_cases[i].name, bad_cases[i].expect[k], r);
        cr_expect(!has_control(r), "%s: raw control character in:\n%s", bad_cases[i].name, r);
        free(r);
        free(text);
    }
}

Test(parse, bad_files_through_cli)
{
    char *dir = cli_tmpdir();
    cr_assert(dir && cli_exists(dir));
    for (size_t i = 0; i < N_BAD; i++) {
        char path[512];
        snprintf(path, sizeof path, BAD_DIR "%s.json", bad_cases[i].name);
        cli_result r = cli_run(dir, "validate", path, NULL);
        cr_expect_eq(r.status, 2, "%s: exit %d, want 2", bad_cases[i].name, r.status);
        cr_expect_str_empty(r.out, "%s printed on stdout: %s", bad_cases[i].name, r.out);
        cr_expect(strncmp(r.err, path, strlen(path)) == 0, "%s: %s", bad_cases[i].name, r.err);
        for (size_t k = 0; k < 2 && bad_cases[i].expect[k]; k++)
            cr_expect(strstr(r.err, bad_cases[i].expect[k]) != NULL,
                      "%s: stderr lacks \"%s\":\n%s", bad_cases[i].name, bad_cases[i].expect[k],
                      r.err);
        cr_expect(!has_control(r.err), "%s: raw control character on stderr:\n%s",
                  bad_cases[i].name, r.err);
        cli_free(&r);
    }
    cli_rmdir(dir);
}

/* --------------------------------------------- terminal-safe text */

static char *escaped(const char *src)
{
    size_t n = ds_text_escape(NULL, 0, src);
    char *d = malloc(n + 1);
    cr_assert_not_null(d);
    cr_assert_eq(ds_text_escape(d, n + 1, src), n);
    return d;
}

Test(escape, controls_are_shown_as_escapes)
{
    static const struct { const char *in, *out; } c[] = {
        {"plain text", "plain text"},
        {"", ""},
        {"\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"},                /* CSI (ESC [) */
        {"\x1b]0;title\x07", "\\x1b]0;title\\x07"},                   /* OSC ... BEL */
        {"a\tb\nc\rd\x01\x1f", "a\\x09b\\x0ac\\x0dd\\x01\\x1f"},
        {"del\x7f", "del\\x7f"},
        {"\xC2\x9B" "2J \xC2\x80 \xC2\x9F", "\\u009b2J \\u0080 \\u009f"}, /* C1 in UTF-8 */
        {"\xC2\xA0\xC2\xA9", "\xC2\xA0\xC2\xA9"},                     /* U+00A0, U+00A9 */
        {"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E"},
        {"\x9b" "2J", "\\x9b2J"},                                     /* 8-bit CSI */
        {"\xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80 \xFF",
         "\\xc0\\xaf \\xed\\xa0\\x80 \\xf4\\x90\\x80\\x80 \\xff"},
        {"cut \xE2\x82", "cut \\xe2\\x82"},
        {"back\\slash \\x1b", "back\\slash \\x1b"},                   /* already escaped */
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char *once = escaped(c[i].in), *twice = escaped(once);
        cr_expect_str_eq(once, c[i].out, "case %zu", i);
        cr_expect_str_eq(twice, once, "case %zu escaped twice", i);
        free(once);
        free(twice);
    }
}

Test(escape, cut_to_fit_never_inside_an_escape)
{
    const char *src = "ab\x1b" "c\xE2\x82\xAC" "d";  /* -> ab\x1bc<euro>d, 11 bytes */
    char buf[16];
    /* Length kept with n bytes of room (index n): whole pieces only. */
    static const size_t want[] = {0, 0, 1, 2, 2, 2, 2, 6, 7, 7, 7, 10, 11};
    cr_assert_eq(ds_text_escape(NULL, 0, src), 11);
    for (size_t n = 1; n < sizeof want / sizeof want[0]; n++) {
        memset(buf, 'Z', sizeof buf);
        cr_expect_eq(ds_text_escape(buf, n, src), 11, "n %zu", n);
        cr_expect_eq(strlen(buf), want[n], "n %zu: '%s'", n, buf);
        cr_expect_eq(strncmp(buf, "ab\\x1bc\xE2\x82\xAC" "d", strlen(buf)), 0, "n %zu", n);
    }
    memset(buf, 'Z', sizeof buf);
    ds_text_escape(buf, 0, src);
    cr_expect_eq(buf[0], 'Z', "n 0 writes nothing");
}

/* Before: keys, ids and file names went into messages raw, so a scenario
 * could send ESC/OSC/BEL sequences to the terminal of whoever validated it.
 * Pinned 2026-11-28. */
Test(escape, every_message_is_escaped)
{
    ds_report rep;
    ds_error e;
    ds_report_init(&rep);
    cr_assert_eq(ds_report_add(&rep, "f.json: error: %s: unknown key", "\x1b]0;x\x07"), DS_OK);
    cr_assert_eq(ds_report_add(&rep, "%s", "already \\x1b escaped"), DS_OK);
    cr_assert_eq(ds_report_add(&rep, "%s", "two\nlines"), DS_OK);
    cr_expect_str_eq(rep.msg[0], "f.json: error: \\x1b]0;x\\x07: unknown key");
    cr_expect_str_eq(rep.msg[1], "already \\x1b escaped");
    cr_expect_str_eq(rep.msg[2], "two\\x0alines");
    ds_report_free(&rep);

    cr_assert_eq(ds_error_set(&e, DS_EINVAL, "%s:2: error: column '%s'", "d\x9b.csv",
                              "a\x1b[2Jb"), DS_EINVAL);
    cr_expect_str_eq(e.msg, "d\\x9b.csv:2: error: column 'a\\x1b[2Jb'");
    cr_expect_eq(e.code, DS_EINVAL);
}

/* A message far longer than a ds_error holds is cut, still terminated,
 * and never ends inside an escape. */
Test(escape, long_error_messages_are_cut_cleanly)
{
    char big[3 * DS_ERROR_MSG_MAX];
    ds_error e;
    memset(big, '\x1b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ds_error_set(&e, DS_EINVAL, "%s", big);
    size_t n = strlen(e.msg);
    cr_expect(n < DS_ERROR_MSG_MAX);
    cr_expect_eq(n % 4, 0, "cut inside an escape: %zu", n);
    cr_expect(!has_control(e.msg));
}

/* ----------------------------------------- design-file line ends */

static int is_integer_key(const char *path, void *ctx)
{
    (void)ctx;
    return strcmp(path, "protocol.rounds") == 0;
}

static ds_design *design_from(const char *file)
{
    ds_design_args a = {0};
    ds_design *d = NULL;
    ds_error e = {0};
    a.design_file = file;
    a.is_integer = is_integer_key;
    int rc = ds_design_new(&a, &d, &e);
    cr_assert_eq(rc, DS_OK, "%s: %s", file, e.msg);
    return d;
}

/* The three files differ only in line ends (a blank line included):
 * points, values and line numbers agree.  Before: a CR-only file was one
 * header line holding every CR, and gave "no design points".  Pinned
 * 2026-11-28. */
Test(design_file, cr_crlf_and_lf_line_ends_agree)
{
    static const char *const files[] = {DESIGN_DIR "lf.csv", DESIGN_DIR "crlf.csv",
                                        DESIGN_DIR "cr_only.csv"};
    static const char *const rounds[] = {"3", "4", "5"}, *const thr[] = {"0.35", "-0.125",
                                                                         "0.001"};
    static const size_t line[] = {2, 4, 5};
    for (size_t f = 0; f < 3; f++) {
        ds_design *d = design_from(files[f]);
        cr_assert_eq(ds_design_points(d), 3, "%s", files[f]);
        cr_assert_eq(ds_design_paths(d), 2, "%s", files[f]);
        cr_expect_str_eq(ds_design_path(d, 0), "protocol.rounds");
        cr_expect_str_eq(ds_design_path(d, 1), "actors.trump.threshold");
        for (size_t i = 0; i < 3; i++) {
            cr_expect_str_eq(ds_design_value(d, i, 0), rounds[i], "%s point %zu", files[f], i);
            cr_expect_str_eq(ds_design_value(d, i, 1), thr[i], "%s point %zu", files[f], i);
            cr_expect_eq(ds_design_line(d, i), line[i], "%s point %zu", files[f], i);
        }
        ds_design_free(d);
    }
}

Test(design_file, parse_from_memory)
{
    static const char text[] = "protocol.rounds\r2\r\r7";
    char *buf = guarded(text, sizeof text - 1);
    ds_design *d = NULL;
    ds_error e = {0};
    cr_assert_eq(ds_design_parse("m.csv", buf, sizeof text - 1, is_integer_key, NULL, &d, &e),
                 DS_OK, "%s", e.msg);
    cr_assert_eq(ds_design_points(d), 2);
    cr_expect_str_eq(ds_design_value(d, 1, 0), "7");
    cr_expect_eq(ds_design_line(d, 1), 4);
    cr_expect_str_eq(ds_design_file(d), "m.csv");
    ds_design_free(d);
    /* errors name the line, counted with CRs as line ends */
    cr_assert_eq(ds_design_parse("m.csv", "protocol.rounds\r2\r2.5", 21, is_integer_key, NULL,
                                 &d, &e),
                 DS_EINVAL);
    cr_expect_null(d);
    cr_expect_str_eq(e.msg, "m.csv:3: error: column 'protocol.rounds': expected an integer, "
                            "got '2.5'");
    cr_assert_eq(ds_design_parse("m.csv", "a\r", 2, NULL, NULL, &d, &e), DS_EINVAL);
    cr_expect_str_eq(e.msg, "m.csv:1: error: no design points (no rows after the header)");
    guard_free(buf, sizeof text - 1);
}
