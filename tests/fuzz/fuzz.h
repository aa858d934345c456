/*
 * fuzz.h - what every fuzz target in tests/fuzz/ shares: the libFuzzer entry
 * point and the way a target reports a broken property.
 *
 * A target is one function, LLVMFuzzerTestOneInput, that feeds one input to
 * one parser and checks what must hold whatever the input.  It is built two
 * ways from the same source: with clang and -fsanitize=fuzzer as a libFuzzer
 * campaign (tools/fuzz.sh), and with replay.c as a plain program that feeds
 * it every file of its committed corpus, which the normal test suite runs
 * under its sanitizers.  A broken property aborts, like a sanitizer report,
 * so both ways see it as a crash and keep the input.
 */
#ifndef DS_FUZZ_H
#define DS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stop with a message when a property does not hold. */
#define FUZZ_CHECK(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: property failed: %s: ", __FILE__,          \
                    __LINE__, #cond);                                          \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* 1 if s is terminal-safe as ds_text_escape leaves text: no C0 control, no
 * DEL, no C1 control (U+0080-U+009F), and well-formed UTF-8. */
static inline int fuzz_text_safe(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (*u < 0x20 || *u == 0x7F)
            return 0;
        if (*u < 0x80) {
            u++;
            continue;
        }
        if (*u >= 0xC2 && *u <= 0xDF)
            len = 2;
        else if (*u >= 0xE0 && *u <= 0xEF)
            len = 3;
        else if (*u >= 0xF0 && *u <= 0xF4)
            len = 4;
        else
            return 0;
        if (*u == 0xC2)
            lo = 0xA0; /* C2 80..C2 9F are the C1 controls */
        else if (*u == 0xE0)
            lo = 0xA0;
        else if (*u == 0xED)
            hi = 0x9F;
        else if (*u == 0xF0)
            lo = 0x90;
        else if (*u == 0xF4)
            hi = 0x8F;
        if (u[1] < lo || u[1] > hi)
            return 0;
        for (size_t k = 2; k < len; k++)
            if ((u[k] & 0xC0) != 0x80)
                return 0;
        u += len;
    }
    return 1;
}

/* A NUL-terminated copy of data[0..size) (caller frees).  Bytes after an
 * embedded NUL are then invisible, as they would be in argv. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        abort();
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

#endif
