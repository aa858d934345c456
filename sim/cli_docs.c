/*
 * cli_docs.c - the documents generated from the command and option tables
 * of cli_opts.c: the help texts, the man pages (roff) and the bash and zsh
 * completion scripts.  Nothing here names an option: every line comes from
 * a table row, so the documents can't drift from the parser.
 */
#include "cli_opts.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define WIDTH 78     /* longest help line */
#define OPT_COL 24   /* where an option's help starts */

/* 1 if command c takes option o (dealsim itself and -h are listed apart). */
static int takes(const ds_cli_cmd *c, const ds_cli_opt *o)
{
    return (o->cmds & c->bit) != 0;
}

/* The value's name of option o: its `arg`, or "a|b|c" for an enum. */
static void arg_text(const ds_cli_opt *o, char *b, size_t n)
{
    size_t k = 0;
    b[0] = '\0';
    if (o->kind != DS_CLI_ENUM || o->arg) {
        snprintf(b, n, "%s", o->arg ? o->arg : "");
        return;
    }
    for (size_t i = 0; o->values[i]; i++)
        k += (size_t)snprintf(b + k, k < n ? n - k : 0, "%s%s", i ? "|" : "",
                              o->values[i]);
}

/* The full help of an option: its sentence, then what the table says. */
static void help_text(const ds_cli_opt *o, char *b, size_t n)
{
    size_t k = (size_t)snprintf(b, n, "%s", o->help);
    if (o->kind == DS_CLI_LIST && k < n)
        k += (size_t)snprintf(b + k, n - k, " (repeatable)");
    if (o->dflt && k < n)
        snprintf(b + k, n - k, " (default: %s)", o->dflt);
}

/* Write text word by word from column col, wrapping at WIDTH to `indent`. */
static void wrap(FILE *f, size_t col, size_t indent, const char *text)
{
    const char *p = text;
    int first = 1;
    while (*p) {
        size_t len = strcspn(p, " ");
        if (!first && col + 1 + len > WIDTH) {
            fprintf(f, "\n%*s", (int)indent, "");
            col = indent;
        } else if (!first) {
            fputc(' ', f);
            col++;
        }
        fwrite(p, 1, len, f);
        col += len;
        first = 0;
        p += len;
        while (*p == ' ')
            p++;
    }
    fputc('\n', f);
}

/* "usage: dealsim NAME USAGE [options]", one per usage line. */
static void usage_lines(FILE *f, const ds_cli_cmd *c)
{
    const char *u = c->usage;
    int first = 1;
    do {
        size_t len = strcspn(u, "\n");
        fprintf(f, "%s dealsim%s%s%s%.*s%s\n", first ? "usage:" : "      ",
                c->name ? " " : "", c->name ? c->name : "", len ? " " : "",
                (int)len, u, c->name ? " [options]" : "");
        first = 0;
        u += len;
        if (*u == '\n')
            u++;
    } while (*u);
}

static void help_options(FILE *f, const ds_cli_cmd *c)
{
    fputs("\noptions:\n", f);
    for (size_t i = 0; i < ds_cli_n_options; i++) {
        const ds_cli_opt *o = &ds_cli_options[i];
        char label[96], arg[64], help[512];
        int len;
        if (!takes(c, o))
            continue;
        arg_text(o, arg, sizeof arg);
        if (o->shrt)
            len = snprintf(label, sizeof label, "  -%c, --%s%s%s", o->shrt, o->lng,
                           *arg ? " " : "", arg);
        else
            len = snprintf(label, sizeof label, "      --%s%s%s", o->lng, *arg ? " " : "",
                           arg);
        help_text(o, help, sizeof help);
        fputs(label, f);
        if (len + 1 >= OPT_COL) {
            fprintf(f, "\n%*s", OPT_COL, "");
        } else {
            fprintf(f, "%*s", OPT_COL - len, "");
        }
        wrap(f, OPT_COL, OPT_COL, help);
    }
}

static void help_commands(FILE *f)
{
    fputs("\ncommands:\n", f);
    for (size_t i = 1; i < ds_cli_n_commands; i++) {
        const ds_cli_cmd *c = &ds_cli_commands[i];
        int len = fprintf(f, "  %s%s%.*s", c->name, *c->usage ? " " : "",
                          (int)strcspn(c->usage, "\n"), c->usage);
        if (len + 1 >= OPT_COL)
            fprintf(f, "\n%*s", OPT_COL, "");
        else
            fprintf(f, "%*s", OPT_COL - len, "");
        wrap(f, OPT_COL, OPT_COL, c->summary);
    }
}

/* Paragraph text (cli_opts.h) is already laid out for the terminal. */
static void help_examples(FILE *f, const char *ex)
{
    fputs("\nexamples:\n", f);
    while (*ex) {
        size_t len = strcspn(ex, "\n");
        fprintf(f, "  %.*s\n", (int)len, ex);
        ex += len + (ex[len] == '\n');
    }
}

int ds_cli_write_help(FILE *f, const ds_cli_cmd *c)
{
    usage_lines(f, c);
    fprintf(f, "\n%s", c->description);
    if (!c->name)
        help_commands(f);
    help_options(f, c);
    if (c->notes)
        fprintf(f, "\n%s", c->notes);
    if (!c->name) {
        char text[512];
        size_t k = (size_t)snprintf(text, sizeof text, "exit status:");
        for (size_t i = 0; i < ds_cli_n_exits && k < sizeof text; i++)
            k += (size_t)snprintf(text + k, sizeof text - k, " %d %s%s",
                                  ds_cli_exits[i].status, ds_cli_exits[i].meaning,
                                  i + 1 < ds_cli_n_exits ? "," : ".");
        fputc('\n', f);
        wrap(f, 0, 0, text);
    }
    if (c->examples)
        help_examples(f, c->examples);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* ---- man pages ---------------------------------------------------------- */

/* Text for roff: backslashes, minus signs and a leading dot or quote
 * escaped; `x` in bold when `marks`. */
static void roff(FILE *f, const char *s, size_t len, int marks)
{
    int bold = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (i == 0 && (ch == '.' || ch == '\''))
            fputs("\\&", f);
        if (ch == '\\')
            fputs("\\e", f);
        else if (ch == '-')
            fputs("\\-", f);
        else if (ch == '`' && marks) {
            fputs(bold ? "\\fR" : "\\fB", f);
            bold = !bold;
        } else
            fputc(ch, f);
    }
    if (bold)
        fputs("\\fR", f);
}

static void roff_str(FILE *f, const char *s)
{
    roff(f, s, strlen(s), 1);
}

/* Paragraph text (cli_opts.h) as roff: paragraphs and literal blocks. */
static void man_text(FILE *f, const char *t)
{
    int lit = 0;
    while (*t) {
        size_t len = strcspn(t, "\n");
        int is_lit = len >= 2 && t[0] == ' ' && t[1] == ' ';
        if (is_lit && !lit)
            fputs(".RS 2\n.nf\n", f);
        else if (!is_lit && lit)
            fputs(".fi\n.RE\n", f);
        lit = is_lit;
        if (len == 0) {
            fputs(".PP\n", f);
        } else if (is_lit) {
            roff(f, t + 2, len - 2, 0);
            fputc('\n', f);
        } else {
            roff(f, t, len, 1);
            fputc('\n', f);
        }
        t += len + (t[len] == '\n');
    }
    if (lit)
        fputs(".fi\n.RE\n", f);
}

static void man_page_name(FILE *f, const ds_cli_cmd *c)
{
    fputs("dealsim", f);
    if (c->name) {
        fputs("\\-", f);
        roff_str(f, c->name);
    }
}

int ds_cli_write_man(FILE *f, const ds_cli_cmd *c)
{
    const char *u = c->usage;

    /* .TH title section date source manual; no date, so the pages are the
     * same on every build. */
    fputs(".TH ", f);
    fputs("DEALSIM", f);
    if (c->name) {
        fputs("\\-", f);
        for (const char *p = c->name; *p; p++)
            fputc(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p, f);
    }
    fprintf(f, " 1 \"\" \"dealsim %s\" \"dealsim manual\"\n", DS_VERSION);
    fputs(".nh\n", f); /* no hyphens inside option names and paths */
    fputs(".SH NAME\n", f);
    man_page_name(f, c);
    fputs(" \\- ", f);
    roff_str(f, c->summary);
    fputs("\n.SH SYNOPSIS\n", f);
    do {
        size_t len = strcspn(u, "\n");
        fputs(".B dealsim", f);
        if (c->name) {
            fputc(' ', f);
            roff_str(f, c->name);
        }
        fputc('\n', f);
        roff(f, u, len, 0);
        fputs(c->name ? " [options]\n" : "\n", f);
        u += len + (u[len] == '\n');
        if (*u)
            fputs(".br\n", f);
    } while (*u);
    fputs(".SH DESCRIPTION\n", f);
    man_text(f, c->description);
    if (!c->name) {
        fputs(".SH COMMANDS\n", f);
        for (size_t i = 1; i < ds_cli_n_commands; i++) {
            const ds_cli_cmd *k = &ds_cli_commands[i];
            size_t len = strcspn(k->usage, "\n");
            fputs(".TP\n\\fBdealsim ", f);
            roff_str(f, k->name);
            fputs("\\fR", f);
            if (len) {
                fputc(' ', f);
                roff(f, k->usage, len, 0);
            }
            fputc('\n', f);
            roff_str(f, k->summary);
            fputs("; see\n.BR dealsim\\-", f);
            roff_str(f, k->name);
            fputs(" (1).\n", f);
        }
    }
    fputs(".SH OPTIONS\n", f);
    for (size_t i = 0; i < ds_cli_n_options; i++) {
        const ds_cli_opt *o = &ds_cli_options[i];
        char arg[64], help[512];
        if (!takes(c, o))
            continue;
        arg_text(o, arg, sizeof arg);
        help_text(o, help, sizeof help);
        fputs(".TP\n", f);
        if (o->shrt)
            fprintf(f, "\\fB\\-%c\\fR, ", o->shrt);
        fputs("\\fB\\-\\-", f);
        roff_str(f, o->lng);
        fputs("\\fR", f);
        if (*arg) {
            fputs(" \\fI", f);
            roff(f, arg, strlen(arg), 0);
            fputs("\\fR", f);
        }
        fputc('\n', f);
        roff_str(f, help);
        fputc('\n', f);
    }
    if (c->notes) {
        fputs(".SH NOTES\n", f);
        man_text(f, c->notes);
    }
    if (c->examples) {
        const char *ex = c->examples;
        fputs(".SH EXAMPLES\n.nf\n", f);
        while (*ex) {
            size_t len = strcspn(ex, "\n");
            roff(f, ex, len, 0);
            fputc('\n', f);
            ex += len + (ex[len] == '\n');
        }
        fputs(".fi\n", f);
    }
    fputs(".SH EXIT STATUS\n", f);
    for (size_t i = 0; i < ds_cli_n_exits; i++) {
        fprintf(f, ".TP\n.B %d\n", ds_cli_exits[i].status);
        roff_str(f, ds_cli_exits[i].meaning);
        fputc('\n', f);
    }
    fputs(".SH SEE ALSO\n", f);
    {
        int first = 1;
        for (size_t i = 0; i < ds_cli_n_commands; i++) {
            const ds_cli_cmd *k = &ds_cli_commands[i];
            if (k == c)
                continue;
            if (!first)
                fputs(",\n", f);
            fputs(".BR ", f);
            man_page_name(f, k);
            fputs(" (1)", f);
            first = 0;
        }
        fputs(",\n.BR dealsim\\-scenario (5)", f);
        fputc('\n', f);
    }
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* ---- completions -------------------------------------------------------- */

/* The operand names of a command, e.g. "SCENARIO" or "A.csv": the words
 * of its first usage line before the first option, without [] and "...". */
static size_t operand_word(const char **u, char *b, size_t n)
{
    const char *p = *u;
    size_t k = 0;
    while (*p == ' ')
        p++;
    if (!*p || *p == '\n' || *p == '-') {
        *u = p;
        return 0;
    }
    while (*p && *p != ' ' && *p != '\n') {
        if (*p != '[' && *p != ']' && *p != '.' && k + 1 < n)
            b[k++] = *p;
        else if (*p == '.' && p[1] != '.' && p[-1] != '.' && k + 1 < n)
            b[k++] = *p; /* "A.csv" keeps its dot, "..." goes */
        p++;
    }
    b[k] = '\0';
    *u = p;
    return k;
}

/* Shell words "-n --draws" of the options of c that match `want`. */
typedef int (*opt_filter)(const ds_cli_opt *o);

static int takes_value(const ds_cli_opt *o)
{
    return o->kind != DS_CLI_FLAG;
}

static int is_file(const ds_cli_opt *o)
{
    return o->kind == DS_CLI_FILE;
}

static int is_free_value(const ds_cli_opt *o)
{
    return o->kind != DS_CLI_FLAG && o->kind != DS_CLI_FILE && o->kind != DS_CLI_ENUM;
}

static int any(const ds_cli_opt *o)
{
    (void)o;
    return 1;
}

/* Write the options of c passing `want`, as "-n|--draws" (sep "|") or
 * "-n --draws" (sep " ").  Returns how many were written. */
static size_t option_words(FILE *f, const ds_cli_cmd *c, opt_filter want, const char *sep)
{
    size_t n = 0;
    for (size_t i = 0; i < ds_cli_n_options; i++) {
        const ds_cli_opt *o = &ds_cli_options[i];
        if (!takes(c, o) || !want(o))
            continue;
        if (o->shrt)
            fprintf(f, "%s-%c", n++ ? sep : "", o->shrt);
        fprintf(f, "%s--%s", n++ ? sep : "", o->lng);
    }
    return n;
}

static void bash_command_names(FILE *f)
{
    for (size_t i = 1; i < ds_cli_n_commands; i++)
        fprintf(f, "%s%s", i > 1 ? " " : "", ds_cli_commands[i].name);
}

static void bash_case(FILE *f, const ds_cli_cmd *c)
{
    fprintf(f, "    %s)\n", c->name ? c->name : "''");
    if (c->name) {
        fputs("        case $prev in\n", f);
        fputs("        ", f);
        if (option_words(f, c, is_free_value, "|"))
            fputs(") return 0 ;;\n        ", f);
        if (option_words(f, c, is_file, "|"))
            fputs(") _dealsim_files; return 0 ;;\n        ", f);
        for (size_t i = 0; i < ds_cli_n_options; i++) {
            const ds_cli_opt *o = &ds_cli_options[i];
            if (!takes(c, o) || o->kind != DS_CLI_ENUM)
                continue;
            if (o->shrt)
                fprintf(f, "-%c|", o->shrt);
            fprintf(f, "--%s) COMPREPLY=($(compgen -W '", o->lng);
            for (size_t k = 0; o->values[k]; k++)
                fprintf(f, "%s%s", k ? " " : "", o->values[k]);
            fputs("' -- \"$cur\")); return 0 ;;\n        ", f);
        }
        fputs("esac\n", f);
    }
    fputs("        if [[ $cur == -* ]]; then\n"
          "            COMPREPLY=($(compgen -W '", f);
    option_words(f, c, any, " ");
    fputs("' -- \"$cur\"))\n", f);
    switch (c->operand) {
    case DS_OPERAND_FILE:
        fputs("        else\n            _dealsim_files\n", f);
        break;
    case DS_OPERAND_COMMAND:
        fputs("        else\n            COMPREPLY=($(compgen -W '", f);
        bash_command_names(f);
        fputs("' -- \"$cur\"))\n", f);
        break;
    case DS_OPERAND_NONE:
        break;
    }
    fputs("        fi\n        ;;\n", f);
}

int ds_cli_write_bash(FILE *f)
{
    fputs("# bash completion for dealsim(1).\n"
          "# Generated by `dealsim help --completion bash`; do not edit.\n"
          "\n"
          "_dealsim_files()\n"
          "{\n"
          "    compopt -o filenames 2>/dev/null\n"
          "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
          "}\n"
          "\n"
          "_dealsim()\n"
          "{\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= i\n"
          "    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    COMPREPLY=()\n"
          "    # The command is the first word that is not an option.\n"
          "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
          "        if [[ ${COMP_WORDS[i]} != -* ]]; then\n"
          "            cmd=${COMP_WORDS[i]}\n"
          "            break\n"
          "        fi\n"
          "    done\n"
          "    # --opt=value: bash splits the word at '='.\n"
          "    if [[ $cur == = ]]; then\n"
          "        cur=\n"
          "    elif [[ $prev == = ]] && ((COMP_CWORD >= 2)); then\n"
          "        prev=${COMP_WORDS[COMP_CWORD-2]}\n"
          "    fi\n"
          "    case $cmd in\n", f);
    for (size_t i = 0; i < ds_cli_n_commands; i++)
        bash_case(f, &ds_cli_commands[i]);
    fputs("    esac\n"
          "    return 0\n"
          "}\n"
          "complete -F _dealsim dealsim\n", f);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

/* Text inside a single-quoted zsh word and an _arguments [description]. */
static void zsh_desc(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", f);
        else if (*s == '[' || *s == ']' || *s == ':' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else
            fputc(*s, f);
    }
}

static void zsh_action(FILE *f, const ds_cli_opt *o)
{
    char arg[64];
    arg_text(o, arg, sizeof arg);
    fputc(':', f);
    zsh_desc(f, arg);
    fputc(':', f);
    if (o->kind == DS_CLI_FILE)
        fputs("_files", f);
    else if (o->kind == DS_CLI_ENUM) {
        fputc('(', f);
        for (size_t k = 0; o->values[k]; k++)
            fprintf(f, "%s%s", k ? " " : "", o->values[k]);
        fputc(')', f);
    } else
        fputs(" ", f);
}

static void zsh_function(FILE *f, const ds_cli_cmd *c)
{
    const char *u = c->usage;
    char word[64];

    fprintf(f, "_dealsim_%s() {\n  _arguments -S", c->name ? c->name : "main");
    for (size_t i = 0; i < ds_cli_n_options; i++) {
        const ds_cli_opt *o = &ds_cli_options[i];
        if (!takes(c, o))
            continue;
        fputs(" \\\n    '", f);
        if (o->kind == DS_CLI_LIST)
            fputc('*', f);
        else if (o->field == offsetof(ds_cli_args, help))
            fputs("(- *)", f);
        else if (o->shrt)
            fprintf(f, "(-%c --%s)", o->shrt, o->lng);
        if (o->shrt)
            fprintf(f, "'{-%c%s,--%s%s}'", o->shrt, takes_value(o) ? "+" : "", o->lng,
                    takes_value(o) ? "=" : "");
        else
            fprintf(f, "--%s%s", o->lng, takes_value(o) ? "=" : "");
        fputc('[', f);
        zsh_desc(f, o->help);
        fputc(']', f);
        if (takes_value(o))
            zsh_action(f, o);
        fputc('\'', f);
    }
    if (c->name && c->operand != DS_OPERAND_NONE) {
        const char *action = c->operand == DS_OPERAND_FILE ? "_files" : NULL;
        size_t nwords = 0;
        while (operand_word(&u, word, sizeof word)) {
            fputs(" \\\n    '", f);
            if (c->max_operands == SIZE_MAX)
                fputc('*', f);
            else if (nwords >= c->min_operands)
                fputc(':', f);
            fputc(':', f);
            zsh_desc(f, word);
            fputc(':', f);
            if (action) {
                fputs(action, f);
            } else {
                fputc('(', f);
                for (size_t i = 1; i < ds_cli_n_commands; i++)
                    fprintf(f, "%s%s", i > 1 ? " " : "", ds_cli_commands[i].name);
                fputc(')', f);
            }
            fputc('\'', f);
            nwords++;
        }
    }
    fputs("\n}\n\n", f);
}

int ds_cli_write_zsh(FILE *f)
{
    fputs("#compdef dealsim\n"
          "# zsh completion for dealsim(1).\n"
          "# Generated by `dealsim help --completion zsh`; do not edit.\n\n", f);
    for (size_t i = 1; i < ds_cli_n_commands; i++)
        zsh_function(f, &ds_cli_commands[i]);
    fputs("_dealsim() {\n"
          "  local curcontext=$curcontext state line ret=1\n"
          "  local -a commands\n"
          "  _arguments -C", f);
    for (size_t i = 0; i < ds_cli_n_options; i++) {
        const ds_cli_opt *o = &ds_cli_options[i];
        if (!takes(&ds_cli_commands[0], o))
            continue;
        fprintf(f, " \\\n    '(- *)'{-%c,--%s}'[", o->shrt, o->lng);
        zsh_desc(f, o->help);
        fputs("]'", f);
    }
    fputs(" \\\n    '1:command:->command' \\\n"
          "    '*::argument:->argument' && ret=0\n"
          "  case $state in\n"
          "  command)\n"
          "    commands=(", f);
    for (size_t i = 1; i < ds_cli_n_commands; i++) {
        fprintf(f, "\n      '%s:", ds_cli_commands[i].name);
        zsh_desc(f, ds_cli_commands[i].summary);
        fputc('\'', f);
    }
    fputs("\n    )\n"
          "    _describe -t commands 'dealsim command' commands && ret=0\n"
          "    ;;\n"
          "  argument)\n"
          "    curcontext=${curcontext%:*:*}:dealsim-$words[1]:\n"
          "    case $words[1] in\n", f);
    for (size_t i = 1; i < ds_cli_n_commands; i++)
        fprintf(f, "    %s) _dealsim_%s && ret=0 ;;\n", ds_cli_commands[i].name,
                ds_cli_commands[i].name);
    fputs("    esac\n"
          "    ;;\n"
          "  esac\n"
          "  return ret\n"
          "}\n"
          "\n"
          "_dealsim \"$@\"\n", f);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
