/*
 * test_cover_scenario.c - the scenario loader beyond test_scenario.c and
 * test_set.c: id lists with elements that are not strings, a file over
 * the size limit, --set paths into dists of unknown kinds and below a
 * dist's parameters, a failed --set that leaves the document as it was,
 * and a duplicate key so deep in a --set value that its path is cut.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "dealsim/model.h"
#include "dealsim/scenario.h"
#include "scenario_priv.h"

#define GOOD DS_TEST_DIR "/data/good/"
#define FULL GOOD "full.json"
#define MINI GOOD "minimal.json"

static ds_report rep;

static void setup(void) { ds_report_init(&rep); }
static void teardown(void) { ds_report_free(&rep); }

TestSuite(cover_scenario, .init = setup, .fini = teardown);

/* Load file, apply the overrides (NULL-terminated; each must be accepted)
 * and build: the build must fail with exactly the messages `want`
 * (NULL-terminated). */
static void build_fails(const char *file, const char *const *sets, const char *const *want)
{
    ds_scenario *s = ds_scenario_load(file, &rep);
    ds_model *m = NULL;
    cr_assert_not_null(s);
    for (size_t i = 0; sets[i]; i++)
        cr_assert_eq(ds_scenario_set_arg(s, sets[i], &rep), DS_OK, "%s", sets[i]);
    cr_assert_eq(ds_scenario_build(s, &m, &rep), DS_EINVAL);
    cr_assert_null(m);
    size_t n = 0;
    while (want[n])
        n++;
    for (size_t i = 0; i < rep.n && i < n; i++)
        cr_assert_str_eq(rep.msg[i], want[i]);
    cr_assert_eq(rep.n, n, "%zu messages, the first: %s", rep.n, rep.n ? rep.msg[0] : "");
    ds_scenario_free(s);
    ds_report_free(&rep);
}

/* An element of an id list that is not a string names what it should
 * be: the id of what the list refers to, or just a string. */
Test(cover_scenario, id_lists_of_things_that_are_not_strings)
{
    const char *const offers[] = {"strategies.escalate.offers=[5,\"small\"]", NULL};
    const char *const want_offers[] = {
        FULL ": error: strategies.escalate.offers[0]: expected a string (a package id), "
             "got number", NULL};
    build_fails(FULL, offers, want_offers);
    const char *const champions[] = {"actors.lutnick.champions=[true]", NULL};
    const char *const want_champions[] = {
        FULL ": error: actors.lutnick.champions[0]: expected a string (an item id), "
             "got boolean", NULL};
    build_fails(FULL, champions, want_champions);
    const char *const dims[] = {"dimensions=[\"security\",\"reshoring\",null]", NULL};
    const char *const want_dims[] = {
        FULL ": error: dimensions[2]: expected a string, got null", NULL};
    build_fails(FULL, dims, want_dims);
}

/* A file over DS_MAX_FILE_BYTES is refused before it is parsed. */
Test(cover_scenario, file_over_the_size_limit)
{
    char path[] = "/tmp/dealsim-test-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(ftruncate(fd, (off_t)DS_MAX_FILE_BYTES + 1), 0);
    close(fd);
    cr_assert_null(ds_scenario_load(path, &rep));
    cr_assert_eq(rep.n, 1);
    char want[200];
    snprintf(want, sizeof want,
             "%s: error: file too large: more than 16777216 bytes (the limit is 16 MiB)",
             path);
    cr_assert_str_eq(rep.msg[0], want);
    unlink(path);
    /* exactly the limit is read and parsed (here: spaces, no JSON) */
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    cr_assert_geq(fd, 0);
    char *spaces = malloc(DS_MAX_FILE_BYTES);
    memset(spaces, ' ', DS_MAX_FILE_BYTES);
    cr_assert_eq(write(fd, spaces, DS_MAX_FILE_BYTES), (ssize_t)DS_MAX_FILE_BYTES);
    close(fd);
    free(spaces);
    ds_report_free(&rep);
    cr_assert_null(ds_scenario_load(path, &rep));
    cr_assert_eq(rep.n, 1);
    cr_assert_null(strstr(rep.msg[0], "too large"), "%s", rep.msg[0]);
    unlink(path);
}

/* One override that must be refused with exactly `want`. */
static void set_fails(ds_scenario *s, const char *arg, const char *want)
{
    size_t before = rep.n;
    cr_assert_eq(ds_scenario_set_arg(s, arg, &rep), DS_EINVAL, "%s", arg);
    cr_assert_eq(rep.n, before + 1, "%s", arg);
    cr_assert_str_eq(rep.msg[before], want);
}

/* Below a dist's parameter nothing can be set; in a dist of a kind the
 * library does not know, any parameter can (the build then says the kind
 * is unknown), but nothing below it. */
Test(cover_scenario, set_below_dist_parameters)
{
    ds_scenario *s = ds_scenario_load(MINI, &rep);
    cr_assert_not_null(s);
    cr_assert_eq(ds_scenario_set_arg(s, "lines.autos.exports={\"dist\":\"uniform\","
                                        "\"min\":1,\"max\":2}", &rep), DS_OK);
    set_fails(s, "lines.autos.exports.min.x=1",
              MINI ": error: --set lines.autos.exports.min.x: unknown key 'x' "
                   "('lines.autos.exports.min' is a plain value)");
    cr_assert_eq(ds_scenario_set_arg(s, "lines.autos.exports={\"dist\":\"weird\",\"a\":1}",
                                     &rep), DS_OK);
    cr_assert_eq(ds_scenario_set_arg(s, "lines.autos.exports.b=2", &rep), DS_OK);
    set_fails(s, "lines.autos.exports.a.b=1",
              MINI ": error: --set lines.autos.exports.a.b: unknown key 'b' "
                   "('lines.autos.exports.a' is a plain value)");
    ds_model *m = NULL;
    cr_assert_eq(ds_scenario_build(s, &m, &rep), DS_EINVAL);
    cr_assert(strstr(rep.msg[rep.n - 1], "lines.autos.exports.dist: unknown dist 'weird'"),
              "%s", rep.msg[rep.n - 1]);
    ds_scenario_free(s);
}

/* An override that fails after making a parent object the file did not
 * have takes that object away again. */
Test(cover_scenario, failed_set_leaves_the_document_as_it_was)
{
    ds_scenario *s = ds_scenario_load(MINI, &rep);
    cr_assert_not_null(s);
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(s->root, "counterpart"));
    set_fails(s, "counterpart.bogus=1",
              MINI ": error: --set counterpart.bogus: unknown key 'bogus'");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(s->root, "counterpart"),
                   "the failed override left counterpart behind");
    set_fails(s, "simulation.seed.x=1",
              MINI ": error: --set simulation.seed.x: unknown key 'x' "
                   "('simulation.seed' is a plain value)");
    cr_assert_null(cJSON_GetObjectItemCaseSensitive(s->root, "simulation"));
    /* a good one creates it */
    cr_assert_eq(ds_scenario_set_arg(s, "counterpart.name=\"X\"", &rep), DS_OK);
    cr_assert_not_null(cJSON_GetObjectItemCaseSensitive(s->root, "counterpart"));
    ds_scenario_free(s);
}

/* A duplicate key deep inside a --set value is reported under a path cut
 * at DS_SCN_PATH_MAX - 1 bytes (each key in it cut at 80 with "..."). */
Test(cover_scenario, deep_duplicate_path_is_cut)
{
    char key[100], *value = malloc(4096);
    size_t n = 0;
    memset(key, 'k', 90);
    key[90] = '\0';
    for (int i = 0; i < 14; i++)
        n += (size_t)snprintf(value + n, 4096 - n, "{\"%s%d\":", key, i);
    n += (size_t)snprintf(value + n, 4096 - n, "{\"a\":1,\"a\":2}");
    for (int i = 0; i < 14; i++)
        value[n++] = '}';
    value[n] = '\0';
    ds_scenario *s = ds_scenario_load(MINI, &rep);
    cr_assert_not_null(s);
    cr_assert_eq(ds_scenario_set(s, "name", value, &rep), DS_OK);
    cr_assert_eq(rep.n, 1);
    const char *msg = rep.msg[0], *pre = MINI ": error: name.", *post = ": duplicate key";
    size_t lm = strlen(msg), lpre = strlen(MINI ": error: ");
    cr_assert(strncmp(msg, pre, strlen(pre)) == 0, "%s", msg);
    cr_assert(lm > strlen(post) && strcmp(msg + lm - strlen(post), post) == 0, "%s", msg);
    cr_assert_eq(lm - lpre - strlen(post), DS_SCN_PATH_MAX - 1, "path of %zu bytes",
                 lm - lpre - strlen(post));
    cr_assert(strncmp(msg + strlen(pre), key, 80) == 0 && strncmp(msg + strlen(pre) + 80,
              "....", 4) == 0, "%s", msg);
    ds_model *m = NULL;
    cr_assert_eq(ds_scenario_build(s, &m, &rep), DS_EINVAL, "a duplicate fails every build");
    ds_scenario_free(s);
    free(value);
}
