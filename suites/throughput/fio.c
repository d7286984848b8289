// SPDX-License-Identifier: GPL-2.0-only
/*
 * fio runs every sample of a test in one process, a job per sample, each
 * job switching the type first through exec_prerun: under TCG a start of
 * Debian's fio (some 60 shared libraries to load and relocate) costs about
 * 0.7 s, more than half of a 1 s sample.  The prerun runs this program
 * again (--set-type, see main()), which switches the type and points LINK
 * at the namespace the rebound driver made; fio opens its file when the
 * job's I/O starts, after the prerun.
 */

#include "ksft_helpers.h"

#include <math.h>
#include <stdarg.h>
#include <sys/wait.h>

#include "teardown_util.h"
#include "throughput.h"

const char *fio_path(void)
{
	const char *f = getenv("IOG_FIO");

	return f && *f ? f : "fio";
}

static void fio_arg(struct fio_argv *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fio_arg(struct fio_argv *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (a->n < (int)(sizeof(a->v) / sizeof(a->v[0])) - 1 &&
	    vasprintf(&a->v[a->n], fmt, ap) >= 0)
		a->n++;
	va_end(ap);
	a->v[a->n] = NULL;
}

void fio_argv_free(struct fio_argv *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->v[i]);
	a->n = 0;
}

/* The job named name in run, NULL if fio printed no line for it. */
const struct fio_job *fio_job(const struct fio_run *run, const char *name)
{
	for (int i = 0; i < run->njobs; i++)
		if (!strcmp(run->job[i].name, name))
			return &run->job[i];
	return NULL;
}

/*
 * Job name's prerun: 0 if it set the type, with the monotonic times (s)
 * it started and ended; else -1 and the reason in why.
 */
int fio_prerun(const struct fio_run *run, const char *name, double *start,
	       double *end, char *why, size_t len)
{
	char p[PATH_MAX], buf[512] = "";

	snprintf(p, sizeof(p), "%s/%s.prerun.txt", run->dir, name);
	if (td_read(p, buf, sizeof(buf)) || !buf[0])
		snprintf(buf, sizeof(buf), "the type switch left no word");
	buf[strcspn(buf, "\n")] = '\0';
	if (sscanf(buf, "switched from %lf to %lf", start, end) == 2)
		return 0;
	snprintf(why, len, "%s", buf);
	return -1;
}

/* Split one line of fio's terse output (version 3) into run's next job. */
static void fio_parse_terse(struct fio_run *run, char *line)
{
	char *f[44], *save = NULL, *s = line;
	struct fio_job *j = &run->job[run->njobs];
	int nf = 0;

	/*
	 * "3;fio-x;job;group;error;read_kb;read_bw_kib;read_iops;
	 * read_runtime_ms;...": the job's error code in field 5, and the read
	 * bandwidth's min and max over the sampling intervals in 42, 43.
	 */
	while (nf < 44 && (f[nf] = strtok_r(s, ";", &save))) {
		s = NULL;
		nf++;
	}
	if (nf < 43 || run->njobs >= (int)(sizeof(run->job) / sizeof(*j)))
		return;
	td_copy(j->name, f[2], sizeof(j->name));
	td_copy(j->error, f[4], sizeof(j->error));
	j->kib_s = strtod(f[6], NULL);
	j->runtime_s = strtod(f[8], NULL) / 1000;
	/* A run too short for one interval has none; none beats the whole. */
	j->peak = strtod(f[42], NULL);
	if (!(j->peak >= j->kib_s))
		j->peak = j->kib_s;
	run->njobs++;
}

/*
 * Run fio with the jobs in a (after the program name) in a fresh working
 * directory; every job's terse line in run.  0 if fio exited with 0 and
 * every job without an error, else -1 with why (run holds what it got).
 */
int run_fio(struct fio_argv *a, struct fio_run *run, char *why, size_t len)
{
	size_t cap = 1 << 16, got = 0, ml = 0;
	char *argv[1100], *out = malloc(cap);
	int pfd[2], status, argc = 0;
	pid_t pid;
	ssize_t n;

	run->njobs = 0;
	run->msg[0] = '\0';
	snprintf(run->dir, sizeof(run->dir), "/tmp/iog-fio.XXXXXX");
	if (!out || !mkdtemp(run->dir) || pipe(pfd)) {
		snprintf(why, len, "fio's output: %s", strerror(errno));
		free(out);
		return -1;
	}
	argv[argc++] = (char *)fio_path();
	/*
	 * Global options of every run: jobs as threads, not forked processes,
	 * and no disk statistics, for which fio walks /sys/block at start-up.
	 */
	argv[argc++] = "--thread";
	argv[argc++] = "--disk_util=0";
	argv[argc++] = "--minimal";
	for (int i = 0; i < a->n; i++)
		argv[argc++] = a->v[i];
	argv[argc] = NULL;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		free(out);
		return -1;
	}
	if (!pid) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		if (chdir(run->dir))
			_exit(126);
		execvp(argv[0], argv);
		dprintf(1, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], out + got, cap - 1 - got)) > 0) {
		got += n;
		if (got == cap - 1) {
			char *more = realloc(out, cap * 2);

			if (!more)
				break;
			out = more;
			cap *= 2;
		}
	}
	close(pfd[0]);
	out[got] = '\0';
	waitpid(pid, &status, 0);
	run->end = td_now();
	/* Terse lines to jobs; fio's other lines but its prerun notes kept. */
	for (char *save = NULL, *line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "3;", 2))
			fio_parse_terse(run, line);
		else if (!strstr(line, "Saving output of prerun") &&
			 ml + 2 < sizeof(run->msg))
			ml += snprintf(run->msg + ml, sizeof(run->msg) - ml,
				       "%s%s", ml ? "|" : "", line);
	}
	free(out);
	for (int i = 0; i < run->njobs; i++)
		if (strcmp(run->job[i].error, "0")) {
			snprintf(why, len, "fio failed: job %s, error %s: %s",
				 run->job[i].name, run->job[i].error, run->msg);
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(why, len, "fio failed (status %d): %s", status,
			 run->msg);
		return -1;
	}
	return 0;
}

/* Remove run's working directory and the prerun outputs in it. */
void fio_run_clean(const struct fio_run *run)
{
	char p[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(run->dir);

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", run->dir, e->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(run->dir);
}

/*
 * A job named PREFIX.TYPE that first switches dev's group to type
 * (main()'s --set-type); its load follows.
 */
void fio_switch_job(struct fio_argv *a, const struct tp_dev *dev,
		    const char *prefix, const char *type)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	self[n > 0 ? n : 0] = '\0';
	fio_arg(a, "--name=%s.%s", prefix, type);
	fio_arg(a, "--stonewall");
	fio_arg(a, "--exec_prerun=%s --set-type %s %ld %s %s", self, dev->bdf,
		dev->group, dev->driver, type);
}

/*
 * The load of one sample, after fio_switch_job(): 128 KiB random direct
 * reads, 8 deep, for secs seconds.  Under TCG the device and the IOMMU are
 * emulated on host cores that other work shares; such interference only
 * ever slows a sample down.  So besides the mean, fio reports the bandwidth
 * of its best 250 ms interval (125 ms in samples under 1 s: peak), the estimate
 * of the undisturbed rate that the ratios are built from: on a loaded host it
 * varied about half as much as the mean.
 */
void fio_load_job(struct fio_argv *a, double secs)
{
	fio_arg(a, "--filename=%s", BLK_LINK);
	fio_arg(a, "--rw=randread");
	fio_arg(a, "--bs=128k");
	fio_arg(a, "--direct=1");
	fio_arg(a, "--ioengine=libaio");
	fio_arg(a, "--iodepth=8");
	fio_arg(a, "--time_based");
	fio_arg(a, "--runtime=%ldms", lround(secs * 1000));
	/* At least four intervals per sample for the peak. */
	fio_arg(a, "--bwavgtime=%ld", secs < 1 ? 125L : 250L);
}

/* The options fio's write and read-back jobs of verify_jobs() share. */
static void fio_verify_opts(struct fio_argv *a)
{
	fio_arg(a, "--filename=%s", BLK_LINK);
	fio_arg(a, "--bs=64k");
	fio_arg(a, "--size=8m");
	fio_arg(a, "--direct=1");
	fio_arg(a, "--ioengine=libaio");
	fio_arg(a, "--iodepth=4");
	fio_arg(a, "--rw=write");
	fio_arg(a, "--verify=crc32c");
	fio_arg(a, "--verify_fatal=1");
}

/*
 * Data written through each type's domain reads back intact: per type a
 * job that switches to it and writes 8 MiB with checksums, and one that
 * reads them back and checks them (verify_only).  The negative control
 * IOG_THROUGHPUT_CORRUPT=TYPE puts a job between the two while the group
 * has TYPE: it overwrites 4 KiB at 1 MiB, as a domain that moved the data
 * wrong would leave it.
 */
void verify_jobs(struct fio_argv *a, const struct tp_dev *dev)
{
	const char *bad = getenv("IOG_THROUGHPUT_CORRUPT");

	for (int t = 0; t < NTYPES; t++) {
		fio_switch_job(a, dev, "write", tp_types[t]);
		fio_verify_opts(a);
		fio_arg(a, "--do_verify=0");
		if (bad && !strcmp(bad, tp_types[t])) {
			fio_arg(a, "--name=corrupt.%s", tp_types[t]);
			fio_arg(a, "--stonewall");
			fio_arg(a, "--filename=%s", BLK_LINK);
			fio_arg(a, "--rw=write");
			fio_arg(a, "--bs=4k");
			fio_arg(a, "--size=4k");
			fio_arg(a, "--offset=1m");
			fio_arg(a, "--direct=1");
			fio_arg(a, "--buffer_pattern=0x5a5a5a5a");
		}
		fio_arg(a, "--name=readback.%s", tp_types[t]);
		fio_arg(a, "--stonewall");
		fio_verify_opts(a);
		fio_arg(a, "--verify_only=1");
	}
}
