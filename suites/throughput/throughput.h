/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What throughput.c shares with its helper files: the device under load
 * (device.c) and fio, run a job per sample (fio.c).
 */
#ifndef IOG_THROUGHPUT_H
#define IOG_THROUGHPUT_H

#include <stdbool.h>
#include <stddef.h>

#define NTYPES 3
#define MAX_ROUNDS 20

/* identity, DMA-FQ, DMA: the default-domain types, in ratio order. */
extern const char *const tp_types[NTYPES];

struct tp_dev {
	char bdf[32];
	char driver[64];
	long group;
};

/* device.c */
int find_dev(struct tp_dev *dev, char *why, size_t len);
bool blockdev_ready(const struct tp_dev *dev, char *out, size_t len);
int set_type(const struct tp_dev *dev, const char *type, char *blk,
	     size_t blklen, char *why, size_t len);

/* Where the prerun keeps the namespace the jobs read: see main(). */
#define BLK_LINK "/tmp/iog-throughput.blk"
int point_link(const char *blk);

/* fio.c: a growing argument vector for fio. */
struct fio_argv {
	char *v[1024];
	int n;
};

/* One job's line of fio's terse output. */
struct fio_job {
	char name[48];
	char error[16]; /* its error code, "0" for none */
	double kib_s; /* read bandwidth */
	double peak; /* read bandwidth of its best 250 ms interval */
	double runtime_s; /* its read time */
};

/* What one fio run left: its jobs' lines and its other output. */
struct fio_run {
	struct fio_job job[3 * MAX_ROUNDS * NTYPES];
	int njobs;
	char msg[1024]; /* fio's own messages, lines joined by '|' */
	char dir[64]; /* fio's working directory: the prerun outputs */
	double end; /* when fio exited (td_now()) */
};

const char *fio_path(void);
void fio_argv_free(struct fio_argv *a);
const struct fio_job *fio_job(const struct fio_run *run, const char *name);
int fio_prerun(const struct fio_run *run, const char *name, double *start,
	       double *end, char *why, size_t len);
int run_fio(struct fio_argv *a, struct fio_run *run, char *why, size_t len);
void fio_run_clean(const struct fio_run *run);
void fio_switch_job(struct fio_argv *a, const struct tp_dev *dev,
		    const char *prefix, const char *type);
void fio_load_job(struct fio_argv *a, double secs);
void verify_jobs(struct fio_argv *a, const struct tp_dev *dev);

#endif
