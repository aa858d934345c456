# Turn a file into a C translation unit defining ds_builtin_scenario[] (a
# NUL-terminated copy of the bytes) and ds_builtin_scenario_len.
# Usage: cmake -DIN=file.json -DOUT=file.c -P embed.cmake
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" body "${body}")
file(WRITE "${OUT}.tmp"
"/* Generated from ${IN} at build time. Do not edit. */\n"
"#include <stddef.h>\n"
"const char ds_builtin_scenario[] = {\n${body}0x00};\n"
"const size_t ds_builtin_scenario_len = ${len};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
