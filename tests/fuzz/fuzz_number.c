/*
 * fuzz_number.c - the number writer of every CSV and JSON output
 * (ds_csv_format_double, SPEC §6: locale-independent, shortest text that
 * round-trips) and the cell reader (ds_csv_parse_double).
 * The input is read two ways: each 8 bytes as the bits of a double, and the
 * whole input (up to a NUL) as the text of a cell.
 * Properties, for every double x (the bit patterns, and what a cell reads
 * as): a finite x is written as a JSON number (RFC 8259 §6) that strtod and
 * ds_csv_parse_double read back to the same bits, and the text is the
 * first of "%.15g", "%.16g", "%.17g" that round-trips (the contract in
 * csv.h, computed here the slow way with snprintf); NaN is written as the
 * empty cell and +-inf as "inf" / "-inf".
 */
#include "fuzz.h"

#include <math.h>

#include "dealsim/csv.h"

/* 1 if s is exactly one JSON number (RFC 8259 §6). */
static int is_json_number(const char *s)
{
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (*s >= '0' && *s <= '9')
            s++;
    else
        return 0;
    if (*s == '.') {
        if (!(*++s >= '0' && *s <= '9'))
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return 0;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

static void check_double(double x)
{
    char buf[DS_CSV_NUM_MAX], ref[64];
    const char *got = ds_csv_format_double(buf, x);
    double y;

    FUZZ_CHECK(got == buf, "returns its buffer");
    FUZZ_CHECK(strlen(buf) < DS_CSV_NUM_MAX, "too long");
    if (isnan(x)) {
        FUZZ_CHECK(buf[0] == '\0', "NaN written as '%s'", buf);
        return;
    }
    if (isinf(x)) {
        FUZZ_CHECK(strcmp(buf, x > 0 ? "inf" : "-inf") == 0, "%s", buf);
        return;
    }
    FUZZ_CHECK(is_json_number(buf), "'%s' is not a JSON number", buf);
    y = strtod(buf, NULL);
    FUZZ_CHECK(memcmp(&x, &y, sizeof x) == 0, "'%s' reads back as %a, not %a", buf, y, x);
    FUZZ_CHECK(ds_csv_parse_double(buf, &y) && memcmp(&x, &y, sizeof x) == 0,
               "'%s': the cell reader gives %a, not %a", buf, y, x);
    for (int p = 15; p <= 17; p++) {
        snprintf(ref, sizeof ref, "%.*g", p, x);
        y = strtod(ref, NULL);
        if (memcmp(&x, &y, sizeof x) == 0 || p == 17)
            break;
    }
    FUZZ_CHECK(strcmp(buf, ref) == 0, "%a written as '%s', printf gives '%s'", x, buf, ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;
    double x;
    for (size_t k = 0; k + sizeof x <= size; k += sizeof x) {
        memcpy(&x, data + k, sizeof x);
        check_double(x);
    }
    text = fuzz_cstr(data, size);
    if (ds_csv_parse_double(text, &x))
        check_double(x);
    free(text);
    return 0;
}
