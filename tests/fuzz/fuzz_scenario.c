/*
 * fuzz_scenario.c - the scenario loader (SPEC §3, §4) on any bytes: parse
 * from a buffer of exactly the input's size (no NUL after it), then build.
 * Properties: no crash, leak or over-read (the sanitizers); a problem is
 * always reported and a model comes out exactly when nothing was reported;
 * every message starts with the file name and is terminal-safe; and the
 * scanner turns away everything cJSON cannot parse, so the "cannot parse
 * the JSON" fallback (left for no memory) never shows.
 */
#include "fuzz.h"

#include "dealsim/scenario.h"

#define FILE_NAME "fuzz.json"

/* 1 if msg is the message for text the scanner passed but cJSON refused:
 * "fuzz.json:LINE:COL: error: cannot parse the JSON ..." (a key or value
 * that merely contains these words is in a "fuzz.json: error: PATH" one). */
static int is_fallback(const char *msg)
{
    const char *p = msg + sizeof FILE_NAME - 1;
    if (strncmp(msg, FILE_NAME, sizeof FILE_NAME - 1) != 0)
        return 0;
    for (int part = 0; part < 2; part++) {
        if (*p++ != ':' || !(*p >= '0' && *p <= '9'))
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return strncmp(p, ": error: cannot parse the JSON", 30) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_report rep;
    ds_model *m = NULL;
    ds_scenario *s;
    char *text = malloc(size ? size : 1); /* exactly the input, no NUL */
    if (!text)
        abort();
    if (size)
        memcpy(text, data, size);
    ds_report_init(&rep);
    s = ds_scenario_parse(FILE_NAME, text, size, &rep);
    free(text); /* the scenario keeps nothing of the text */
    if (s) {
        int rc = ds_scenario_build(s, &m, &rep);
        FUZZ_CHECK((rc == DS_OK) == (m != NULL), "rc %d", rc);
        FUZZ_CHECK(rc == DS_OK ? ds_report_count(&rep) == 0 : ds_report_count(&rep) > 0,
                   "rc %d with %zu problems", rc, ds_report_count(&rep));
        FUZZ_CHECK(rc != DS_ENOMEM, "out of memory");
    } else {
        FUZZ_CHECK(rep.n > 0, "no scenario and no message");
    }
    for (size_t i = 0; i < rep.n; i++) {
        FUZZ_CHECK(strncmp(rep.msg[i], FILE_NAME, sizeof FILE_NAME - 1) == 0, "%s", rep.msg[i]);
        FUZZ_CHECK(fuzz_text_safe(rep.msg[i]), "%s", rep.msg[i]);
        FUZZ_CHECK(!is_fallback(rep.msg[i]), "%s", rep.msg[i]);
    }
    ds_model_free(m);
    ds_scenario_free(s);
    ds_report_free(&rep);
    return 0;
}
