/*
 * cli_mpi.c - the processes of a run under an MPI launcher (SPEC §14): the
 * dealsim executable's side of procs.h (one process when built without MPI);
 * the library (dealsim_core) never calls MPI itself, so programs that
 * embed it need none.
 */
#include "procs.h"

#include "dealsim/error.h"

#ifdef DS_HAVE_MPI
#include <fcntl.h>
#include <mpi.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>



static int started, rank, size = 1;

static void go(uint64_t *w, size_t n);
static int send_sync(int dest, int tag, const void *buf, size_t len);
static void post(int dest, int tag, const void *buf, size_t len);
static int recv_one(int src, int tag, void **buf, size_t *cap, size_t *len, int *from,
                    int *got, int wait, int (*give_up)(void *ctx), void *ctx);

static ds_procs procs = {0, 1, go, send_sync, post, recv_one};

/* Launchers put the job's shape in the environment: Open MPI's mpirun,
 * PMIx and PMI (srun, MPICH's hydra). */
static int launched(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
                                       "PMI_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

int ds_mpi_start(void)
{
    int provided = 0;

    if (!launched())
        return DS_OK;
    if (MPI_Init_thread(NULL, NULL, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "dealsim: cannot start MPI\n");
        return DS_EINVAL;
    }
    started = 1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (size > 1 && provided < MPI_THREAD_MULTIPLE) {
        if (rank == 0)
            fprintf(stderr, "dealsim: this MPI library cannot be used from several "
                            "threads (MPI_THREAD_MULTIPLE), which dealsim needs\n");
        MPI_Finalize();
        started = 0;
        rank = 0;
        size = 1;
        return DS_EINVAL;
    }
    procs.rank = rank;
    procs.size = size;
    ds_procs_set(&procs);
    if (rank != 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            if (fd > STDERR_FILENO)
                close(fd);
        }
    }
    return DS_OK;
}


/* The broadcast before a run or at the end: m[0] is 1 (go, parameters in
 * m[1..]) or 2 (exit, status in m[1]). */
enum { GO = 1, EXIT = 2, GO_WORDS = 9 };

static void exit_with(int status)
{
    MPI_Finalize();
    exit(status);
}

static void go(uint64_t *w, size_t n)
{
    uint64_t m[GO_WORDS] = {0};
    if (n > GO_WORDS - 1)
        n = GO_WORDS - 1;
    if (rank == 0) {
        m[0] = GO;
        memcpy(m + 1, w, n * sizeof *w);
    }
    MPI_Bcast(m, GO_WORDS, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (m[0] == EXIT)
        exit_with((int)m[1]);
    memcpy(w, m + 1, n * sizeof *w);
}

/* Wait a little, longer the longer the wait has been. */
static void pause_for(unsigned *polls)
{
    struct timespec ts = {0, 0};
    unsigned n = (*polls)++;
    if (n < 64) {
        sched_yield();
        return;
    }
    ts.tv_nsec = n < 1000 ? 50000L : 1000000L;
    nanosleep(&ts, NULL);
}

static int send_sync(int dest, int tag, const void *buf, size_t len)
{
    MPI_Request rq;
    unsigned polls = 0;
    int flag = 0;

    if (len > (size_t)INT32_MAX)
        return DS_EINVAL;
    MPI_Issend(buf, (int)len, MPI_BYTE, dest, tag, MPI_COMM_WORLD, &rq);
    for (;;) {
        MPI_Test(&rq, &flag, MPI_STATUS_IGNORE);
        if (flag)
            return DS_OK;
        pause_for(&polls);
    }
}

static void post(int dest, int tag, const void *buf, size_t len)
{
    MPI_Send(buf, (int)len, MPI_BYTE, dest, tag, MPI_COMM_WORLD);
}

static int recv_one(int src, int tag, void **buf, size_t *cap, size_t *len, int *from,
                    int *got, int wait, int (*give_up)(void *ctx), void *ctx)
{
    MPI_Message msg;
    MPI_Status st;
    unsigned polls = 0;
    int flag = 0, count = 0;

    for (;;) {
        MPI_Improbe(src == DS_MPI_ANY ? MPI_ANY_SOURCE : src,
                    tag == DS_MPI_ANY ? MPI_ANY_TAG : tag, MPI_COMM_WORLD, &flag, &msg, &st);
        if (flag)
            break;
        if (!wait || (give_up && give_up(ctx)))
            return DS_EINTR;
        pause_for(&polls);
    }
    MPI_Get_count(&st, MPI_BYTE, &count);
    if ((size_t)count > *cap) {
        void *p = realloc(*buf, (size_t)count);
        if (!p) {
            /* Take it all the same, into nothing useful: the run fails. */
            char sink;
            MPI_Mrecv(&sink, 0, MPI_BYTE, &msg, MPI_STATUS_IGNORE);
            return DS_ENOMEM;
        }
        *buf = p;
        *cap = (size_t)count;
    }
    MPI_Mrecv(*buf, count, MPI_BYTE, &msg, MPI_STATUS_IGNORE);
    *len = (size_t)count;
    if (from)
        *from = st.MPI_SOURCE;
    if (got)
        *got = st.MPI_TAG;
    return DS_OK;
}

/* A run rank 0 started after this process ended its command: say so, and
 * wait for the run to end (run.c's protocol, from the other side). */
static void refuse_run(void)
{
    ds_mpi_end e;
    ds_mpi_ctrl c;
    void *buf = NULL;
    size_t cap = 0, len = 0;

    memset(&e, 0, sizeof e);
    e.kind = DS_MPI_END_FAILED;
    e.code = DS_EINVAL;
    snprintf(e.msg, sizeof e.msg,
             "process %d ended its command before this run: every process must be "
             "given the same command and files", rank);
    send_sync(0, DS_MPI_TAG_END, &e, sizeof e);
    for (;;) {
        if (recv_one(0, DS_MPI_TAG_CTRL, &buf, &cap, &len, NULL, NULL, 1, NULL, NULL) != DS_OK)
            break;
        memcpy(&c, buf, sizeof c < len ? sizeof c : len);
        if (c.what == DS_MPI_CTRL_DONE)
            break;
    }
    free(buf);
}

int ds_mpi_finish(int status)
{
    if (!started)
        return status;
    if (size > 1) {
        if (rank == 0) {
            uint64_t m[GO_WORDS] = {EXIT, (uint64_t)status};
            MPI_Bcast(m, GO_WORDS, MPI_UINT64_T, 0, MPI_COMM_WORLD);
        } else {
            for (;;) {
                uint64_t m[GO_WORDS] = {0};
                MPI_Bcast(m, GO_WORDS, MPI_UINT64_T, 0, MPI_COMM_WORLD);
                if (m[0] == EXIT) {
                    status = (int)m[1];
                    break;
                }
                refuse_run();
            }
        }
    }
    ds_procs_set(NULL);
    MPI_Finalize();
    started = 0;
    return status;
}

#else /* built without MPI: always one process */

int ds_mpi_start(void)
{
    return DS_OK;
}

int ds_mpi_finish(int status)
{
    return status;
}

#endif
