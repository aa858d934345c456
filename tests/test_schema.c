/*
 * test_schema.c - what is generated from the scenario format table
 * (sim/format.h): the JSON Schema, checked with a real validator (Python's
 * jsonschema, Draft 2020-12) against every scenario of the repository, good
 * and bad; the dealsim-scenario(5) man page; and the agreement of the
 * table with the schema, the man page, docs/scenario-format.md, the dist
 * checks of dist.c and the sweep's integer keys.
 */
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dealsim/dist.h"
#include "dealsim/error.h"
#include "dealsim/format.h"
#include "dealsim/sweep.h"
#include "format.h"

extern char **environ;

/* Bad files whose problem the schema cannot express, so they pass it: each
 * is a rule of the validator beyond single keys. */
static const char *const inexpressible[] = {
    /* references to ids of other lists */
    "dangling_champion.json",
    "dangling_did_you_mean.json",
    "dangling_exposure.json",
    "dangling_offer.json",
    "dangling_package_item.json",
    "dangling_score.json",
    "dangling_terms.json",
    "dangling_weight.json",
    /* orderings and equal lengths inside a dist */
    "dist_discrete_lengths.json",
    "dist_normal_sd0_bounds.json",
    "dist_pert_mode.json",
    "dist_triangular_mode.json",
    "dist_uniform_order.json",
    /* unique ids of list elements (objects), and JSON duplicate keys, which
     * a JSON reader merges before any schema sees them */
    "duplicate_actor.json",
    "duplicate_id.json",
    "duplicate_key.json",
    "duplicate_key_top.json",
    "source_duplicate_id.json",
    /* correlations: paths that name no dist, a constant one or one in two
     * correlations; a matrix that does not fit its dists, is not
     * symmetric, has a diagonal other than 1 or is not positive definite */
    "corr_constant.json",
    "corr_matrix_diagonal.json",
    "corr_matrix_not_pd.json",
    "corr_matrix_not_square.json",
    "corr_matrix_size.json",
    "corr_matrix_symmetric.json",
    "corr_two_correlations.json",
    "corr_unknown_path.json",
    /* rules across keys: the shared elasticity, D-bar, one decider */
    "missing_elasticity.json",
    "range_mean_deficit.json",
    "range_mean_infinite.json",
    "role_two_deciders.json",
    /* the adjustment that any elasticity_long, here or in a line, needs */
    "required_adjustment.json",
    "required_adjustment_line.json",
    /* rounds + extension.rounds <= 1000 */
    "range_extension_total.json",
    /* strings that JSON readers other than dealsim's accept: a lone
     * surrogate escape and \u0000, refused by dealsim's own reader */
    "json_lone_low_surrogate.json",
    "json_lone_surrogate.json",
    "json_nul_name.json",
};
#define N_INEXPRESSIBLE (sizeof inexpressible / sizeof inexpressible[0])

/* Validates files against a schema and prints, per file, PASS, FAIL or
 * NOTJSON (not JSON at all: a syntax error); exits non-zero when the
 * schema itself is invalid. */
static const char validate_py[] =
    "import json, sys\n"
    "from jsonschema import Draft202012Validator as V\n"
    "s = json.load(open(sys.argv[1], encoding='utf-8'))\n"
    "V.check_schema(s)\n"
    "v = V(s)\n"
    "print('SCHEMA OK')\n"
    "for f in sys.argv[2:]:\n"
    "    try:\n"
    "        d = json.loads(open(f, 'rb').read().decode('utf-8-sig'))\n"
    "    except ValueError:\n"
    "        print('NOTJSON', f)\n"
    "        continue\n"
    "    print('PASS' if v.is_valid(d) else 'FAIL', f)\n";

static char tmpdir[64];

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/ds_schema_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char p[128];
    static const char *const names[] = {"schema.json", "out.txt", "man.5"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", tmpdir, names[i]);
        unlink(p);
    }
    rmdir(tmpdir);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    cr_assert_not_null(f, "%s", path);
    do {
        if (n + 4096 + 1 > cap) {
            cap = 2 * cap + 8192;
            buf = realloc(buf, cap);
        }
        got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
    } while (got > 0);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Write the schema (or the man page) to a file of tmpdir; return its path. */
static const char *write_doc(const char *name, int (*fn)(FILE *))
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    cr_assert_eq(fn(f), DS_OK);
    cr_assert_eq(fclose(f), 0);
    return path;
}

/* The *.json files of a directory of the source tree, sorted (appended to
 * list[*n], malloc'd). */
static void json_files(const char *dir, char **list, size_t *n, size_t max)
{
    struct dirent **ents;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", DS_SOURCE_DIR, dir);
    int k = scandir(path, &ents, NULL, alphasort);
    cr_assert(k >= 0, "%s", path);
    for (int i = 0; i < k; i++) {
        size_t l = strlen(ents[i]->d_name);
        if (l > 5 && strcmp(ents[i]->d_name + l - 5, ".json") == 0) {
            cr_assert(*n < max);
            snprintf(path, sizeof path, "%s/%s/%s", DS_SOURCE_DIR, dir,
                     ents[i]->d_name);
            list[(*n)++] = strdup(path);
        }
        free(ents[i]);
    }
    free(ents);
}

/* Run python3 validate_py SCHEMA FILES...; return its output (caller
 * frees) and exit status. */
static char *run_validator(const char *schema, char **files, size_t n, int *st)
{
    char out[128];
    char **argv = calloc(n + 5, sizeof *argv);
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = -1;
    snprintf(out, sizeof out, "%s/out.txt", tmpdir);
    argv[0] = (char *)"python3";
    argv[1] = (char *)"-c";
    argv[2] = (char *)validate_py;
    argv[3] = (char *)schema;
    for (size_t i = 0; i < n; i++)
        argv[4 + i] = files[i];
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    cr_assert_eq(posix_spawnp(&pid, "python3", &fa, NULL, argv, environ), 0,
                 "python3 with python3-jsonschema is needed (tools/deps.sh)");
    posix_spawn_file_actions_destroy(&fa);
    waitpid(pid, &status, 0);
    free(argv);
    *st = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return slurp(out);
}

/* The verdict printed for file `path` ("PASS", ...), or NULL. */
static const char *verdict(const char *out, const char *path)
{
    static char v[16];
    size_t lp = strlen(path);
    for (const char *l = out; *l;
         l = strchr(l, '\n') ? strchr(l, '\n') + 1 : "") {
        const char *sp = strchr(l, ' ');
        if (sp && strncmp(sp + 1, path, lp) == 0 && sp[1 + lp] == '\n') {
            snprintf(v, sizeof v, "%.*s", (int)(sp - l), l);
            return v;
        }
    }
    return NULL;
}

static int is_inexpressible(const char *path)
{
    const char *base = strrchr(path, '/') + 1;
    for (size_t i = 0; i < N_INEXPRESSIBLE; i++)
        if (strcmp(base, inexpressible[i]) == 0)
            return 1;
    return 0;
}

Test(schema, real_validator_on_every_scenario, .init = make_tmpdir,
     .fini = remove_tmpdir)
{
    char *good[256], *bad[256];
    size_t ng = 0, nb = 0;
    int st;
    const char *schema = write_doc("schema.json", ds_schema_write);

    json_files("scenarios", good, &ng, 256);
    json_files("tests/data/good", good, &ng, 256);
    json_files("tests/data/oracle", good, &ng, 256);
    json_files("tests/data/bad", bad, &nb, 256);
    cr_assert(ng >= 20 && nb >= 100, "%zu good, %zu bad", ng, nb);

    char *out = run_validator(schema, good, ng, &st);
    cr_assert_eq(st, 0, "the schema is not valid Draft 2020-12:\n%s", out);
    cr_assert(strncmp(out, "SCHEMA OK\n", 10) == 0, "%s", out);
    for (size_t i = 0; i < ng; i++) {
        const char *v = verdict(out, good[i]);
        cr_expect(v && strcmp(v, "PASS") == 0, "%s: %s", good[i], v ? v : "?");
    }
    free(out);

    out = run_validator(schema, bad, nb, &st);
    cr_assert_eq(st, 0, "%s", out);
    size_t passing = 0;
    for (size_t i = 0; i < nb; i++) {
        const char *v = verdict(out, bad[i]);
        cr_assert_not_null(v, "%s", bad[i]);
        if (is_inexpressible(bad[i])) {
            cr_expect_str_eq(v, "PASS", "%s is listed as inexpressible",
                             bad[i]);
            passing++;
        } else
            cr_expect(strcmp(v, "FAIL") == 0 || strcmp(v, "NOTJSON") == 0,
                      "%s passes the schema", bad[i]);
    }
    cr_expect_eq(passing, N_INEXPRESSIBLE, "a listed file is missing");
    free(out);
    for (size_t i = 0; i < ng; i++)
        free(good[i]);
    for (size_t i = 0; i < nb; i++)
        free(bad[i]);
}

/* ------------------------------------------- keys: table vs documents */

/* Every key of the table, as paths "lines[].exports", in table order,
 * appended to keys[*n]. */
static void table_keys(const ds_fmt_field *fields, const char *prefix,
                       char keys[][96], size_t *n)
{
    for (const ds_fmt_field *f = fields; f->name; f++) {
        cr_assert(*n < 200);
        snprintf(keys[(*n)++], 96, "%s%s", prefix, f->name);
        if (f->kind == DS_FMT_OBJECT || f->kind == DS_FMT_LIST) {
            char p[96];
            snprintf(p, sizeof p, "%s%s%s", prefix, f->name,
                     f->kind == DS_FMT_LIST ? "[]." : ".");
            table_keys(f->sub, p, keys, n);
        }
    }
}

/* 1 if schema o is an object of keys (not a map of ids, whose
 * "properties" only forbid reserved ids). */
static int has_keys(const cJSON *o)
{
    const cJSON *pp = cJSON_GetObjectItemCaseSensitive(o, "patternProperties");
    return cJSON_GetObjectItemCaseSensitive(o, "properties") &&
           !cJSON_GetObjectItemCaseSensitive(pp, DS_FMT_ID_PATTERN);
}

/* The same paths read from a schema's object `o`: its properties, into
 * nested objects and arrays of objects. */
static void schema_keys(const cJSON *o, const char *prefix, char keys[][96],
                        size_t *n)
{
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(o, "properties");
    cr_assert(cJSON_IsObject(props));
    for (const cJSON *p = props->child; p; p = p->next) {
        if (!prefix[0] && strcmp(p->string, "$schema") == 0)
            continue; /* the top-level $schema key: SPEC §3, not a format key */
        cr_assert(*n < 200);
        snprintf(keys[(*n)++], 96, "%s%s", prefix, p->string);
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(p, "items");
        char sub[96];
        if (has_keys(p)) {
            snprintf(sub, sizeof sub, "%s%s.", prefix, p->string);
            schema_keys(p, sub, keys, n);
        } else if (items && has_keys(items)) {
            snprintf(sub, sizeof sub, "%s%s[].", prefix, p->string);
            schema_keys(items, sub, keys, n);
        }
    }
}

static void expect_same_keys(char want[][96], size_t nw, char got[][96],
                             size_t ng, const char *what)
{
    for (size_t i = 0; i < nw || i < ng; i++)
        cr_expect(i < nw && i < ng && strcmp(want[i], got[i]) == 0,
                  "%s, key %zu: table has '%s', %s has '%s'", what, i,
                  i < nw ? want[i] : "(none)", what,
                  i < ng ? got[i] : "(none)");
}

Test(schema, every_key_once, .init = make_tmpdir, .fini = remove_tmpdir)
{
    static char want[200][96], got[200][96];
    size_t nw = 0, ng = 0;
    table_keys(ds_fmt_top, "", want, &nw);
    cr_assert(nw > 60, "%zu keys", nw);

    char *text = slurp(write_doc("schema.json", ds_schema_write));
    cJSON *s = cJSON_Parse(text);
    cr_assert_not_null(s);
    schema_keys(s, "", got, &ng);
    expect_same_keys(want, nw, got, ng, "the schema");

    /* Every kind of dist is one branch of every dist definition. */
    const cJSON *defs = cJSON_GetObjectItemCaseSensitive(s, "$defs");
    cr_assert(cJSON_GetArraySize(defs) >= 3);
    for (const cJSON *d = defs->child; d; d = d->next) {
        const cJSON *one = cJSON_GetObjectItemCaseSensitive(d, "oneOf");
        size_t k = 0;
        cr_assert(cJSON_IsArray(one), "%s", d->string);
        for (const cJSON *b = one->child->next; b; b = b->next, k++) {
            const cJSON *dist = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(b, "properties"), "dist");
            cr_assert(k < ds_fmt_n_dists);
            cr_expect_str_eq(
                cJSON_GetObjectItemCaseSensitive(dist, "const")->valuestring,
                ds_fmt_dists[k].name);
        }
        cr_expect_eq(k, ds_fmt_n_dists);
    }
    cJSON_Delete(s);
    free(text);

    /* The man page: every key as ".TP" then ".B PATH" in KEYS, every kind
     * of dist in DISTS. */
    text = slurp(write_doc("man.5", ds_format_man));
    char *keys = strstr(text, "\n.SH KEYS\n"),
         *dists = strstr(text, "\n.SH DISTS\n");
    cr_assert(keys && dists && keys < dists);
    ng = 0;
    for (char *l = keys; l && l < dists; l = strchr(l + 1, '\n'))
        if (strncmp(l, "\n.TP\n.B ", 8) == 0) {
            cr_assert(ng < 200);
            snprintf(got[ng++], 96, "%.*s", (int)strcspn(l + 8, "\n"), l + 8);
        }
    expect_same_keys(want, nw, got, ng, "the man page");
    size_t k = 0;
    for (char *l = dists; l; l = strchr(l + 1, '\n'))
        if (strncmp(l, "\n.TP\n.B ", 8) == 0) {
            cr_assert(k < ds_fmt_n_dists);
            cr_expect(strncmp(l + 8, ds_fmt_dists[k].name,
                              strlen(ds_fmt_dists[k].name)) == 0);
            k++;
        }
    cr_expect_eq(k, ds_fmt_n_dists);
    cr_expect(strstr(text, ".TH DEALSIM-SCENARIO 5 ") != NULL);
    free(text);
}

/* Every key's name, every kind of dist and each of its parameters appear in
 * docs/scenario-format.md as `code`. */
static void expect_in_docs(const char *docs, const char *name, const char *what)
{
    char code[96];
    snprintf(code, sizeof code, "`%s`", name);
    cr_expect(strstr(docs, code) != NULL,
              "docs/scenario-format.md does not mention %s %s", what, code);
}

static void docs_keys(const char *docs, const ds_fmt_field *fields)
{
    for (const ds_fmt_field *f = fields; f->name; f++) {
        expect_in_docs(docs, f->name, "key");
        if (f->sub)
            docs_keys(docs, f->sub);
    }
}

Test(schema, docs_mention_every_key)
{
    char *docs = slurp(DS_SOURCE_DIR "/docs/scenario-format.md");
    docs_keys(docs, ds_fmt_top);
    for (size_t i = 0; i < ds_fmt_n_dists; i++) {
        expect_in_docs(docs, ds_fmt_dists[i].name, "dist");
        for (size_t j = 0; ds_fmt_dists[i].params[j].name; j++)
            expect_in_docs(docs, ds_fmt_dists[i].params[j].name, "parameter");
    }
    free(docs);
}

/* ------------------------------------------- the table vs the checks */

/* A valid dist of kind k: every parameter inside its own range. */
static ds_dist valid_dist(const ds_fmt_dist *k, double *values, double *weights)
{
    ds_dist d = ds_dist_fixed(0);
    d.kind = k->kind;
    for (size_t j = 0; k->params[j].name; j++) {
        const ds_fmt_param *p = &k->params[j];
        if (p->array)
            continue;
        double x = strcmp(p->name, "min") == 0    ? 0
                   : strcmp(p->name, "max") == 0  ? 1
                   : strcmp(p->name, "mode") == 0 ? 0.25
                                                  : 0.5;
        *(double *)((char *)&d + p->off) = x;
    }
    if (k->kind == DS_DIST_DISCRETE) {
        d.u.discrete.n = 2;
        d.u.discrete.values = values;
        d.u.discrete.weights = weights;
    }
    return d;
}

Test(schema, dist_parameter_ranges_are_what_dist_c_checks)
{
    for (size_t i = 0; i < ds_fmt_n_dists; i++) {
        const ds_fmt_dist *k = &ds_fmt_dists[i];
        double values[2] = {1, 2}, weights[2] = {1, 3};
        const char *field;
        char msg[256];
        ds_dist d = valid_dist(k, values, weights);
        cr_expect_eq(ds_dist_check(&d, &field, msg, sizeof msg), DS_OK,
                     "%s: %s", k->name, msg);
        for (size_t j = 0; k->params[j].name; j++) {
            const ds_fmt_param *p = &k->params[j];
            if (p->range.lo_end == DS_FMT_NONE)
                continue;
            /* Just outside the lower end: below a closed end, at an open one. */
            double out = p->range.lo_end == DS_FMT_OPEN ? p->range.lo
                                                        : p->range.lo - 0.5;
            d = valid_dist(k, values, weights);
            if (p->array)
                weights[1] = out;
            else
                *(double *)((char *)&d + p->off) = out;
            cr_expect_neq(ds_dist_check(&d, &field, msg, sizeof msg), DS_OK,
                          "%s.%s = %g accepted", k->name, p->name, out);
            cr_expect_str_eq(field, p->name, "%s: %s", k->name, msg);
            weights[1] = 3;
        }
    }
}

Test(schema, integer_keys_come_from_the_table)
{
    static const char *const yes[] = {"dealsim", "protocol.rounds",
                                      "simulation.draws", "simulation.seed",
                                      "horizon", "items.x.start", "items.x.ramp",
                                      "protocol.extension.rounds"};
    static const char *const no[] = {"protocol.quorum",
                                     "baseline_deficit",
                                     "lines.autos.exports",
                                     "actors.trump.noise",
                                     "protocol",
                                     "protocol.rounds.x",
                                     "rounds",
                                     "items.semis.scores.security",
                                     "packages.big.items.lng",
                                     ""};
    size_t n_int = 0;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        cr_expect(ds_sweep_is_integer(yes[i], NULL), "%s", yes[i]);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        cr_expect(!ds_sweep_is_integer(no[i], NULL), "%s", no[i]);
    /* Every INTEGER row is one of them: nothing else is rounded. */
    static char keys[200][96];
    size_t n = 0;
    table_keys(ds_fmt_top, "", keys, &n);
    for (size_t i = 0; i < n; i++) {
        char path[128];
        size_t len = 0;
        /* A list element is named by an id: put one in for "[]". */
        for (const char *p = keys[i]; *p && len + 3 < sizeof path; p++)
            if (strncmp(p, "[]", 2) == 0) {
                path[len++] = '.';
                path[len++] = 'x';
                p++;
            } else
                path[len++] = *p;
        path[len] = '\0';
        n_int += ds_sweep_is_integer(path, NULL);
    }
    cr_expect_eq(n_int, sizeof yes / sizeof yes[0]);
}

Test(schema, write_errors_are_reported)
{
    FILE *f = fopen("/dev/full", "w");
    cr_assert_not_null(f);
    cr_expect_eq(ds_schema_write(f), DS_EIO);
    fclose(f);
    f = fopen("/dev/full", "w");
    cr_assert_not_null(f);
    cr_expect_eq(ds_format_man(f), DS_EIO);
    fclose(f);
}
