/*
 * test_help.c - the documents generated from the command and option tables
 * (sim/cli_opts.c) against the tables themselves: `--help`, `dealsim help
 * CMD`, the man pages and the bash and zsh completions list every option of
 * every command and nothing else.  Also: did-you-mean for unknown options
 * and commands, `dealsim scenario`, `compare --format`, and help whose
 * output cannot be written.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>

#include "cli_opts.h"
#include "cli_util.h"

#define JAPAN DS_SOURCE_DIR "/scenarios/japan_us_2025.json"

static char *dir;

/* Every test's directory holds one file, for file-name completion. */
static void setup(void)
{
    char path[700];
    dir = cli_tmpdir();
    snprintf(path, sizeof path, "%s/zz_file.json", dir);
    fclose(fopen(path, "w"));
}
static void teardown(void) { cli_rmdir(dir); }

TestSuite(help, .init = setup, .fini = teardown, .timeout = 300);

/* ---- name lists -------------------------------------------------------- */

#define MAX_NAMES 128

typedef struct names {
    char *v[MAX_NAMES];
    size_t n;
} names;

static void names_add(names *s, const char *p, size_t len)
{
    cr_assert_lt(s->n, MAX_NAMES);
    s->v[s->n++] = strndup(p, len);
}

static void names_free(names *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    s->n = 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The option names the table gives command c: "-n" and "--draws" per row. */
static void table_names(const ds_cli_cmd *c, names *s)
{
    char b[64];
    for (size_t i = 0; i < ds_cli_n_options; i++) {
        const ds_cli_opt *o = &ds_cli_options[i];
        if (!(o->cmds & c->bit))
            continue;
        if (o->shrt) {
            snprintf(b, sizeof b, "-%c", o->shrt);
            names_add(s, b, strlen(b));
        }
        snprintf(b, sizeof b, "--%s", o->lng);
        names_add(s, b, strlen(b));
    }
}

/* got must hold exactly the names of want (as multisets). */
static void same_names(names *got, names *want, const char *what)
{
    qsort(got->v, got->n, sizeof *got->v, cmp_str);
    qsort(want->v, want->n, sizeof *want->v, cmp_str);
    for (size_t i = 0; i < want->n; i++)
        cr_assert(i < got->n && strcmp(got->v[i], want->v[i]) == 0,
                  "%s: expected %s, got %s", what, want->v[i], i < got->n ? got->v[i] : "nothing");
    cr_assert_eq(got->n, want->n, "%s: %zu names, the table has %zu (extra: %s)", what,
                 got->n, want->n, got->n > want->n ? got->v[want->n] : "-");
}

/* "-n, --draws N ..." or "--set PATH=VALUE ...": the names at the start. */
static void label_names(const char *p, names *s)
{
    if (p[0] == '-' && p[1] != '-') {
        names_add(s, p, 2);
        p += 2;
        cr_assert(p[0] == ',' && p[1] == ' ', "%.40s", p);
        p += 2;
    }
    cr_assert(p[0] == '-' && p[1] == '-', "%.40s", p);
    names_add(s, p, strcspn(p, " \n"));
}

static const char *cmd_name(const ds_cli_cmd *c)
{
    return c->name ? c->name : "dealsim";
}

/* ---- help -------------------------------------------------------------- */

/* The option lines of a help text: "  -x, --long" or "      --long" at the
 * start of a line of the "options:" section (continuations are indented
 * further). */
static void help_names(const char *text, names *s)
{
    const char *p = strstr(text, "\noptions:\n");
    cr_assert(p, "no options section");
    for (p += 10; *p && *p != '\n'; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
        if (strncmp(p, "  -", 3) == 0)
            label_names(p + 2, s);
        else if (strncmp(p, "      --", 8) == 0)
            label_names(p + 6, s);
        else
            cr_assert(strncmp(p, "                        ", 24) == 0,
                      "not an option line: %.60s", p);
    }
}

Test(help, help_lists_every_option_of_every_command)
{
    for (size_t i = 0; i < ds_cli_n_commands; i++) {
        const ds_cli_cmd *c = &ds_cli_commands[i];
        cli_result r = c->name ? cli_run(dir, "help", c->name, NULL) : cli_run(dir, "--help", NULL);
        cli_result r2 = c->name ? cli_run(dir, c->name, "--help", NULL) : cli_run(dir, "help", NULL);
        names got = {0}, want = {0};
        cr_assert_eq(r.status, 0, "%s", r.err);
        cr_assert_eq(r2.status, 0, "%s", r2.err);
        cr_assert_str_eq(r.out, r2.out, "two ways to ask for the help of %s", cmd_name(c));
        cr_assert(strncmp(r.out, "usage: dealsim", 14) == 0, "%s", r.out);
        help_names(r.out, &got);
        table_names(c, &want);
        same_names(&got, &want, cmd_name(c));
        if (c->examples)
            cr_assert(strstr(r.out, "\nexamples:\n  dealsim "), "%s", r.out);
        /* No line wider than a terminal, except an example. */
        for (const char *p = r.out; *p; p += strcspn(p, "\n") + 1) {
            size_t len = strcspn(p, "\n");
            cr_assert(len <= 78 || strncmp(p, "  dealsim", 9) == 0, "%s: %.*s",
                      cmd_name(c), (int)len, p);
            if (!p[len])
                break;
        }
        names_free(&got);
        names_free(&want);
        cli_free(&r);
        cli_free(&r2);
    }
}

Test(help, main_help_lists_every_command_and_exit_status)
{
    cli_result r = cli_run(dir, "--help", NULL);
    const char *p = strstr(r.out, "\ncommands:\n");
    names got = {0};
    cr_assert(p);
    for (p += 11; *p && *p != '\n'; p += strcspn(p, "\n") + 1)
        if (strncmp(p, "  ", 2) == 0 && p[2] != ' ')
            names_add(&got, p + 2, strcspn(p + 2, " \n"));
    cr_assert_eq(got.n, ds_cli_n_commands - 1);
    for (size_t i = 1; i < ds_cli_n_commands; i++)
        cr_assert_str_eq(got.v[i - 1], ds_cli_commands[i].name);
    cr_assert(strstr(r.out, "exit status: 0 success, 1 runtime failure"), "%s", r.out);
    cr_assert(strstr(r.out, "130 interrupted"), "%s", r.out);
    names_free(&got);
    cli_free(&r);
    r = cli_run(dir, "help", "--commands", NULL);
    p = r.out;
    for (size_t i = 1; i < ds_cli_n_commands; i++) {
        size_t len = strlen(ds_cli_commands[i].name);
        cr_assert(strncmp(p, ds_cli_commands[i].name, len) == 0 && p[len] == '\n', "%s", r.out);
        p += len + 1;
    }
    cr_assert_str_eq(p, "");
    cli_free(&r);
}

Test(help, help_help)
{
    cli_result r = cli_run(dir, "help", "help", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert(strncmp(r.out, "usage: dealsim help [COMMAND] [options]\n", 40) == 0, "%s", r.out);
    cr_assert(strstr(r.out, "      --man "), "%s", r.out);
    cr_assert(strstr(r.out, "      --completion bash|zsh"), "%s", r.out);
    cli_free(&r);
}

/* ---- man pages ---------------------------------------------------------- */

static char *doc_file(const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", DS_DOC_DIR, rel);
    char *t = cli_read_file(path, NULL);
    cr_assert(t, "%s was not generated", path);
    return t;
}

/* The names on the .TP lines of the OPTIONS section, roff removed. */
static void man_names(const char *page, names *s)
{
    const char *p = strstr(page, "\n.SH OPTIONS\n"), *end;
    cr_assert(p, "no OPTIONS section");
    end = strstr(p + 1, "\n.SH ");
    cr_assert(end);
    while ((p = strstr(p, "\n.TP\n")) && p < end) {
        char line[256];
        size_t k = 0;
        p += 5;
        for (const char *q = p; *q && *q != '\n' && k + 1 < sizeof line;) {
            if (q[0] == '\\' && q[1] == 'f')
                q += 3;                  /* \fB \fR \fI */
            else if (q[0] == '\\' && q[1] == '-')
                line[k++] = '-', q += 2;
            else
                line[k++] = *q++;
        }
        line[k] = '\0';
        label_names(line, s);
    }
}

Test(help, man_pages_list_every_option_of_every_command)
{
    for (size_t i = 0; i < ds_cli_n_commands; i++) {
        const ds_cli_cmd *c = &ds_cli_commands[i];
        char rel[128];
        names got = {0}, want = {0};
        snprintf(rel, sizeof rel, "man/man1/dealsim%s%s.1", c->name ? "-" : "",
                 c->name ? c->name : "");
        char *page = doc_file(rel);
        /* The build's page is what the binary prints. */
        cli_result r = c->name ? cli_run(dir, "help", "--man", c->name, NULL)
                               : cli_run(dir, "help", "--man", NULL);
        cr_assert_eq(r.status, 0);
        cr_assert_str_eq(r.out, page, "%s is out of date", rel);
        cr_assert(strncmp(page, ".TH DEALSIM", 11) == 0, "%.40s", page);
        for (const char *sec = "NAME\0SYNOPSIS\0DESCRIPTION\0OPTIONS\0EXIT STATUS\0SEE ALSO\0";
             *sec; sec += strlen(sec) + 1) {
            char h[40];
            snprintf(h, sizeof h, "\n.SH %s\n", sec);
            cr_assert(strstr(page, h), "%s has no %s", rel, sec);
        }
        man_names(page, &got);
        table_names(c, &want);
        same_names(&got, &want, rel);
        names_free(&got);
        names_free(&want);
        free(page);
        cli_free(&r);
    }
}

/* The man directory holds dealsim.1 and one page per command, no more. */
Test(help, one_man_page_per_command)
{
    char d[1024];
    size_t n = 0;
    snprintf(d, sizeof d, "%s/man/man1", DS_DOC_DIR);
    DIR *dp = opendir(d);
    cr_assert(dp, "%s missing", d);
    for (struct dirent *e; (e = readdir(dp));) {
        if (e->d_name[0] == '.')
            continue;
        int known = strcmp(e->d_name, "dealsim.1") == 0;
        for (size_t i = 1; i < ds_cli_n_commands && !known; i++) {
            char want[128];
            snprintf(want, sizeof want, "dealsim-%s.1", ds_cli_commands[i].name);
            known = strcmp(e->d_name, want) == 0;
        }
        cr_assert(known, "unexpected page %s", e->d_name);
        n++;
    }
    closedir(dp);
    cr_assert_eq(n, ds_cli_n_commands);
    /* The scenario format's page, from the format table. */
    char *page = doc_file("man/man5/dealsim-scenario.5");
    cr_assert(strstr(page, "\n.TH DEALSIM-SCENARIO 5 "), "%.80s", page);
    free(page);
    page = doc_file("man/man1/dealsim.1");
    cr_assert(strstr(page, ".BR dealsim\\-scenario (5)"), "SEE ALSO lacks it");
    free(page);
}

/* groff reads every page without a warning. */
Test(help, man_pages_are_clean_roff)
{
    for (size_t i = 0; i < ds_cli_n_commands; i++) {
        const ds_cli_cmd *c = &ds_cli_commands[i];
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "groff -man -ww -z -Tutf8 '%s/man/man1/dealsim%s%s.1' 2>&1",
                 DS_DOC_DIR, c->name ? "-" : "", c->name ? c->name : "");
        FILE *p = popen(cmd, "r");
        char buf[512];
        size_t got = fread(buf, 1, sizeof buf - 1, p);
        buf[got] = '\0';
        cr_assert_eq(pclose(p), 0, "groff failed: %s", buf);
        cr_assert_eq(got, 0, "groff warns about %s: %s", cmd_name(c), buf);
    }
}

/* ---- completions -------------------------------------------------------- */

/* Run a shell script in dir; its stdout into a malloc'd string. */
static char *shell(const char *sh, const char *script)
{
    char path[700], cmd[1600];
    snprintf(path, sizeof path, "%s/script", dir);
    FILE *f = fopen(path, "w");
    fputs(script, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "cd '%s' && %s '%s' 2>&1", dir, sh, path);
    FILE *p = popen(cmd, "r");
    size_t cap = 1 << 16, n = 0, got;
    char *out = malloc(cap);
    while ((got = fread(out + n, 1, cap - 1 - n, p)) > 0) {
        n += got;
        if (n + 1 == cap)
            out = realloc(out, cap *= 2);
    }
    out[n] = '\0';
    cr_assert_eq(pclose(p), 0, "%s failed: %s", sh, out);
    return out;
}

/* The words bash completes for `dealsim WORDS...` (the last is the word
 * being completed), one per line. */
static char *bash_complete(const char *words)
{
    char script[1024];
    snprintf(script, sizeof script,
             "source '%s/completions/dealsim'\n"
             "COMP_WORDS=(dealsim %s)\n"
             "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
             "_dealsim\n"
             "printf '%%s\\n' \"${COMPREPLY[@]}\"\n",
             DS_DOC_DIR, words);
    return shell("bash", script);
}

static void lines(const char *text, names *s)
{
    for (const char *p = text; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0))
        if (p[0] != '\n')
            names_add(s, p, strcspn(p, "\n"));
}

Test(help, bash_completes_every_option_and_value)
{
    for (size_t i = 0; i < ds_cli_n_commands; i++) {
        const ds_cli_cmd *c = &ds_cli_commands[i];
        char words[256];
        names got = {0}, want = {0};
        snprintf(words, sizeof words, "%s -", c->name ? c->name : "");
        char *out = bash_complete(words);
        lines(out, &got);
        table_names(c, &want);
        same_names(&got, &want, cmd_name(c));
        names_free(&got);
        names_free(&want);
        free(out);
        for (size_t k = 0; k < ds_cli_n_options; k++) {
            const ds_cli_opt *o = &ds_cli_options[k];
            if (!c->name || !(o->cmds & c->bit) || o->kind == DS_CLI_FLAG)
                continue;
            snprintf(words, sizeof words, "%s --%s zz", c->name, o->lng);
            out = bash_complete(words);
            if (o->kind == DS_CLI_FILE)
                cr_assert_str_eq(out, "zz_file.json\n", "--%s: %s", o->lng, out);
            else if (o->kind == DS_CLI_ENUM) {
                free(out);
                snprintf(words, sizeof words, "%s --%s ''", c->name, o->lng);
                out = bash_complete(words);
                lines(out, &got);
                for (size_t v = 0; o->values[v]; v++)
                    names_add(&want, o->values[v], strlen(o->values[v]));
                same_names(&got, &want, o->lng);
                names_free(&got);
                names_free(&want);
            } else
                cr_assert_str_eq(out, "\n", "--%s takes no file: %s", o->lng, out);
            free(out);
        }
    }
}

Test(help, bash_completes_commands_and_operands)
{
    char *cmds[2] = {bash_complete("''"), bash_complete("help ''")};
    for (int k = 0; k < 2; k++) {
        names got = {0}, want = {0};
        lines(cmds[k], &got);
        for (size_t i = 1; i < ds_cli_n_commands; i++)
            names_add(&want, ds_cli_commands[i].name, strlen(ds_cli_commands[i].name));
        same_names(&got, &want, "commands");
        names_free(&got);
        names_free(&want);
        free(cmds[k]);
    }
    char *out = bash_complete("run zz");
    cr_assert_str_eq(out, "zz_file.json\n");
    free(out);
    /* bash splits "--output=zz" at the '='. */
    out = bash_complete("run --output = zz");
    cr_assert_str_eq(out, "zz_file.json\n");
    free(out);
    out = bash_complete("run --format = c");
    cr_assert_str_eq(out, "csv\n");
    free(out);
}

/* zsh: the script parses, and with _arguments and _describe replaced by
 * functions that print their arguments, each command's function hands
 * _arguments one spec per option name of the table, with the enum values
 * and file completion the table calls for. */
Test(help, zsh_completes_every_option)
{
    char script[4096];
    size_t k = (size_t)snprintf(script, sizeof script,
        "_arguments() { print -rl -- \"$@\"; state=command; return 0; }\n"
        "_describe() { print -rl -- \"${commands[@]}\"; }\n"
        "source '%s/completions/_dealsim' > /dev/null\n", DS_DOC_DIR);
    for (size_t i = 1; i < ds_cli_n_commands; i++)
        k += (size_t)snprintf(script + k, sizeof script - k,
                              "print -r -- '=== %s'\n_dealsim_%s\n",
                              ds_cli_commands[i].name, ds_cli_commands[i].name);
    k += (size_t)snprintf(script + k, sizeof script - k, "print -r -- '=== '\n_dealsim\n");
    char check[1200];
    snprintf(check, sizeof check, "zsh -n '%s/completions/_dealsim' && echo ok", DS_DOC_DIR);
    char *ok = shell("sh", check);
    cr_assert_str_eq(ok, "ok\n");
    free(ok);
    char *out = shell("zsh -f", script);

    for (size_t i = 0; i < ds_cli_n_commands; i++) {
        const ds_cli_cmd *c = &ds_cli_commands[i];
        char marker[64];
        names got = {0}, want = {0};
        snprintf(marker, sizeof marker, "=== %s\n", c->name ? c->name : "");
        const char *p = strstr(out, marker);
        cr_assert(p, "no output for %s: %s", cmd_name(c), out);
        for (p += strlen(marker); *p && strncmp(p, "===", 3) != 0;
             p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
            const char *q = p;
            size_t len;
            if (*q == '*')
                q++;
            if (*q == '(')
                q += strcspn(q, ")") + 1;
            len = strcspn(q, "[");
            if (*q != '-' || len > strcspn(q, "\n"))
                continue;                /* -S, -C, operands, commands */
            if (q[len - 1] == '+' || q[len - 1] == '=')
                len--;
            names_add(&got, q, len);
            for (size_t o = 0; o < ds_cli_n_options; o++) {
                const ds_cli_opt *op = &ds_cli_options[o];
                size_t line = strcspn(q, "\n");
                if (!(op->cmds & c->bit) || strncmp(q + 2, op->lng, strlen(op->lng)) != 0 ||
                    strcspn(q + 2, "=[") != strlen(op->lng))
                    continue;
                if (op->kind == DS_CLI_FILE)
                    cr_assert(strncmp(q + line - 7, ":_files", 7) == 0, "%.*s", (int)line, q);
                if (op->kind == DS_CLI_ENUM)
                    cr_assert(q[line - 1] == ')', "%.*s", (int)line, q);
            }
        }
        table_names(c, &want);
        same_names(&got, &want, cmd_name(c));
        names_free(&got);
        names_free(&want);
    }
    /* _dealsim lists the commands, each with its summary. */
    for (size_t i = 1; i < ds_cli_n_commands; i++) {
        char entry[128];
        snprintf(entry, sizeof entry, "\n%s:", ds_cli_commands[i].name);
        cr_assert(strstr(out, entry), "no command %s: %s", ds_cli_commands[i].name, out);
    }
    free(out);
}

/* ---- did you mean ------------------------------------------------------- */

Test(help, unknown_options_and_commands_get_a_suggestion)
{
    static const char *cases[][4] = {
        {"run", "--sed", "dealsim run: unknown option '--sed' (did you mean '--seed'?)\n"},
        {"run", "--draws-ot=x", "unknown option '--draws-ot=x' (did you mean '--draws-out'?)"},
        {"sweep", "-vary", "unknown option '-vary' (did you mean '--vary'?)"},
        {"compare", "--only-significnat", "(did you mean '--only-significant'?)"},
        {"--versoin", NULL, "dealsim: unknown option '--versoin' (did you mean '--version'?)"},
        {"rnu", NULL, "dealsim: unknown command 'rnu' (did you mean 'run'?)\n"},
        {"valdiate", NULL, "unknown command 'valdiate' (did you mean 'validate'?)"},
        {"help", "swep", "dealsim help: unknown command 'swep' (did you mean 'sweep'?)"},
        {"run", "--frobnicate", "unknown option '--frobnicate'\n"},
        {"frobnicate", NULL, "unknown command 'frobnicate'\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cli_result r = cli_run(dir, cases[i][0], cases[i][1], NULL);
        cr_assert_eq(r.status, 2, "%s %s", cases[i][0], cases[i][1]);
        cr_assert(strstr(r.err, cases[i][2]), "%s %s: %s", cases[i][0], cases[i][1], r.err);
        cr_assert_str_eq(r.out, "");
        cli_free(&r);
    }
}

/* ---- scenario, compare --format ---------------------------------------- */

Test(help, scenario_prints_the_builtin_file_exactly)
{
    size_t n;
    char *file = cli_read_file(JAPAN, &n), path[700];
    cli_result r = cli_run(dir, "scenario", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(r.out_len, n);
    cr_assert(memcmp(r.out, file, n) == 0, "not the file byte for byte");
    cli_free(&r);
    snprintf(path, sizeof path, "%s/new.json", dir);
    r = cli_run(dir, "scenario", "-o", path, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    size_t m;
    char *written = cli_read_file(path, &m);
    cr_assert(written && m == n && memcmp(written, file, n) == 0);
    free(written);
    cli_free(&r);
    r = cli_run(dir, "validate", path, NULL);
    cr_assert_eq(r.status, 0, "a scenario started from it is valid: %s", r.err);
    cli_free(&r);
    r = cli_run(dir, "scenario", "--output", "", NULL);
    cr_assert_eq(r.status, 2);
    cli_free(&r);
    r = cli_run_to(dir, "/dev/full", "scenario", NULL);
    cr_assert_eq(r.status, 1);
    cr_assert(strstr(r.err, "standard output: No space left on device"), "%s", r.err);
    cli_free(&r);
    free(file);
}

Test(help, compare_format_is_accepted_and_checked)
{
    char a[700];
    snprintf(a, sizeof a, "%s/a.csv", dir);
    cli_result r = cli_run(dir, "run", JAPAN, "-n", "500", "-o", a, "-q", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cli_free(&r);
    static const char *ok[] = {"table", "csv"};
    for (int k = 0; k < 2; k++) {
        r = cli_run(dir, "compare", a, a, "--format", ok[k], NULL);
        cr_assert_eq(r.status, 0, "--format %s: %s", ok[k], r.err);
        cr_assert(strstr(r.out, "p_deal"), "%s", r.out);
        cli_free(&r);
    }
    r = cli_run(dir, "compare", a, a, NULL);
    cr_assert_eq(r.status, 0);
    cr_assert(strncmp(r.out, "strategy,metric,a,b,diff,z\n", 27) == 0,
              "CSV when stdout is not a terminal: %.80s", r.out);
    cli_free(&r);
    r = cli_run(dir, "compare", a, a, "--format", "json", NULL);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, "--format must be table or csv, got 'json'"), "%s", r.err);
    cli_free(&r);
}

/* ---- output that can't be written --------------------------------------- */

Test(help, unwritable_stdout_exits_1)
{
    static const char *cases[][3] = {
        {"help", NULL}, {"--help", NULL}, {"help", "run"}, {"run", "--help"},
        {"help", "--man"}, {"--version", NULL}, {"validate", NULL},
        {"help", "--commands"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cli_result r = cli_run_to(dir, "/dev/full", cases[i][0], cases[i][1], NULL);
        cr_assert_eq(r.status, 1, "%s %s > /dev/full", cases[i][0], cases[i][1]);
        cr_assert(strstr(r.err, "cannot write standard output: "), "%s", r.err);
        cr_assert(strstr(r.err, strerror(ENOSPC)), "%s", r.err);
        cli_free(&r);
    }
}

/* ---- what the help says is what the program does ----------------------- */

/* --vary-seed: point P (the `point` column, from 1) runs with seed + P - 1,
 * as the help says: its rows are those of `run` with that seed. */
Test(help, vary_seed_help_matches_the_program)
{
    cli_result h = cli_run(dir, "help", "sweep", NULL);
    cr_assert(strstr(h.out, "give point P (the `point` column, counted from 1)"), "%s", h.out);
    cr_assert(strstr(h.out, "seed + P - 1"), "%s", h.out);
    cli_free(&h);
    cli_result s = cli_run(dir, "sweep", JAPAN, "--vary", "protocol.rounds=3,3,3",
                           "--vary-seed", "-s", "7", "-n", "300", NULL);
    cr_assert_eq(s.status, 0, "%s", s.err);
    for (int point = 1; point <= 3; point++) {
        char seed[8], prefix[16];
        snprintf(seed, sizeof seed, "%d", 7 + point - 1);
        snprintf(prefix, sizeof prefix, "\n%d,3,", point);
        cli_result r = cli_run(dir, "run", JAPAN, "--set", "protocol.rounds=3", "-s", seed,
                               "-n", "300", "--format", "csv", NULL);
        cr_assert_eq(r.status, 0, "%s", r.err);
        /* Every row of the run (after its header) is a row of the point. */
        for (const char *row = strchr(r.out, '\n') + 1; *row; row += strcspn(row, "\n") + 1) {
            char want[2048];
            snprintf(want, sizeof want, "%s%.*s\n", prefix, (int)strcspn(row, "\n"), row);
            cr_assert(strstr(s.out, want), "point %d is not seed %s: %s", point, seed, want);
        }
        cli_free(&r);
    }
    cli_free(&s);
}
