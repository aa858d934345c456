/*
 * fuzz_set.c - `--set PATH=VALUE` (SPEC §9) applied to a valid scenario:
 * each line of the input is one override, applied in order to a copy of
 * the built-in scenario, which is then built.
 * Properties: no crash, leak or over-read; an override returns DS_OK, or
 * DS_EINVAL with at least one new message; a model comes out exactly when
 * nothing was reported; every message starts with the scenario's name and
 * is terminal-safe.
 */
#include "fuzz.h"

#include "dealsim/scenario.h"

/* Overrides taken from one input: enough for paths that build on each
 * other, few enough that one input stays fast. */
#define MAX_SETS 16

static ds_scenario *base;

static void load_base(void)
{
    ds_report rep;
    ds_report_init(&rep);
    base = ds_scenario_parse(DS_BUILTIN_NAME, ds_builtin_scenario, ds_builtin_scenario_len, &rep);
    FUZZ_CHECK(base && rep.n == 0, "the built-in scenario does not parse");
    ds_report_free(&rep);
}

static void check_messages(const ds_report *rep)
{
    for (size_t i = 0; i < rep->n; i++) {
        FUZZ_CHECK(strncmp(rep->msg[i], DS_BUILTIN_NAME, sizeof DS_BUILTIN_NAME - 1) == 0, "%s",
                   rep->msg[i]);
        FUZZ_CHECK(fuzz_text_safe(rep->msg[i]), "%s", rep->msg[i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ds_report rep;
    ds_model *m = NULL;
    ds_scenario *s;
    char *text = fuzz_cstr(data, size), *line = text;
    size_t set_problems;
    int rc;

    if (!base)
        load_base();
    s = ds_scenario_copy(base);
    FUZZ_CHECK(s != NULL, "out of memory");
    ds_report_init(&rep);
    for (int k = 0; k < MAX_SETS && line; k++) {
        char *nl = strchr(line, '\n');
        size_t before = ds_report_count(&rep);
        if (nl)
            *nl = '\0';
        rc = ds_scenario_set_arg(s, line, &rep);
        FUZZ_CHECK(rc == DS_OK || rc == DS_EINVAL, "rc %d for '%s'", rc, line);
        FUZZ_CHECK(rc == DS_OK || ds_report_count(&rep) > before, "'%s' failed silently", line);
        line = nl ? nl + 1 : NULL;
    }
    check_messages(&rep);
    set_problems = ds_report_count(&rep);
    ds_report_free(&rep);
    /* A failed override left the document as it was: building reports
     * only what is wrong with the document, except duplicate keys, which
     * were reported when they were set and make the build fail silently. */
    ds_report_init(&rep);
    rc = ds_scenario_build(s, &m, &rep);
    FUZZ_CHECK((rc == DS_OK) == (m != NULL), "rc %d", rc);
    FUZZ_CHECK(rc == DS_OK ? ds_report_count(&rep) == 0
                           : ds_report_count(&rep) + set_problems > 0,
               "rc %d with %zu problems", rc, ds_report_count(&rep));
    check_messages(&rep);
    ds_model_free(m);
    ds_scenario_free(s);
    ds_report_free(&rep);
    free(text);
    return 0;
}
