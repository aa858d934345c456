/*
 * test_csv.c - the CSV reader's memory (at most 4 times the file's size;
 * a file of commas used to take 40 to 46 bytes per byte) and its cells,
 * which it keeps as one compacted text with a sparse index.
 */
#include <criterion/criterion.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dealsim/csv.h"

/* A field of /proc/self/status ("VmRSS", "VmHWM"), in KiB. */
static long status_kib(const char *key)
{
    char line[256];
    long v = -1;
    size_t n = strlen(key);
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && line[n] == ':')
            v = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return v;
}

/* Peak memory, in bytes, that reading `path` adds to a fresh child
 * process: its resident set's high-water mark, reset just before (Linux
 * clear_refs 5), minus its resident set then. */
static long read_peak(const char *path)
{
    int fd[2];
    long delta = -1;
    pid_t pid;
    int status;
    cr_assert_eq(pipe(fd), 0);
    pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        ds_csv *c = NULL;
        ds_error e;
        long base, peak, d = -1;
        FILE *cr = fopen("/proc/self/clear_refs", "w");
        if (cr && fputs("5", cr) >= 0 && fclose(cr) == 0) {
            base = status_kib("VmRSS");
            if (ds_csv_read(path, &c, &e) == DS_OK && ds_csv_cols(c) > 0) {
                peak = status_kib("VmHWM");
                d = base >= 0 && peak >= 0 ? (peak - base) * 1024 : -1;
            }
            ds_csv_free(c);
        }
        if (write(fd[1], &d, sizeof d) != (ssize_t)sizeof d)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    cr_assert_eq(read(fd[0], &delta, sizeof delta), (ssize_t)sizeof delta);
    close(fd[0]);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return delta;
}

/* 8 MiB of commas (one header row of 8 Mi + 1 empty names), and 8 MiB of
 * one-character rows: the reader's peak stays within 4 times the file. */
Test(csv, memory_within_four_times_the_file)
{
    const size_t size = (size_t)8 << 20;
    char path[] = "/tmp/dealsim_csv_XXXXXX";
    char *buf = malloc(size);
    cr_assert_not_null(buf);
    for (int kind = 0; kind < 2; kind++) {
        int fd = mkstemp(path);
        long peak;
        cr_assert_geq(fd, 0, "%s", strerror(errno));
        if (kind == 0)
            memset(buf, ',', size);
        else
            for (size_t i = 0; i < size; i++)
                buf[i] = i % 2 ? '\n' : 'x';
        cr_assert_eq(write(fd, buf, size), (ssize_t)size);
        close(fd);
        peak = read_peak(path);
        unlink(path);
        strcpy(path + strlen(path) - 6, "XXXXXX");
        cr_assert_gt(peak, 0, "the child could not measure (kind %d)", kind);
        /* At least the file itself, at most four times it. */
        cr_assert_geq(peak, (long)size * 9 / 10, "kind %d: %ld bytes", kind, peak);
        cr_assert_leq(peak, 4 * (long)size, "kind %d: %ld bytes for %zu", kind, peak, size);
    }
    free(buf);
}

/* Cells over many index strides, with quotes, escapes, CRLF, a BOM and
 * blank lines, each where it belongs. */
Test(csv, cells_across_the_index)
{
    char text[4096], want[64];
    size_t n = 0;
    ds_csv *c = NULL;
    ds_error e;
    n += (size_t)sprintf(text + n, "\xEF\xBB\xBF");
    for (int j = 0; j < 7; j++)
        n += (size_t)sprintf(text + n, "%sh%d", j ? "," : "", j);
    n += (size_t)sprintf(text + n, "\r\n\r\n");
    for (int i = 0; i < 9; i++) {
        for (int j = 0; j < 7; j++) {
            n += (size_t)sprintf(text + n, "%s", j ? "," : "");
            if ((i + j) % 3 == 0)
                n += (size_t)sprintf(text + n, "\"r%d \"\"c%d\"\"\"", i, j);
            else if ((i + j) % 3 == 1)
                n += (size_t)sprintf(text + n, "r%dc%d", i, j);
        }
        n += (size_t)sprintf(text + n, i % 2 ? "\n" : "\r\n\n");
    }
    cr_assert_eq(ds_csv_parse("t.csv", text, n - 1, &c, &e), DS_OK, "%s", e.msg);
    cr_assert_eq(ds_csv_cols(c), 7);
    cr_assert_eq(ds_csv_rows(c), 9);
    for (int j = 0; j < 7; j++) {
        sprintf(want, "h%d", j);
        cr_assert_str_eq(ds_csv_name(c, (size_t)j), want);
        cr_assert_eq(ds_csv_find(c, want), j);
    }
    cr_assert_eq(ds_csv_find(c, "h7"), -1);
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 7; j++) {
            if ((i + j) % 3 == 0)
                sprintf(want, "r%d \"c%d\"", i, j);
            else if ((i + j) % 3 == 1)
                sprintf(want, "r%dc%d", i, j);
            else
                want[0] = '\0';
            cr_assert_str_eq(ds_csv_cell(c, (size_t)i, (size_t)j), want, "row %d col %d", i,
                             j);
        }
    cr_assert_eq(ds_csv_header_line(c), 1);
    cr_assert_eq(ds_csv_line(c, 0), 3);
    cr_assert_eq(ds_csv_line(c, 1), 5);
    cr_assert_eq(ds_csv_line(c, 2), 6);
    ds_csv_free(c);
}

/* The input given to ds_csv_parse is left as it was. */
Test(csv, parse_does_not_touch_its_input)
{
    const char text[] = "a,\"b\"\"\",c\n1,2,3";
    char copy[sizeof text];
    ds_csv *c = NULL;
    ds_error e;
    memcpy(copy, text, sizeof text);
    cr_assert_eq(ds_csv_parse("t.csv", copy, sizeof text - 1, &c, &e), DS_OK);
    cr_assert(memcmp(copy, text, sizeof text) == 0);
    cr_assert_str_eq(ds_csv_name(c, 1), "b\"");
    cr_assert_str_eq(ds_csv_cell(c, 0, 2), "3");
    ds_csv_free(c);
}

/* The line of every row, over many records, after long runs of blank
 * lines and fields of many lines (the reader keeps lines as one-byte steps
 * with the rare long steps apart). */
Test(csv, lines_of_every_row)
{
    char *text = NULL;
    size_t len = 0, line = 1, want[400];
    FILE *f = open_memstream(&text, &len);
    ds_csv *c = NULL;
    ds_error e;
    cr_assert_not_null(f);
    for (int k = 0; k < 300; k++, line++)
        fputc('\n', f);
    fputs("a,b\n", f);
    want[0] = line++;
    for (size_t r = 1; r < 400; r++) {
        size_t blank = r % 97 == 0 ? 256 + r : r % 13 == 0 ? 3 : 0;
        for (size_t k = 0; k < blank; k++, line++)
            fputc('\n', f);
        want[r] = line;
        if (r % 101 == 0) {            /* a field of 300 lines */
            fputs("\"x", f);
            for (int k = 0; k < 299; k++, line++)
                fputs("\ny", f);
            fputs("\",1\n", f);
        } else {
            fprintf(f, "%zu,%zu\n", r, r * 2);
        }
        line++;
    }
    fclose(f);
    cr_assert_eq(ds_csv_parse("t.csv", text, len, &c, &e), DS_OK, "%s", e.msg);
    cr_assert_eq(ds_csv_rows(c), 399);
    cr_assert_eq(ds_csv_header_line(c), want[0]);
    for (size_t r = 1; r < 400; r++)
        cr_assert_eq(ds_csv_line(c, r - 1), want[r], "row %zu: line %zu, want %zu", r,
                     ds_csv_line(c, r - 1), want[r]);
    cr_assert_str_eq(ds_csv_cell(c, 398, 1), "798");
    ds_csv_free(c);
    free(text);
}
