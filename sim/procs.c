/*
 * procs.c - the processes of a run (see procs.h): one, unless the dealsim
 * executable has joined an MPI launcher's (cli_mpi.c).
 */
#include "procs.h"

#include <stddef.h>

static const ds_procs *cur;

void ds_procs_set(const ds_procs *p)
{
    cur = p;
}

int ds_mpi_rank(void)
{
    return cur ? cur->rank : 0;
}

int ds_mpi_size(void)
{
    return cur ? cur->size : 1;
}

/* The rest is called only with several processes, when cur is set. */
void ds_mpi_go(uint64_t *w, size_t n)
{
    cur->go(w, n);
}

int ds_mpi_send(int dest, int tag, const void *buf, size_t len)
{
    return cur->send(dest, tag, buf, len);
}

void ds_mpi_post(int dest, int tag, const void *buf, size_t len)
{
    cur->post(dest, tag, buf, len);
}

int ds_mpi_recv(int src, int tag, void **buf, size_t *cap, size_t *len, int *from,
                int *got, int wait, int (*give_up)(void *ctx), void *ctx)
{
    return cur->recv(src, tag, buf, cap, len, from, got, wait, give_up, ctx);
}
