/*
 * test_scenario.c - the scenario loader and validator (SPEC §2-§4): one bad
 * file per rule in tests/data/bad/, each run through `dealsim validate` and
 * in-process with its expected message; over-limit files made at run time;
 * the values and defaults of tests/data/good/ scenarios.
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dealsim/scenario.h"

extern char **environ;

#define BAD_DIR DS_TEST_DIR "/data/bad/"
#define GOOD_DIR DS_TEST_DIR "/data/good/"

/* Most expected fragments per bad file. */
#define MAX_EXPECT 8

/* One bad input per rule and the fragments its report must contain
 * (a path and message, or LINE:COL and message for syntax). */
static const struct bad_case {
    const char *name;
    const char *expect[MAX_EXPECT];
} bad_cases[] = {
    {"syntax_missing_comma", {":3:3: error: unexpected character '\"', expected ',' or '}'"}},
    {"syntax_bom", {":3:11: error: unexpected character 'n', expected a value"}},
    {"syntax_crlf", {":4:11: error: unexpected character '@'"}},
    {"syntax_lone_cr", {":3:11: error: unexpected character '@'"}},
    {"syntax_utf8_col", {":1:17: error: unexpected character '@', expected a string key"}},
    {"syntax_depth_65", {":2:64: error: nesting deeper than 64"}},
    {"syntax_trailing", {":2:1: error: unexpected text after the JSON value"}},
    {"syntax_empty", {":1:1: error: empty file"}},
    {"syntax_whitespace_only", {":3:1: error: unexpected end of input"}},
    {"syntax_truncated", {":8:66: error: unexpected end of input"}},
    {"syntax_binary", {":1:1: error: unexpected byte 0x7f, expected a value"}},
    {"syntax_control_in_string", {":1:12: error: unescaped control character"}},
    {"syntax_top_array", {":1:3: error: the top-level value must be an object, got array"}},
    {"syntax_unterminated_string", {":1:14: error: unescaped control character in a string"}},
    {"syntax_eof_in_string", {":1:14: error: unexpected end of input in a string"}},
    {"syntax_leading_zero", {":1:14: error: invalid number (leading zero)"}},
    {"syntax_bad_escape", {":1:12: error: invalid escape in a string"}},
    {"nonfinite", {"baseline_deficit: must be a finite number"}},
    {"type_string", {"name: expected a string, got number"}},
    {"type_number", {"protocol.rounds: expected a number, got string"}},
    {"type_boolean", {"actors.lutnick.veto: expected a boolean, got number"}},
    {"type_array", {"lines: expected an array, got object"}},
    {"type_object", {"protocol: expected an object, got array"}},
    {"type_element", {"packages[1]: expected an object, got number"}},
    {"type_dist", {"baseline_deficit: expected a number or a dist object, got string"}},
    {"type_null", {"home.margin: expected a number or a dist object, got null"}},
    {"required_rounds", {"protocol.rounds: missing required key"}},
    {"required_protocol", {"protocol.rounds: missing required key"}},
    {"required_name", {"name: missing required key"}},
    {"required_home", {"home.tariff_burden: missing required key", "home.margin: missing required key"}},
    {"required_item_id", {"items[1].id: missing required key"}},
    {"required_line_fields", {"lines.autos.deal: missing required key"}},
    {"required_actor_threshold", {"actors.trump.threshold: missing required key"}},
    {"required_third_party", {"third_parties.china.retaliation.slope: missing required key"}},
    {"required_packages", {"packages: missing required key"}},
    {"required_version", {"dealsim: missing required key"}},
    {"unknown_key_suggest", {"actors.trump.threshhold: unknown key (did you mean 'threshold'?)"}},
    {"unknown_key_top", {"protocl: unknown key (did you mean 'protocol'?)"}},
    {"unknown_key_plain", {"home.colour: unknown key"}},
    {"unknown_key_schema_nested", {"home.$schema: unknown key"}},
    {"unknown_key_dist", {"baseline_deficit.mena: unknown key (did you mean 'mean'?)", "baseline_deficit.mean: missing required key"}},
    {"duplicate_key", {"items.semis.cost: duplicate key"}},
    {"duplicate_key_top", {"error: name: duplicate key"}},
    {"duplicate_id", {"items.semis: duplicate id 'semis'"}},
    {"duplicate_dimension", {"dimensions.reshoring: duplicate id 'reshoring'"}},
    {"duplicate_actor", {"actors.lutnick: duplicate id 'lutnick'"}},
    {"id_syntax", {"items[0].id: invalid id '2semis'"}},
    {"id_type", {"lines[0].id: expected a string, got number"}},
    {"dangling_package_item", {"packages.small.items.semi: unknown item 'semi'"}},
    {"dangling_offer", {"strategies.escalate.offers[2]: unknown package 'huge'"}},
    {"dangling_champion", {"actors.lutnick.champions[1]: unknown item 'chips'"}},
    {"dangling_exposure", {"items.semis.exposure.chinaa: unknown third party 'chinaa'"}},
    {"dangling_weight", {"actors.lutnick.weights.jobs: unknown dimension 'jobs'"}},
    {"dangling_score", {"items.semis.scores.jobs: unknown dimension 'jobs'"}},
    {"dangling_did_you_mean", {
        "items.gas.scores.securty: unknown dimension 'securty' (did you mean 'security'?)",
        "items.minerals.exposure.rivl: unknown third party 'rivl' (did you mean 'rival'?)",
        "packages.both.items.minerls: unknown item 'minerls' (did you mean 'minerals'?)",
        "strategies.escalate.offers[1]: unknown package 'bothh' (did you mean 'both'?)",
        "actors.minister.weights.deficti: unknown dimension 'deficti' (did you mean 'deficit'?)",
        "actors.minister.champions[0]: unknown item 'gass' (did you mean 'gas'?)",
        "actors.leader.weights.scurity: unknown dimension 'scurity' (did you mean 'security'?)"}},
    {"reserved_dimension", {"dimensions[2]: 'deficit' is reserved"}},
    {"reserved_score", {"items.semis.scores.deficit: 'deficit' is reserved"}},
    {"dist_unknown_kind", {"baseline_deficit.dist: unknown dist 'unifrom' (did you mean 'uniform'?)"}},
    {"dist_missing_kind", {"baseline_deficit.dist: missing required key"}},
    {"dist_fixed_value", {"baseline_deficit.value: missing required key"}},
    {"dist_uniform_order", {"baseline_deficit.max: must be >= min"}},
    {"dist_normal_sd", {"items.semis.cost.sd: must be >= 0, got -1"}},
    {"dist_normal_sd0_bounds", {"baseline_deficit.mean:"}},
    {"dist_lognormal_median", {"elasticity.median: must be > 0, got 0"}},
    {"dist_lognormal_sigma", {"elasticity.sigma: must be >= 0, got -0.5"}},
    {"dist_triangular_mode", {"baseline_deficit.mode: must be <= max"}},
    {"dist_pert_mode", {"baseline_deficit.mode: must be >= min"}},
    {"dist_beta_a", {"home.margin.a: must be > 0, got 0"}},
    {"dist_beta_b", {"home.margin.b: must be > 0, got -2"}},
    {"dist_discrete_lengths", {"baseline_deficit.weights: must have as many entries as values (3), got 2"}},
    {"dist_discrete_zero_weights", {"baseline_deficit.weights:"}},
    {"dist_discrete_negative_weight", {"baseline_deficit.weights"}},
    {"dist_discrete_empty", {"baseline_deficit.values: must have at least 1 value"}},
    {"dist_discrete_type", {"baseline_deficit.values[1]: expected a number, got string"}},
    {"dist_not_allowed", {"protocol.quorum: expected a number, got a dist (a dist is not allowed here)"}},
    {"dist_unbounded_probability", {"home.margin: must be in [0, 1] over the dist's whole support, which is [-inf, inf]"}},
    {"dist_support_negative", {"lines.autos.exports: must be >= 0 over the dist's whole support, which is [-5, 50]"}},
    {"range_exports", {"lines.autos.exports: must be >= 0, got -1"}},
    {"range_tariff", {"lines.autos.no_deal: must be >= 0, got -0.25"}},
    {"range_quorum", {"protocol.quorum: must be in (0, 1], got 0"}},
    {"range_discount", {"home.discount: must be in (0, 1], got 1.5"}},
    {"range_probability", {"actors.lutnick.attendance: must be in [0, 1], got 1.2"}},
    {"range_disconnect", {"protocol.disconnect: must be in [0, 1], got -0.1"}},
    {"range_influence", {"actors.lutnick.influence: must be > 0, got 0"}},
    {"range_noise", {"actors.lutnick.noise: must be >= 0, got -1"}},
    {"range_intensity", {"packages.small.items.lng: must be >= 0, got -1"}},
    {"range_exposure", {"items.semis.exposure.china: must be >= 0, got -0.5"}},
    {"range_weight", {"actors.lutnick.weights.deficit: must be >= 0, got -2"}},
    {"range_weights_zero", {"actors.trump.weights: must not all be 0"}},
    {"range_rounds", {"protocol.rounds: must be in [1, 1000], got 1001"}},
    {"range_mean_deficit", {"baseline_deficit: its mean must be > 0"}},
    /* 2026-11-28: these were valid and ran into NaN and inf. */
    {"range_mean_infinite", {"baseline_deficit: its mean must be a finite number (SPEC §5.2), got inf"}},
    {"range_magnitude", {
        "baseline_deficit: must be within ±1e12 (the largest magnitude of any quantity), got 1e+308",
        "packages.huge.items.lng: must be within ±1e12 (the largest magnitude of any quantity), got 10000000000000",
        "actors.trump.weights.deficit: must be within ±1e12 (the largest magnitude of any quantity), got 1e+300"}},
    {"dist_magnitude", {
        "lines.autos.exports: must be within ±1e12 (the largest magnitude of any quantity) over the values the dist draws, which reach [0, inf] at 10 standard deviations",
        "lines.parts.no_deal: must be within ±1e12 (the largest magnitude of any quantity) over the dist's whole support, which is [0.25, 2000000000000]",
        "actors.trump.threshold: must be within ±1e12 (the largest magnitude of any quantity) over the values the dist draws, which reach [-1999999999999.9, 2000000000000.1] at 10 standard deviations"}},
    {"range_draws", {"simulation.draws: must be in [1, 9007199254740991], got 0"}},
    {"int_rounds", {"protocol.rounds: must be an integer, got 4.5"}},
    {"int_seed_range", {"simulation.seed: must be in [0, 9007199254740991], got 9007199254740992"}},
    {"int_seed_negative", {"simulation.seed: must be in [0, 9007199254740991], got -1"}},
    {"int_version", {"dealsim: unsupported format version 3 (this dealsim reads 1 to 2)"}},
    {"int_version_frac", {"dealsim: must be an integer, got 1.5"}},
    {"role_member_key_on_decider", {"actors.trump.influence: not allowed on the decider", "actors.trump.veto: not allowed on the decider"}},
    {"role_decider_key_on_member", {"actors.lutnick.team_weight: not allowed on a member"}},
    {"role_two_deciders", {"actors.trump.role: at most one decider (already 'bessent')"}},
    {"role_unknown", {"actors.trump.role: must be \"member\" or \"decider\", got \"boss\""}},
    {"protocol_decider_acts", {"protocol.decider_acts: must be \"every_round\" or \"deadline\", got \"always\""}},
    {"strategies_empty", {"strategies: must not be empty"}},
    {"offers_empty", {"strategies.escalate.offers: must not be empty"}},
    {"lines_empty", {"lines: must not be empty"}},
    {"packages_empty", {"packages: must not be empty"}},
    {"actors_empty", {"actors: must not be empty"}},
    {"missing_elasticity", {"elasticity: missing required key (line 'autos' has no elasticity of its own)"}},
    {"source_empty_id", {"sources[0].id: must not be empty"}},
    {"source_duplicate_id", {"sources[1].id: duplicate source id 'FR 2025-12345'"}},
    {"source_missing_text", {"sources[0].text: missing required key"}},
    /* 2026-11-28: sources were always named by position, although an id of id
     * syntax names them (SPEC §4); other ids still name them by position. */
    {"source_named_by_id", {"sources.census_2024.text: expected a string, got number", "sources.census_2024: duplicate id 'census_2024'", "sources[2].text: missing required key"}},
    {"range_line_burden", {"lines.autos.tariff_burden: must be in [0, 1] over the dist's whole support, which is [0.5, 1.5]"}},
    {"range_horizon", {"horizon: must be in [1, 50], got 51"}},
    {"int_horizon", {"horizon: must be an integer, got 2.5"}},
    {"dist_horizon", {"horizon: expected a number, got a dist (a dist is not allowed here)"}},
    {"range_elasticity_long", {"elasticity_long: must be >= 0 over the dist's whole support, which is [-inf, inf]"}},
    {"range_line_elasticity_long", {"lines.autos.elasticity_long: must be >= 0, got -1"}},
    {"range_adjustment", {"adjustment: must be in (0, 1], got 0"}},
    {"required_adjustment", {"adjustment: missing required key (elasticity_long is given)"}},
    {"required_adjustment_line", {"adjustment: missing required key (line 'autos' has an elasticity_long)"}},
    {"range_discount_rate", {"home.discount_rate: must be >= 0, got -0.05"}},
    {"range_item_schedule", {"items.lng.start: must be in [1, 1000], got 0",
                             "items.lng.ramp: must be in [0, 1000], got -1",
                             "items.gas.start: must be an integer, got 1.5",
                             "items.gas.ramp: must be in [0, 1000], got 1001"}},
    {"dangling_terms", {"packages.nothing.terms.autoz: unknown line 'autoz' (did you mean 'autos'?)"}},
    {"range_terms", {"packages.nothing.terms.autos: must be >= 0, got -0.1"}},
    {"range_terms_dist", {"packages.nothing.terms.autos: must be >= 0 over the dist's whole support, which is [-inf, inf]"}},
    {"type_terms", {"packages.nothing.terms: expected an object, got array"}},
    {"reserved_tariff_dimension", {"dimensions[1]: 'tariff' is reserved (it is always a dimension)"}},
    {"reserved_tariff_score", {"items.lng.scores.tariff: 'tariff' is reserved and cannot be scored (it comes from the package's terms)"}},
    {"range_extension", {"protocol.extension.probability: must be in [0, 1], got 1.5",
                         "protocol.extension.rounds: must be in [1, 1000], got 0"}},
    {"int_extension_rounds", {"protocol.extension.rounds: must be an integer, got 2.5"}},
    {"required_extension", {"protocol.extension.probability: missing required key",
                            "protocol.extension.rounds: missing required key"}},
    {"required_extension_rounds", {"protocol.extension.roundz: unknown key (did you mean 'rounds'?)",
                                   "protocol.extension.rounds: missing required key"}},
    {"range_extension_total", {"protocol.extension.rounds: rounds + extension.rounds must be <= 1000, got 998 + 5"}},
    {"type_extension", {"protocol.extension: expected an object, got number"}},
    {"corr_unknown_path", {"correlations.c.dists[0]: 'elasticty' names no dist of this scenario (did you mean 'elasticity'?)"}},
    {"corr_constant", {"correlations.c.dists[0]: 'home.margin' is constant (always 0.2) and cannot be correlated"}},
    {"corr_two_correlations", {"correlations.c2.dists[0]: 'elasticity' is already in correlation 'c1' (a dist can be in at most one)"}},
    {"corr_listed_twice", {"correlations.c.dists[1]: 'elasticity' is listed twice"}},
    {"corr_matrix_size", {"correlations.c.matrix: must be 2 x 2 (a row and a column per dist, in the order of dists), got 3 x 3"}},
    {"corr_matrix_not_square", {"correlations.c.matrix[1]: must have 2 entries (the matrix is square: as many columns as rows), got 3"}},
    {"corr_matrix_range", {"correlations.c.matrix[0][1]: must be in [-1, 1], got 1.5", "correlations.c.matrix[1][0]: must be in [-1, 1], got 1.5"}},
    {"corr_matrix_diagonal", {"correlations.c.matrix[1][1]: must be 1 (a correlation matrix has a unit diagonal), got 0.9"}},
    {"corr_matrix_symmetric", {"correlations.c.matrix: must be symmetric, but [0][1] is 0.5 and [1][0] is 0.4"}},
    {"corr_matrix_not_pd", {"correlations.c.matrix: must be positive definite, and is not: no dists can have these correlations together (its Cholesky factorisation fails at row 2, 'actors.trump.threshold', with pivot -15.2)"}},
    {"corr_one_dist", {"correlations.c.dists: must have at least 2 elements, got 1"}},
    {"corr_missing_matrix", {"correlations.c.matrix: missing required key"}},
    {"corr_path_type", {"correlations.c.dists[1]: expected a string (the path of a dist), got number"}},
    {"several_problems", {"protocol.rounds: must be in [1, 1000], got 0", "lines.autos.exports: must be >= 0, got -1", "name: expected a string, got number", "actors.trump.colour: unknown key"}},
};
#define N_BAD (sizeof bad_cases / sizeof bad_cases[0])

/* ------------------------------------------------------------ helpers */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0, got;
    if (!f)
        return NULL;
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
    if (len)
        *len = n;
    return buf;
}

/* Run `DS_BIN validate FILE`; return its exit status and what it printed
 * (caller frees *out and *err). */
static int run_validate(const char *file, char **out, char **err)
{
    char o[] = "/tmp/ds_scn_outXXXXXX", e[] = "/tmp/ds_scn_errXXXXXX";
    int fo = mkstemp(o), fe = mkstemp(e), st = -1;
    posix_spawn_file_actions_t fa;
    pid_t pid;
    char *argv[] = {(char *)DS_BIN, (char *)"validate", (char *)file, NULL};
    cr_assert(fo >= 0 && fe >= 0);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fo, 1);
    posix_spawn_file_actions_adddup2(&fa, fe, 2);
    cr_assert_eq(posix_spawn(&pid, DS_BIN, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    waitpid(pid, &st, 0);
    close(fo);
    close(fe);
    *out = slurp(o, NULL);
    *err = slurp(e, NULL);
    unlink(o);
    unlink(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Load and build in-process; return the joined report (caller frees) and
 * the model through *m when it built. */
static char *check_file(const char *path, ds_model **m)
{
    ds_report rep;
    ds_scenario *s;
    size_t len = 1;
    char *all;
    ds_report_init(&rep);
    *m = NULL;
    s = ds_scenario_load(path, &rep);
    if (s)
        ds_scenario_build(s, m, &rep);
    ds_scenario_free(s);
    for (size_t i = 0; i < rep.n; i++)
        len += strlen(rep.msg[i]) + 1;
    all = calloc(1, len);
    for (size_t i = 0; i < rep.n; i++) {
        strcat(all, rep.msg[i]);
        strcat(all, "\n");
    }
    ds_report_free(&rep);
    return all;
}

static ds_model *load_good(const char *name)
{
    char path[512];
    ds_model *m;
    snprintf(path, sizeof path, GOOD_DIR "%s", name);
    char *msgs = check_file(path, &m);
    cr_assert_not_null(m, "%s did not build:\n%s", name, msgs);
    cr_assert_str_empty(msgs);
    free(msgs);
    return m;
}

/* ------------------------------------------------------ bad inputs */

Test(scenario, bad_files_through_cli)
{
    cr_assert(N_BAD >= 45);
    for (size_t i = 0; i < N_BAD; i++) {
        char path[512], *out, *err;
        snprintf(path, sizeof path, BAD_DIR "%s.json", bad_cases[i].name);
        int st = run_validate(path, &out, &err);
        cr_expect_eq(st, 2, "%s: exit %d, want 2", bad_cases[i].name, st);
        for (size_t k = 0; k < MAX_EXPECT && bad_cases[i].expect[k]; k++)
            cr_expect(strstr(err, bad_cases[i].expect[k]) != NULL,
                      "%s: stderr lacks \"%s\":\n%s", bad_cases[i].name,
                      bad_cases[i].expect[k], err);
        /* Every line names the file first (SPEC §4). */
        cr_expect(strncmp(err, path, strlen(path)) == 0, "%s: %s",
                  bad_cases[i].name, err);
        cr_expect_str_empty(out, "%s printed on stdout: %s", bad_cases[i].name, out);
        free(out);
        free(err);
    }
}

Test(scenario, bad_files_in_process)
{
    for (size_t i = 0; i < N_BAD; i++) {
        char path[512];
        ds_model *m;
        snprintf(path, sizeof path, BAD_DIR "%s.json", bad_cases[i].name);
        char *msgs = check_file(path, &m);
        cr_expect_null(m, "%s built", bad_cases[i].name);
        for (size_t k = 0; k < MAX_EXPECT && bad_cases[i].expect[k]; k++)
            cr_expect(strstr(msgs, bad_cases[i].expect[k]) != NULL,
                      "%s: report lacks \"%s\":\n%s", bad_cases[i].name,
                      bad_cases[i].expect[k], msgs);
        ds_model_free(m);
        free(msgs);
    }
}

/* SPEC §3 `correlations`: paths resolved to the model's dists, each dist
 * marked with its correlation and place, and the Cholesky factor L of each
 * matrix (lower triangular, L L^T = the matrix). */
Test(scenario, correlations_resolved)
{
    ds_model *m = load_good("correlated.json");
    static const char *const paths[2][3] = {
        {"elasticity", "lines.autos.no_deal", "baseline_deficit"},
        {"items.chips.cost", "items.chips.delivery", NULL}};
    cr_assert_eq(m->n_corr, 2);
    for (size_t c = 0; c < 2; c++) {
        const ds_correlation *co = &m->corr[c];
        const size_t k = co->k;
        cr_assert_eq(k, c == 0 ? 3 : 2);
        for (size_t j = 0; j < k; j++) {
            const ds_model_dist *md = &m->dists[co->dist[j]];
            cr_expect_str_eq(md->path, paths[c][j]);
            cr_expect_eq(md->corr, (long)c);
            cr_expect_eq(md->corr_pos, j);
        }
        for (size_t i = 0; i < k; i++)
            for (size_t j = 0; j < k; j++) {
                double s = 0;
                for (size_t p = 0; p < k; p++)
                    s += co->chol[i * k + p] * co->chol[j * k + p];
                cr_expect(fabs(s - co->matrix[i * k + j]) < 1e-15, "%s: (L L^T)[%zu][%zu] = %.17g",
                          co->id, i, j, s);
                if (j > i)
                    cr_expect_eq(co->chol[i * k + j], 0.0);
            }
    }
    /* By hand: L = [[1, 0], [-0.5, sqrt(0.75)]]. */
    cr_expect_eq(m->corr[1].chol[0], 1.0);
    cr_expect_eq(m->corr[1].chol[2], -0.5);
    cr_expect(fabs(m->corr[1].chol[3] - sqrt(0.75)) < 4e-16);
    /* Dists outside every correlation are marked so. */
    size_t outside = 0;
    for (size_t i = 0; i < m->n_dists; i++)
        outside += m->dists[i].corr < 0;
    cr_expect_eq(outside, m->n_dists - 5);
    ds_model_free(m);
}

Test(scenario, several_problems_all_reported)
{
    ds_model *m;
    char *msgs = check_file(BAD_DIR "several_problems.json", &m);
    size_t lines = 0;
    for (char *p = msgs; *p; p++)
        lines += *p == '\n';
    cr_assert_null(m);
    cr_assert_eq(lines, 4, "%s", msgs);
    free(msgs);
}

Test(scenario, good_file_ok_through_cli)
{
    char *out, *err;
    int st = run_validate(GOOD_DIR "full.json", &out, &err);
    cr_assert_eq(st, 0, "%s", err);
    cr_assert_str_eq(out, GOOD_DIR "full.json: ok\n");
    cr_assert_str_empty(err);
    free(out);
    free(err);
}

Test(scenario, unreadable_files)
{
    ds_model *m;
    char *msgs = check_file(DS_TEST_DIR "/data/no_such_file.json", &m);
    cr_assert(strstr(msgs, "no_such_file.json: error: cannot read:"), "%s", msgs);
    free(msgs);
    msgs = check_file(DS_TEST_DIR "/data", &m);
    cr_assert(strstr(msgs, "error: cannot read:"), "%s", msgs);
    free(msgs);
}

/* --------------------------------------------- limits, made at run time */

static char tmpdir[64];

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/ds_scn_XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    rmdir(tmpdir);
}

/* A scenario with n of one kind of element (`what`), everything else
 * minimal; returns the report of loading it (caller frees). */
static char *limit_case(const char *what, size_t n, ds_model **m)
{
    char path[128];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s_%zu.json", tmpdir, what, n);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "{\"dealsim\": 1, \"name\": \"limits\", \"baseline_deficit\": 60,\n"
               " \"elasticity\": 1, \"home\": {\"tariff_burden\": 0.5, \"margin\": 0.2},\n");
    fprintf(f, " \"lines\": [");
    size_t nl = strcmp(what, "lines") == 0 ? n : 1;
    for (size_t i = 0; i < nl; i++)
        fprintf(f, "%s{\"id\": \"l%zu\", \"exports\": 1, \"current\": 0, "
                   "\"no_deal\": 0.2, \"deal\": 0.1}", i ? ", " : "", i);
    fprintf(f, "],\n \"dimensions\": [");
    size_t nd = strcmp(what, "dimensions") == 0 ? n : 0;
    for (size_t i = 0; i < nd; i++)
        fprintf(f, "%s\"d%zu\"", i ? ", " : "", i);
    fprintf(f, "],\n \"third_parties\": [");
    size_t nt = strcmp(what, "third_parties") == 0 ? n : 0;
    for (size_t i = 0; i < nt; i++)
        fprintf(f, "%s{\"id\": \"t%zu\", \"retaliation\": {\"base\": 0, "
                   "\"slope\": 1}, \"cost_per_exposure\": 1}", i ? ", " : "", i);
    fprintf(f, "],\n \"items\": [");
    /* Correlations need dists that vary: items' costs. */
    int corrs = strcmp(what, "correlations") == 0, corrd = strcmp(what, "correlated") == 0;
    size_t ni = strcmp(what, "items") == 0 ? n : corrs ? 2 * n : corrd ? n : 1;
    for (size_t i = 0; i < ni; i++)
        fprintf(f, "%s{\"id\": \"i%zu\", \"deficit_effect\": -1, \"cost\": %s}",
                i ? ", " : "", i,
                corrs || corrd ? "{\"dist\": \"uniform\", \"min\": 0, \"max\": 1}" : "1");
    fprintf(f, "],\n \"correlations\": [");
    for (size_t c = 0; corrs && c < n; c++)
        fprintf(f, "%s{\"id\": \"c%zu\", \"dists\": [\"items.i%zu.cost\", \"items.i%zu.cost\"], "
                   "\"matrix\": [[1, 0.5], [0.5, 1]]}",
                c ? ", " : "", c, 2 * c, 2 * c + 1);
    if (corrd) {
        fprintf(f, "{\"id\": \"all\", \"dists\": [");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%s\"items.i%zu.cost\"", i ? ", " : "", i);
        fprintf(f, "], \"matrix\": [");
        for (size_t i = 0; i < n; i++) {
            fprintf(f, "%s[", i ? ", " : "");
            for (size_t j = 0; j < n; j++)
                fprintf(f, "%s%d", j ? ", " : "", i == j);
            fprintf(f, "]");
        }
        fprintf(f, "]}");
    }
    fprintf(f, "],\n \"packages\": [");
    size_t np = strcmp(what, "packages") == 0 ? n : 1;
    for (size_t i = 0; i < np; i++)
        fprintf(f, "%s{\"id\": \"p%zu\", \"items\": {\"i0\": 1}}", i ? ", " : "", i);
    fprintf(f, "],\n");
    if (strcmp(what, "strategies") == 0) {
        fprintf(f, " \"strategies\": [");
        for (size_t i = 0; i < n; i++)
            fprintf(f, "%s{\"id\": \"s%zu\", \"offers\": [\"p0\"]}", i ? ", " : "", i);
        fprintf(f, "],\n");
    }
    fprintf(f, " \"actors\": [");
    size_t na = strcmp(what, "actors") == 0 ? n : 1;
    for (size_t i = 0; i < na; i++)
        fprintf(f, "%s{\"id\": \"a%zu\", \"role\": \"member\", \"weights\": "
                   "{\"deficit\": 1}, \"threshold\": 0}", i ? ", " : "", i);
    fprintf(f, "],\n \"protocol\": {\"rounds\": %zu}}\n",
            strcmp(what, "rounds") == 0 ? n : 3);
    fclose(f);
    char *msgs = check_file(path, m);
    unlink(path);
    return msgs;
}

Test(scenario, limits, .init = make_tmpdir, .fini = remove_tmpdir)
{
    static const struct {
        const char *what;
        size_t max;
        const char *msg;
    } lim[] = {
        {"items", DS_MAX_ITEMS, "error: items: too many items: 1025 (at most 1024)"},
        {"packages", DS_MAX_PACKAGES, "error: packages: too many packages: 1025 (at most 1024)"},
        {"strategies", DS_MAX_STRATEGIES, "error: strategies: too many strategies: 1025 (at most 1024)"},
        {"actors", DS_MAX_ACTORS, "error: actors: too many actors: 65 (at most 64)"},
        {"dimensions", DS_MAX_DIMENSIONS, "error: dimensions: too many dimensions: 65 (at most 64)"},
        {"lines", DS_MAX_LINES, "error: lines: too many lines: 65 (at most 64)"},
        {"third_parties", DS_MAX_THIRD_PARTIES, "error: third_parties: too many third parties: 65 (at most 64)"},
        {"rounds", DS_MAX_ROUNDS, "error: protocol.rounds: must be in [1, 1000], got 1001"},
        {"correlations", DS_MAX_CORRELATIONS,
         "error: correlations: too many correlations: 65 (at most 64)"},
        {"correlated", DS_MAX_CORRELATED, "error: correlations.all.dists: too many dists: 65 (at most 64)"},
    };
    for (size_t i = 0; i < sizeof lim / sizeof lim[0]; i++) {
        ds_model *m;
        char *msgs = limit_case(lim[i].what, lim[i].max, &m);
        cr_expect_not_null(m, "%s at the limit: %s", lim[i].what, msgs);
        cr_expect_str_empty(msgs);
        ds_model_free(m);
        free(msgs);
        msgs = limit_case(lim[i].what, lim[i].max + 1, &m);
        cr_expect_null(m, "%s over the limit built", lim[i].what);
        cr_expect(strstr(msgs, lim[i].msg) != NULL, "%s: want \"%s\", got:\n%s",
                  lim[i].what, lim[i].msg, msgs);
        ds_model_free(m);
        free(msgs);
    }
}

Test(scenario, file_size_limit, .init = make_tmpdir, .fini = remove_tmpdir)
{
    char path[128], *out, *err;
    size_t len = 0;
    char *text = slurp(GOOD_DIR "minimal.json", &len);
    cr_assert_not_null(text);
    snprintf(path, sizeof path, "%s/big.json", tmpdir);
    /* Exactly the limit: valid (padding is whitespace). */
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    fwrite(text, 1, len, f);
    for (size_t i = len; i < DS_MAX_FILE_BYTES; i++)
        fputc(' ', f);
    fclose(f);
    ds_model *m;
    char *msgs = check_file(path, &m);
    cr_expect_not_null(m, "%s", msgs);
    ds_model_free(m);
    free(msgs);
    /* One byte over: a clear error, through the CLI too. */
    f = fopen(path, "ab");
    fputc(' ', f);
    fclose(f);
    int st = run_validate(path, &out, &err);
    cr_expect_eq(st, 2);
    cr_expect(strstr(err, "error: file too large") != NULL, "%s", err);
    free(out);
    free(err);
    /* ds_scenario_parse refuses it too. */
    ds_report rep;
    ds_report_init(&rep);
    char *big = calloc(1, (size_t)DS_MAX_FILE_BYTES + 1);
    cr_expect_null(ds_scenario_parse("big", big, (size_t)DS_MAX_FILE_BYTES + 1, &rep));
    cr_expect_eq(rep.n, 1);
    free(big);
    ds_report_free(&rep);
    unlink(path);
    free(text);
}

/* --------------------------------------------------- syntax, in-process */

static char *parse_text(const char *text, size_t len)
{
    ds_report rep;
    ds_report_init(&rep);
    ds_scenario *s = ds_scenario_parse("t.json", text, len, &rep);
    char *r = strdup(rep.n ? rep.msg[0] : "");
    ds_scenario_free(s);
    ds_report_free(&rep);
    return r;
}

Test(scenario, depth_limit_exact)
{
    /* Depth 64 (the object plus 63 arrays) parses; 65 does not. */
    char buf[256];
    size_t k = 0;
    k += (size_t)sprintf(buf + k, "{\"a\":");
    for (int i = 0; i < 63; i++)
        buf[k++] = '[';
    for (int i = 0; i < 63; i++)
        buf[k++] = ']';
    buf[k++] = '}';
    char *r = parse_text(buf, k);
    cr_expect_str_empty(r);
    free(r);
    k = 0;
    k += (size_t)sprintf(buf + k, "{\"a\":");
    for (int i = 0; i < 64; i++)
        buf[k++] = '[';
    for (int i = 0; i < 64; i++)
        buf[k++] = ']';
    buf[k++] = '}';
    r = parse_text(buf, k);
    cr_expect_str_eq(r, "t.json:1:69: error: nesting deeper than 64 levels");
    free(r);
}

Test(scenario, deep_input_does_not_recurse)
{
    /* A million brackets: rejected at the 65th, quickly and without
     * recursion. */
    size_t n = 1000000;
    char *buf = malloc(n);
    memset(buf, '[', n);
    memcpy(buf, "{\"a\":", 5);
    char *r = parse_text(buf, n);
    cr_expect(strstr(r, ":1:69: error: nesting deeper than 64 levels"), "%s", r);
    free(r);
    free(buf);
}

Test(scenario, syntax_positions)
{
    /* BOM not counted; CRLF one line end; columns in code points; a NUL
     * byte is not whitespace. */
    static const struct { const char *text; size_t len; const char *want; } c[] = {
        {"\xEF\xBB\xBF{\"a\" 1}", 11, "t.json:1:6: error: unexpected character '1', expected ':'"},
        {"{\r\n\r\n \"a\":x}", 12, "t.json:3:6: error: unexpected character 'x', expected a value"},
        {"{\"\xC3\xA9\xC3\xA9\":1,}", 12, "t.json:1:8: error: trailing comma (JSON allows none before '}')"},
        {"{}\0", 3, "t.json:1:3: error: unexpected text after the JSON value"},
        {"{\"a\":tru}", 9, "t.json:1:6: error: unexpected character 't', expected a value"},
        {"{\"a\":1.}", 8, "t.json:1:8: error: unexpected character '}', expected a digit after '.'"},
        {"{\"a\":\"\\u12G4\"}", 14, "t.json:1:7: error: invalid \\u escape in a string"},
        {"\"text\"", 6, "t.json:1:1: error: the top-level value must be an object, got string"},
        {"", 0, "t.json:1:1: error: empty file (expected a JSON object)"},
        {"{\"a\":[1,2", 9, "t.json:1:10: error: unexpected end of input"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char *r = parse_text(c[i].text, c[i].len);
        cr_expect_str_eq(r, c[i].want, "case %zu", i);
        free(r);
    }
}

Test(scenario, duplicate_keys_fail_build_but_parse)
{
    const char *text =
        "{\"a\": {\"x\": 1, \"x\": 2, \"y\": [{\"id\": \"q\", \"z\": 1, \"z\": 2}]}}";
    ds_report rep;
    ds_model *m = NULL;
    ds_report_init(&rep);
    ds_scenario *s = ds_scenario_parse("d.json", text, strlen(text), &rep);
    cr_assert_not_null(s);
    cr_assert_eq(rep.n, 2);
    cr_expect_str_eq(rep.msg[0], "d.json: error: a.x: duplicate key");
    cr_expect_str_eq(rep.msg[1], "d.json: error: a.y.q.z: duplicate key");
    cr_expect_neq(ds_scenario_build(s, &m, &rep), DS_OK);
    cr_expect_null(m);
    ds_scenario_free(s);
    ds_report_free(&rep);
}

/* ------------------------------------------------------ good scenarios */

static void expect_fixed(const ds_dist *d, double v)
{
    cr_expect_eq(d->kind, DS_DIST_FIXED);
    cr_expect_eq(d->u.fixed.value, v);
}

Test(scenario, minimal_gets_defaults)
{
    ds_model *m = load_good("minimal.json");
    cr_expect_str_eq(m->name, "minimal");
    cr_expect_str_eq(m->description, "");
    cr_expect_str_eq(m->home_name, "home");
    cr_expect_str_eq(m->counterpart_name, "counterpart");
    cr_expect_eq(m->discount, 1.0);
    expect_fixed(&m->tariff_burden, 0.5);
    expect_fixed(&m->margin, 0.2);
    expect_fixed(&m->baseline_deficit, 60);
    cr_expect_eq(m->baseline_mean, 60);
    cr_expect_eq(m->has_elasticity, 1);
    expect_fixed(&m->elasticity, 1.5);
    cr_expect_eq(m->has_elasticity_long, 0);
    cr_expect_eq(m->has_adjustment, 0);
    cr_expect_eq(m->horizon, 1);
    cr_expect_eq(m->discount_rate, 0);
    cr_expect_eq(m->n_lines, 1);
    cr_expect_str_eq(m->lines[0].id, "autos");
    cr_expect_str_eq(m->lines[0].label, "autos");
    cr_expect_eq(m->lines[0].has_elasticity, 0);
    cr_expect_eq(m->lines[0].has_elasticity_long, 0);
    cr_expect_eq(m->lines[0].has_tariff_burden, 0);
    expect_fixed(&m->lines[0].current, 0.025);
    cr_expect_eq(m->n_dims, 0);
    cr_expect_eq(m->n_items, 0);
    cr_expect_eq(m->n_third, 0);
    cr_expect_eq(m->n_sources, 0);
    cr_expect_eq(m->n_packages, 1);
    cr_expect_eq(m->packages[0].n, 0);
    cr_expect_str_eq(m->packages[0].label, "nothing");
    /* No strategies key: one strategy per package (§3.1, §5.5). */
    cr_expect_eq(m->strategies_given, 0);
    cr_expect_eq(m->n_strategies, 1);
    cr_expect_str_eq(m->strategies[0].id, "nothing");
    cr_expect_str_eq(m->strategies[0].label, "nothing");
    cr_expect_eq(m->strategies[0].n_offers, 1);
    cr_expect_eq(m->strategies[0].offers[0], 0);
    cr_expect_eq(m->n_actors, 1);
    cr_expect_eq(m->decider, 0);
    const ds_actor *a = &m->actors[0];
    cr_expect_str_eq(a->label, "trump");
    cr_expect_eq(a->role, DS_ROLE_DECIDER);
    cr_expect_eq(a->weights[0], 1.0);
    cr_expect_eq(a->weight_certainty, 0);
    expect_fixed(&a->threshold, 0.1);
    expect_fixed(&a->concession, 0);
    cr_expect_eq(a->noise, 0);
    cr_expect_eq(a->influence, 1);
    cr_expect_eq(a->veto, 0);
    cr_expect_eq(a->attendance, 1);
    cr_expect_eq(a->n_champions, 0);
    cr_expect_eq(a->credit, 0);
    cr_expect_eq(a->team_weight, 0);
    cr_expect_eq(m->protocol.rounds, 3);
    cr_expect_eq(m->protocol.quorum, 0.5);
    cr_expect_eq(m->protocol.decider_acts, DS_DECIDER_DEADLINE);
    cr_expect_eq(m->protocol.disconnect, 0);
    cr_expect_eq(m->protocol.stall_on_split, 0);
    cr_expect_eq(m->protocol.extension.given, 0);
    cr_expect_eq(m->draws, 100000);
    cr_expect_eq(m->seed, 1);
    ds_model_free(m);
}

Test(scenario, full_has_every_value)
{
    ds_model *m = load_good("full.json");
    cr_expect_str_eq(m->description, "A test scenario with every key.");
    cr_expect_eq(m->n_sources, 2);
    cr_expect_str_eq(m->sources[0].id, "FR 2025-12345");
    cr_expect_str_eq(m->sources[1].text, "IMF DOTS");
    cr_expect_str_eq(m->home_name, "Japan");
    cr_expect_str_eq(m->counterpart_name, "United States");
    cr_expect_eq(m->discount, 0.9);
    cr_expect_eq(m->tariff_burden.kind, DS_DIST_BETA);
    cr_expect_eq(m->tariff_burden.u.beta.a, 2);
    cr_expect_eq(m->tariff_burden.u.beta.b, 3);
    cr_expect_eq(m->tariff_burden.u.beta.min, 0);
    cr_expect_eq(m->tariff_burden.u.beta.max, 1);
    cr_expect_eq(m->margin.kind, DS_DIST_PERT);
    cr_expect_eq(m->margin.u.tri.mode, 0.2);
    cr_expect_eq(m->baseline_deficit.kind, DS_DIST_NORMAL);
    cr_expect_eq(m->baseline_deficit.u.normal.min, 40);
    cr_expect(isinf(m->baseline_deficit.u.normal.max));
    /* D-bar of a normal(60, 5) truncated at 40: 60 + 5 phi(-4)/(1 - Phi(-4)). */
    cr_expect(fabs(m->baseline_mean - (60 + 5 * 1.3383022576488537e-4 /
                                                (1 - 3.1671241833119857e-05))) < 1e-9,
              "%.17g", m->baseline_mean);
    cr_expect_eq(m->elasticity.kind, DS_DIST_LOGNORMAL);
    cr_expect_eq(m->elasticity.u.lognormal.sigma, 0.3);
    cr_expect_eq(m->has_elasticity_long, 1);
    cr_expect_eq(m->elasticity_long.kind, DS_DIST_UNIFORM);
    cr_expect_eq(m->has_adjustment, 1);
    expect_fixed(&m->adjustment, 0.2);
    cr_expect_eq(m->horizon, 3);
    cr_expect_eq(m->discount_rate, 0.04);
    cr_expect_eq(m->lines[1].has_elasticity_long, 1);
    expect_fixed(&m->lines[1].elasticity_long, 2.5);
    cr_expect_eq(m->lines[0].has_elasticity_long, 0);
    cr_expect_eq(m->n_lines, 2);
    cr_expect_eq(m->lines[0].exports.kind, DS_DIST_UNIFORM);
    expect_fixed(&m->lines[0].no_deal, 0.25);
    cr_expect_eq(m->lines[0].deal.kind, DS_DIST_DISCRETE);
    cr_expect_eq(m->lines[0].deal.u.discrete.n, 2);
    cr_expect_eq(m->lines[0].deal.u.discrete.values[1], 0.15);
    cr_expect_eq(m->lines[0].deal.u.discrete.weights[1], 3);
    cr_expect_eq(m->lines[1].has_elasticity, 1);
    cr_expect_eq(m->lines[1].elasticity.kind, DS_DIST_TRIANGULAR);
    cr_expect_str_eq(m->lines[0].label, "Vehicles and parts");
    cr_expect_str_eq(m->lines[1].label, "parts");
    cr_expect_eq(m->lines[0].has_tariff_burden, 1);
    cr_expect_eq(m->lines[0].tariff_burden.u.uniform.max, 0.9);
    cr_expect_eq(m->lines[1].has_tariff_burden, 0);
    cr_expect_eq(m->n_dims, 2);
    cr_expect_str_eq(m->dims[1], "security");
    cr_expect_eq(m->n_items, 2);
    const ds_item *it = &m->items[0];
    cr_expect_str_eq(it->label, "Semiconductor fabs");
    cr_expect_eq(it->deficit_effect.u.normal.mean, -10);
    cr_expect_eq(it->cost.u.beta.min, 5);
    cr_expect_eq(it->delivery.kind, DS_DIST_NORMAL);
    cr_expect_eq(it->scores[0].kind, DS_DIST_UNIFORM);
    expect_fixed(&it->scores[1], 0.1);
    cr_expect_eq(it->exposure[0], 0.5);
    cr_expect_str_eq(m->items[1].label, "lng");
    expect_fixed(&m->items[1].delivery, 1);
    cr_expect_eq(it->start, 2);
    cr_expect_eq(it->ramp, 3);
    cr_expect_eq(m->items[1].start, 1);
    cr_expect_eq(m->items[1].ramp, 0);
    expect_fixed(&m->items[1].scores[0], 0);
    cr_expect_eq(m->items[1].exposure[0], 0);
    cr_expect_eq(m->n_packages, 2);
    cr_expect_str_eq(m->packages[0].label, "Small offer");
    /* terms: autos asked at a dist, parts left at the line's deal. */
    cr_expect(ds_package_asks(&m->packages[1], 0));
    cr_expect_eq(m->packages[1].terms[0].kind, DS_DIST_TRIANGULAR);
    cr_expect(!ds_package_asks(&m->packages[1], 1));
    cr_expect(!ds_package_asks(&m->packages[0], 0));
    cr_expect(!ds_package_asks(&m->packages[0], 1));
    /* Sparse, in file order, "_" keys skipped. */
    cr_expect_eq(m->packages[1].n, 2);
    cr_expect_eq(m->packages[1].item[0], 0);
    cr_expect_eq(m->packages[1].x[0], 1.5);
    cr_expect_eq(m->packages[1].item[1], 1);
    cr_expect_eq(m->packages[1].x[1], 2);
    cr_expect_eq(m->strategies_given, 1);
    cr_expect_eq(m->n_strategies, 2);
    cr_expect_eq(m->strategies[0].n_offers, 2);
    cr_expect_eq(m->strategies[0].offers[0], 0);
    cr_expect_eq(m->strategies[0].offers[1], 1);
    cr_expect_str_eq(m->strategies[1].label, "big_only");
    cr_expect_eq(m->n_actors, 3);
    cr_expect_eq(m->decider, 2);
    const ds_actor *a = &m->actors[0];
    cr_expect_eq(a->role, DS_ROLE_MEMBER);
    /* "deficit", "tariff", then the dimensions reshoring, security. */
    cr_expect_eq(a->weights[0], 2);
    cr_expect_eq(a->weights[1], 0.5);
    cr_expect_eq(a->weights[2], 1);
    cr_expect_eq(a->weights[3], 0);
    cr_expect_eq(a->weight_certainty, 20);
    cr_expect_eq(a->threshold.kind, DS_DIST_NORMAL);
    expect_fixed(&a->concession, 0.01);
    cr_expect_eq(a->noise, 0.02);
    cr_expect_eq(a->influence, 2);
    cr_expect_eq(a->veto, 1);
    cr_expect_eq(a->attendance, 0.9);
    cr_expect_eq(a->n_champions, 1);
    cr_expect_eq(a->champions[0], 0);
    cr_expect_eq(a->credit, 0.05);
    cr_expect_eq(m->actors[1].weights[3], 1);
    cr_expect_eq(m->actors[2].team_weight, 0.3);
    cr_expect_eq(m->protocol.rounds, 4);
    cr_expect_eq(m->protocol.quorum, 0.6);
    cr_expect_eq(m->protocol.decider_acts, DS_DECIDER_EVERY_ROUND);
    cr_expect_eq(m->protocol.disconnect, 0.05);
    cr_expect_eq(m->protocol.stall_on_split, 0.1);
    cr_expect_eq(m->protocol.extension.given, 1);
    cr_expect_eq(m->protocol.extension.probability, 0.25);
    cr_expect_eq(m->protocol.extension.rounds, 2);
    cr_expect_eq(m->n_third, 1);
    cr_expect_str_eq(m->third[0].label, "China");
    cr_expect_eq(m->third[0].base, -2);
    cr_expect_eq(m->third[0].slope, 1.5);
    cr_expect_eq(m->third[0].cost_per_exposure.kind, DS_DIST_UNIFORM);
    cr_expect_eq(m->draws, 5000);
    cr_expect_eq(m->seed, UINT64_C(9007199254740991));
    ds_model_free(m);
}

Test(scenario, copy_is_independent)
{
    ds_report rep;
    ds_model *m1 = NULL, *m2 = NULL;
    ds_report_init(&rep);
    ds_scenario *s = ds_scenario_load(GOOD_DIR "minimal.json", &rep);
    cr_assert_not_null(s);
    ds_scenario *c = ds_scenario_copy(s);
    cr_assert_not_null(c);
    cr_expect_str_eq(ds_scenario_file(c), GOOD_DIR "minimal.json");
    cr_assert_eq(ds_scenario_set(c, "protocol.rounds", "9", &rep), DS_OK);
    cr_assert_eq(ds_scenario_build(s, &m1, &rep), DS_OK);
    cr_assert_eq(ds_scenario_build(c, &m2, &rep), DS_OK);
    cr_expect_eq(m1->protocol.rounds, 3);
    cr_expect_eq(m2->protocol.rounds, 9);
    ds_model_free(m1);
    ds_model_free(m2);
    ds_scenario_free(s);
    ds_scenario_free(c);
    ds_report_free(&rep);
}

Test(scenario, shipped_scenarios_are_valid)
{
    static const char *const files[] = {"japan_us_2025.json", "minimal.json",
                                        "tutorial.json"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        ds_model *m;
        snprintf(path, sizeof path, DS_SOURCE_DIR "/scenarios/%s", files[i]);
        if (access(path, R_OK) != 0)
            continue; /* not every checkout ships every example */
        char *msgs = check_file(path, &m);
        cr_expect_not_null(m, "%s:\n%s", files[i], msgs);
        ds_model_free(m);
        free(msgs);
    }
}
