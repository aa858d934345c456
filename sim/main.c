/*
 * main.c - the dealsim executable: everything is in cli.c.
 */
#include "cli.h"

int main(int argc, char **argv)
{
    return ds_cli_main(argc, argv);
}
