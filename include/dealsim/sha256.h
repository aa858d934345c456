/*
 * sha256.h - SHA-256 (FIPS 180-4), for the scenario digest in run metadata.
 */
#ifndef DEALSIM_SHA256_H
#define DEALSIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Write the lowercase hex SHA-256 of data[0..len) and a NUL to hex[65].
 * Can't fail. */
void ds_sha256_hex(const void *data, size_t len, char hex[65]);

#endif /* DEALSIM_SHA256_H */
