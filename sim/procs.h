/*
 * procs.h - the processes of one run under an MPI launcher (SPEC §14; private
 * to sim/).
 *
 * dealsim started by mpirun (or srun) is K processes, ranks 0..K-1, each
 * running the same command on the same files.  Rank 0 writes every file
 * and says every message; the others compute their share of each run
 * (run.c) and send it to rank 0.  Before each run rank 0 says "go" to all
 * (a broadcast), and when its command ends it says "exit S": every process
 * exits with rank 0's status S.
 *
 * Started without a launcher, or built without MPI, there is one process
 * of rank 0 and nothing here talks to anyone.
 */
#ifndef DEALSIM_PROCS_H
#define DEALSIM_PROCS_H

#include <stddef.h>
#include <stdint.h>

/* Message tags of a run (run.c).  A point's statistics carry
 * DS_MPI_TAG_POINT + (point mod DS_MPI_POINT_TAGS): points in flight are
 * fewer than that, so a tag names one point. */
enum {
    DS_MPI_TAG_END = 1,    /* a process's run is over: its status */
    DS_MPI_TAG_CTRL = 2,   /* rank 0 to the others: stop, limit, done */
    DS_MPI_TAG_ROWS = 3,   /* a block's per-draw rows */
    DS_MPI_TAG_POINT = 16
};
#define DS_MPI_POINT_TAGS 16384

/* What a process says at the end of its part of a run (DS_MPI_TAG_END). */
enum { DS_MPI_END_OK, DS_MPI_END_FAILED, DS_MPI_END_BAD, DS_MPI_END_STOPPED };
typedef struct ds_mpi_end {
    int32_t kind;          /* DS_MPI_END_... */
    int32_t code;          /* FAILED, BAD: the error's code */
    uint64_t task;         /* BAD: the first task with a bad value */
    char msg[1024];        /* FAILED, BAD: the error's message */
} ds_mpi_end;

/* What rank 0 tells the others during a run (DS_MPI_TAG_CTRL). */
enum { DS_MPI_CTRL_STOP, DS_MPI_CTRL_LIMIT, DS_MPI_CTRL_DONE };
typedef struct ds_mpi_ctrl {
    int32_t what;          /* DS_MPI_CTRL_... */
    int32_t pad;
    uint64_t task;         /* LIMIT: tasks after it are not needed */
} ds_mpi_ctrl;

/* Any source (ds_mpi_recv). */
#define DS_MPI_ANY (-1)

/* How the processes talk: set by the dealsim executable when it has
 * joined an MPI launcher's processes (cli_mpi.c); NULL, the default, is
 * one process. */
typedef struct ds_procs {
    int rank, size;
    void (*go)(uint64_t *w, size_t n);
    int (*send)(int dest, int tag, const void *buf, size_t len);
    void (*post)(int dest, int tag, const void *buf, size_t len);
    int (*recv)(int src, int tag, void **buf, size_t *cap, size_t *len, int *from,
                int *got, int wait, int (*give_up)(void *ctx), void *ctx);
} ds_procs;
void ds_procs_set(const ds_procs *p);

/* The executable's (cli_mpi.c, which has one-process stand-ins when built
 * without MPI).
 * Join the processes of the launcher that started dealsim, if one did
 * (its environment says so): every rank but 0 then sends its standard
 * output and error to /dev/null.  Returns DS_OK, or DS_EINVAL with a
 * message on stderr when MPI cannot start. */
int ds_mpi_start(void);

/* The rest is the library's (procs.c).
 * This process's rank, and the number of processes (1 without MPI). */
int ds_mpi_rank(void);
int ds_mpi_size(void);

/* The command ended with status: rank 0 tells the others, which wait for
 * it (answering any run rank 0 starts meanwhile with a failure, see
 * run.c).  Returns the status every process exits with: rank 0's. */
int ds_mpi_finish(int status);

/* Rank 0: send w[0..n) to every process, saying a run starts.  Other ranks:
 * wait for it into w[0..n); when rank 0 has ended its command instead,
 * this process exits with rank 0's status, here.  Call from the main
 * thread only. */
void ds_mpi_go(uint64_t *w, size_t n);

/* Send len bytes to dest with tag, and wait until dest has received them
 * (a synchronous send: memory stays bounded).  DS_OK, or DS_EINVAL when
 * len is beyond what one message carries. */
int ds_mpi_send(int dest, int tag, const void *buf, size_t len);

/* Send a message of a few bytes to dest with tag, without waiting for dest
 * to take it (small messages go out at once). */
void ds_mpi_post(int dest, int tag, const void *buf, size_t len);

/* Receive one message from src (or DS_MPI_ANY) with tag (or DS_MPI_ANY)
 * into *buf (grown as needed: *cap bytes), its size in *len, its source
 * and tag in *from and *got (either may be NULL).  While none has come,
 * give_up(ctx) is asked every little while: when it returns non-zero,
 * returns DS_EINTR with nothing received.  With wait 0, returns DS_EINTR
 * at once when no message is there.  DS_OK, DS_EINTR or DS_ENOMEM. */
int ds_mpi_recv(int src, int tag, void **buf, size_t *cap, size_t *len, int *from,
                int *got, int wait, int (*give_up)(void *ctx), void *ctx);

#endif /* DEALSIM_PROCS_H */
