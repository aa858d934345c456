/*
 * test_sha256.c - SHA-256 against the FIPS 180-4 examples and sha256sum.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "dealsim/sha256.h"

Test(sha256, fips_examples)
{
    char h[65];
    ds_sha256_hex("", 0, h);
    cr_assert_str_eq(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    ds_sha256_hex("abc", 3, h);
    cr_assert_str_eq(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    ds_sha256_hex(two, strlen(two), h);
    cr_assert_str_eq(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* Lengths around the padding boundary (55, 56, 64, 65 bytes of 'a'), as
 * printed by coreutils sha256sum. */
Test(sha256, padding_boundaries)
{
    char buf[65], h[65];
    memset(buf, 'a', sizeof buf);
    ds_sha256_hex(buf, 55, h);
    cr_assert_str_eq(h, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
    ds_sha256_hex(buf, 56, h);
    cr_assert_str_eq(h, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
    ds_sha256_hex(buf, 64, h);
    cr_assert_str_eq(h, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    ds_sha256_hex(buf, 65, h);
    cr_assert_str_eq(h, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0");
}
