/*
 * main.c - the dealsim executable: everything is in cli.c; under an MPI
 * launcher, every process runs it and exits with rank 0's status (procs.h).
 */
#include "cli.h"
#include "procs.h"

int main(int argc, char **argv)
{
    if (ds_mpi_start() != 0)
        return DS_EXIT_RUNTIME;
    return ds_mpi_finish(ds_cli_main(argc, argv));
}
