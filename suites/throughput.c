// SPDX-License-Identifier: GPL-2.0-only
/*
 * throughput: what each default-domain type costs a DMA-heavy device.
 *
 * fio reads an NVMe namespace with direct I/O while the device's group has
 * each of the default-domain types identity, DMA-FQ and DMA in turn.  The
 * type is switched through the group's "type" file with the device unbound
 * (spec §2.2), then the driver is bound again.  Rounds alternate the types
 * inside one boot, the order rotating each round, because the noise between
 * boots is larger than the differences measured (spec/observed-q35.md).
 *
 * Tests: every type can be set, reads back, and moves verified data
 * (types_switch); the alternating rounds (alternating_rounds, "# metric:"
 * lines with medians, spread and ratios); identity >= DMA-FQ >= DMA within
 * the ordering tolerance (ordering); and each ratio against the topology's
 * and kernel's baseline from results/baselines/ (ratio_*).  A sample that
 * overruns or during which the kernel logs a timeout fails (stalled()).
 *
 * Environment: IOG_BASELINE_FILE (the baseline; the harness ships it as
 * /etc/iog/throughput-baseline), IOG_BASELINE_NAME (its name in messages),
 * IOG_THROUGHPUT_FORM ("short": the gate's form in q35-acs, 3 rounds of
 * 1 s by default, and an ordering beyond the limit but within twice the
 * run's noise is inconclusive, a SKIP; else the long form of
 * q35-throughput-* and make bench), IOG_THROUGHPUT_ROUNDS (default 5, short
 * 3), IOG_THROUGHPUT_SECONDS (per sample, default 3, short 1),
 * IOG_THROUGHPUT_DEV (a BDF; default the first NVMe function alone in its
 * group), IOG_THROUGHPUT_STALL_S (how far a sample may overrun before it
 * counts as a stalled device, default 15), IOG_FIO (default: fio on PATH),
 * IOG_THROUGHPUT_CORRUPT (a negative control: a type whose data is
 * corrupted between write and read-back, see verify()).
 *
 * Destructive: it unbinds and rebinds the NVMe driver and changes the
 * group's default domain (restored at the end).
 */
#include <fcntl.h>
#include <glob.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "suite.h"
#include "teardown_util.h"

#include "baseline.h"

#define NVME_CLASS 0x010802
#define NTYPES 3
#define MAX_ROUNDS 20
/* Measurements of alternating_rounds for the tests after it. */
#define RESULTS_FILE "/tmp/iog-throughput.results"

static const char *const types[NTYPES] = {"identity", "DMA-FQ", "DMA"};

struct tp_dev {
	char bdf[32];
	char driver[64];
	long group;
};

/* The gate's short form (IOG_THROUGHPUT_FORM=short), else the long one. */
static bool short_form(void)
{
	const char *f = getenv("IOG_THROUGHPUT_FORM");

	return f && !strcmp(f, "short");
}

static long env_long(const char *name, long def, long min, long max)
{
	const char *s = getenv(name);
	char *end;
	long v;

	if (!s || !*s)
		return def;
	v = strtol(s, &end, 10);
	if (*end || v < min || v > max)
		return def;
	return v;
}

static const char *fio_path(void)
{
	const char *f = getenv("IOG_FIO");

	return f && *f ? f : "fio";
}

/* The group's member count, -1 if unreadable. */
static int group_size(long id)
{
	char p[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(p, sizeof(p), "/sys/kernel/iommu_groups/%ld/devices", id);
	d = opendir(p);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/*
 * The device under load: IOG_THROUGHPUT_DEV, else the first NVMe function
 * with a driver and a group of its own (a type change applies to the whole
 * group, whose members must all be unbound).  0, or -1 with why.
 */
static int find_dev(struct tp_dev *dev, char *why, size_t len)
{
	const char *want = getenv("IOG_THROUGHPUT_DEV");
	struct dirent **ents;
	int n, ret = -1;

	snprintf(why, len,
		 "no NVMe function with a driver and a group of "
		 "its own");
	n = scandir("/sys/bus/pci/devices", &ents, NULL, alphasort);
	if (n < 0) {
		snprintf(why, len, "/sys/bus/pci/devices: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *bdf = ents[i]->d_name;
		char p[PATH_MAX], buf[32];

		if (ret == 0 || bdf[0] == '.' ||
		    (want && *want && strcmp(want, bdf)))
			continue;
		td_dev_path(p, sizeof(p), bdf, "class");
		if (td_read(p, buf, sizeof(buf)) ||
		    strtol(buf, NULL, 16) != NVME_CLASS)
			continue;
		td_copy(dev->bdf, bdf, sizeof(dev->bdf));
		td_dev_driver(bdf, dev->driver, sizeof(dev->driver));
		dev->group = td_dev_group(bdf);
		if (!dev->driver[0] || dev->group < 0)
			snprintf(why, len, "%s: %s", bdf,
				 dev->group < 0 ? "no IOMMU group"
						: "no driver bound");
		else if (group_size(dev->group) != 1)
			snprintf(why, len, "%s: group %ld has %d members", bdf,
				 dev->group, group_size(dev->group));
		else
			ret = 0;
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return ret;
}

/* The namespace block device of dev ("/dev/nvme0n1") once it is usable. */
static bool blockdev_ready(const struct tp_dev *dev, char *out, size_t len)
{
	char pat[PATH_MAX];
	glob_t g;
	bool ok = false;

	snprintf(pat, sizeof(pat), "/sys/bus/pci/devices/%s/nvme/nvme*/nvme*n1",
		 dev->bdf);
	if (glob(pat, 0, NULL, &g))
		return false;
	if (g.gl_pathc) {
		const char *b = strrchr(g.gl_pathv[0], '/') + 1;
		int fd;

		snprintf(out, len, "/dev/%s", b);
		fd = open(out, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (fd >= 0) {
			ok = true;
			close(fd);
		}
	}
	globfree(&g);
	return ok;
}

/*
 * Unbind dev, write type, bind it again and wait for its block device.
 * 0, or -1 with why.
 */
static int set_type(const struct tp_dev *dev, const char *type, char *blk,
		    size_t blklen, char *why, size_t len)
{
	char now[32];
	double end;
	int e;

	e = td_unbind(dev->bdf);
	if (e) {
		snprintf(why, len, "unbind %s: %s", dev->bdf, strerror(e));
		return -1;
	}
	e = td_group_set_type(dev->group, type);
	if (e)
		snprintf(why, len, "group %ld: writing %s to type: %s",
			 dev->group, type, strerror(e));
	if (td_bind(dev->bdf, dev->driver)) {
		snprintf(why, len, "bind %s to %s failed", dev->bdf,
			 dev->driver);
		return -1;
	}
	if (e)
		return -1;
	if (td_group_type(dev->group, now, sizeof(now)) || strcmp(now, type)) {
		snprintf(why, len, "group %ld: wrote %s, type reads '%s'",
			 dev->group, type, now);
		return -1;
	}
	end = td_now() + TD_WAIT_S;
	while (!blockdev_ready(dev, blk, blklen)) {
		if (td_now() > end) {
			snprintf(why, len,
				 "%s: no usable namespace %.0f s after bind",
				 dev->bdf, TD_WAIT_S);
			return -1;
		}
		td_sleep_poll();
	}
	return 0;
}

/*
 * fio runs every sample of a test in one process, a job per sample, each
 * job switching the type first through exec_prerun: under TCG a start of
 * Debian's fio (some 60 shared libraries to load and relocate) costs about
 * 0.7 s, more than half of a 1 s sample.  The prerun runs this program
 * again (--set-type, see main()), which switches the type and points LINK
 * at the namespace the rebound driver made; fio opens its file when the
 * job's I/O starts, after the prerun.
 */

/* A growing argument vector for fio. */
struct fio_argv {
	char *v[1024];
	int n;
};

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

static void fio_argv_free(struct fio_argv *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->v[i]);
	a->n = 0;
}

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

/* The job named name in run, NULL if fio printed no line for it. */
static const struct fio_job *fio_job(const struct fio_run *run,
				     const char *name)
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
static int fio_prerun(const struct fio_run *run, const char *name,
		      double *start, double *end, char *why, size_t len)
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
static int run_fio(struct fio_argv *a, struct fio_run *run, char *why,
		   size_t len)
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
static void fio_run_clean(const struct fio_run *run)
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

/* Where the prerun keeps the namespace the jobs read: see main(). */
#define BLK_LINK "/tmp/iog-throughput.blk"

/*
 * A job named PREFIX.TYPE that first switches dev's group to type
 * (main()'s --set-type); its load follows.
 */
static void fio_switch_job(struct fio_argv *a, const struct tp_dev *dev,
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
 * of its best 250 ms interval (peak), the estimate of the undisturbed rate
 * that the ratios are built from: on a loaded host it varied about half as
 * much as the mean.
 */
static void fio_load_job(struct fio_argv *a, long secs)
{
	fio_arg(a, "--filename=%s", BLK_LINK);
	fio_arg(a, "--rw=randread");
	fio_arg(a, "--bs=128k");
	fio_arg(a, "--direct=1");
	fio_arg(a, "--ioengine=libaio");
	fio_arg(a, "--iodepth=8");
	fio_arg(a, "--time_based");
	fio_arg(a, "--runtime=%ld", secs);
	fio_arg(a, "--bwavgtime=250");
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
static void verify_jobs(struct fio_argv *a, const struct tp_dev *dev)
{
	const char *bad = getenv("IOG_THROUGHPUT_CORRUPT");

	for (int t = 0; t < NTYPES; t++) {
		fio_switch_job(a, dev, "write", types[t]);
		fio_verify_opts(a);
		fio_arg(a, "--do_verify=0");
		if (bad && !strcmp(bad, types[t])) {
			fio_arg(a, "--name=corrupt.%s", types[t]);
			fio_arg(a, "--stonewall");
			fio_arg(a, "--filename=%s", BLK_LINK);
			fio_arg(a, "--rw=write");
			fio_arg(a, "--bs=4k");
			fio_arg(a, "--size=4k");
			fio_arg(a, "--offset=1m");
			fio_arg(a, "--direct=1");
			fio_arg(a, "--buffer_pattern=0x5a5a5a5a");
		}
		fio_arg(a, "--name=readback.%s", types[t]);
		fio_arg(a, "--stonewall");
		fio_verify_opts(a);
		fio_arg(a, "--verify_only=1");
	}
}

/* A sample starts: the kernel log so far is passed over; its start time. */
static double sample_start(int kmsg)
{
	char msg[1024];

	while (kmsg >= 0 && suite_kmsg_next(kmsg, msg, sizeof(msg)) > 0)
		;
	return suite_now_us();
}

/*
 * A stalled device: fio's time-based run overran by more than
 * IOG_THROUGHPUT_STALL_S (default 15 s; an I/O was held up, and the NVMe
 * driver gives up on one only after 30 s), or the kernel logged a timeout
 * while it ran.  Such a sample measures the stall, not the domain, and the
 * stall itself is a failure: the device lost I/O.
 * kmsg and t0: from sample_start() (kmsg -1: only the clock is checked).
 */
static int stalled(int kmsg, double t0, double secs, char *why, size_t len)
{
	double took = (suite_now_us() - t0) / 1e6;
	long slack = env_long("IOG_THROUGHPUT_STALL_S", 15, 0, 600);
	char msg[1024], first[512] = "";

	while (kmsg >= 0 && suite_kmsg_next(kmsg, msg, sizeof(msg)) > 0)
		if (!first[0] &&
		    (strstr(msg, "timeout") || strstr(msg, "timed out")))
			snprintf(first, sizeof(first), "%.300s", msg);
	if (!first[0] && took <= secs + slack)
		return 0;
	snprintf(why, len, "the device stalled: a %.0f s run took %.1f s%s%s%s",
		 secs, took, first[0] ? "; kernel log: \"" : "", first,
		 first[0] ? "\"" : "");
	return -1;
}

/*
 * Whether fio is there to run, found as execvp() would find it: running
 * it to ask costs the guest half a second per test.
 */
static bool have_fio(struct __test_metadata *_metadata)
{
	const char *fio = fio_path(), *path = getenv("PATH");
	char cand[PATH_MAX];

	if (strchr(fio, '/')) {
		if (!access(fio, X_OK))
			return true;
	} else {
		for (const char *p = path ? path : "/bin:/usr/bin"; *p;) {
			size_t n = strcspn(p, ":");

			snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, p, fio);
			if (n && !access(cand, X_OK))
				return true;
			p += n + (p[n] == ':');
		}
	}
	SKIP(return false, "cannot run %s: not found or not executable", fio);
}

/* Set up a test: live machine, fio, the device.  false: skipped. */
static bool tp_prepare(struct __test_metadata *_metadata, struct tp_dev *dev,
		       char *orig, size_t origlen)
{
	char why[512];

	if (!td_require_live(_metadata) || !have_fio(_metadata))
		return false;
	if (find_dev(dev, why, sizeof(why)))
		SKIP(return false, "%s", why);
	if (td_group_type(dev->group, orig, origlen))
		SKIP(return false, "group %ld has no type file", dev->group);
	return true;
}

static void restore(struct __test_metadata *_metadata, const struct tp_dev *dev,
		    const char *orig)
{
	char why[512], blk[PATH_MAX];

	if (set_type(dev, orig, blk, sizeof(blk), why, sizeof(why)))
		TH_LOG("restoring type %s: %s", orig, why);
}

/*
 * One fixture for all tests, so that they run in this order; the rounds
 * take minutes, past the harness's 30 s default per test.
 */
FIXTURE(tp){};
FIXTURE_SETUP(tp)
{
}
FIXTURE_TEARDOWN(tp)
{
}

/* Point BLK_LINK at blk, the namespace fio's jobs read.  0 or errno. */
static int point_link(const char *blk)
{
	unlink(BLK_LINK);
	return symlink(blk, BLK_LINK) ? errno : 0;
}

TEST_F_TIMEOUT(tp, types_switch, 300)
{
	char orig[32], why[1536], blk[PATH_MAX], name[64];
	struct fio_run *run = calloc(1, sizeof(*run));
	struct fio_argv a = {0};
	double t0, from, to, switching = 0;
	struct tp_dev dev;
	bool ok = true;
	int kmsg, err;

	ASSERT_NE(NULL, run);
	if (!tp_prepare(_metadata, &dev, orig, sizeof(orig))) {
		free(run);
		return;
	}
	TH_LOG("%s (%s), group %ld, booted with type %s", dev.bdf, dev.driver,
	       dev.group, orig);
	ASSERT_TRUE(blockdev_ready(&dev, blk, sizeof(blk)));
	ASSERT_EQ(0, point_link(blk));
	kmsg = suite_kmsg_open();
	verify_jobs(&a, &dev);
	t0 = sample_start(kmsg);
	err = run_fio(&a, run, why, sizeof(why));
	fio_argv_free(&a);
	for (int t = 0; t < NTYPES; t++) {
		const struct fio_job *j;
		char e[1536];

		snprintf(name, sizeof(name), "write.%s", types[t]);
		if (fio_prerun(run, name, &from, &to, e, sizeof(e))) {
			TH_LOG("%s: %s", types[t], e);
			ok = false;
			continue;
		}
		switching += to - from;
		snprintf(name, sizeof(name), "readback.%s", types[t]);
		j = fio_job(run, name);
		if (!j)
			snprintf(e, sizeof(e), "fio ran no job %s: %s", name,
				 run->msg);
		else if (strcmp(j->error, "0"))
			snprintf(e, sizeof(e),
				 "fio failed: job %s, error %s: %s", name,
				 j->error, run->msg);
		else if (!(j->kib_s > 0))
			snprintf(e, sizeof(e), "fio read nothing back");
		else
			continue;
		TH_LOG("%s: %s", types[t], e);
		ok = false;
	}
	/* A failure no type's jobs account for. */
	if (ok && err) {
		TH_LOG("%s", why);
		ok = false;
	}
	if (stalled(kmsg, t0, switching, why, sizeof(why))) {
		TH_LOG("%s", why);
		ok = false;
	}
	restore(_metadata, &dev, orig);
	fio_run_clean(run);
	free(run);
	if (kmsg >= 0)
		close(kmsg);
	EXPECT_TRUE(ok);
}

/* Coefficient of variation in percent (population standard deviation). */
static double cov(const double *v, size_t n)
{
	double sum = 0, sq = 0, mean;

	for (size_t i = 0; i < n; i++)
		sum += v[i];
	mean = sum / n;
	for (size_t i = 0; i < n; i++)
		sq += (v[i] - mean) * (v[i] - mean);
	return mean > 0 ? 100 * sqrt(sq / n) / mean : 0;
}

/* A measurement and its spread, where the KTAP reader looks for them. */
static void emit(const char *name, double value, double cov_pct,
		 const char *unit)
{
	printf("# metric: %s %.*f %s\n", name, strcmp(unit, "ratio") ? 0 : 3,
	       value, unit);
	printf("# metric: %s.cov %.1f %%\n", name, cov_pct);
	fflush(stdout);
}

/*
 * The median of a[r] / b[r] over the rounds (emitted as name unless
 * NULL); its CoV in *cov_pct if given.
 */
static double paired(const char *name, const double *a, const double *b,
		     long rounds, double *cov_pct)
{
	double ratio[MAX_ROUNDS], m;

	for (long r = 0; r < rounds; r++)
		ratio[r] = a[r] / b[r];
	m = suite_median(ratio, rounds);
	if (name)
		emit(name, m, cov(ratio, rounds), "ratio");
	if (cov_pct)
		*cov_pct = cov(ratio, rounds);
	return m;
}

/* "DMA-FQ" -> "dma_fq": metric names are lower-case words. */
static void metric_key(const char *type, char *out, size_t len)
{
	size_t i;

	for (i = 0; type[i] && i + 1 < len; i++)
		out[i] = type[i] == '-' ? '_' : (char)tolower(type[i]);
	out[i] = '\0';
}

/* Sample s of the alternating rounds: its round and type, its job's name. */
static int sample_type(long s)
{
	return (s % NTYPES + s / NTYPES) % NTYPES; /* the order rotates */
}

static void sample_name(long s, char *name, size_t len)
{
	snprintf(name, len, "round%ld.%s", s / NTYPES + 1,
		 types[sample_type(s)]);
}

/*
 * Sample s (of n) from run: its bandwidths, or -1 with why.  A sample whose
 * job (from the end of its type switch to the start of the next one, or to
 * fio's exit) took more than IOG_THROUGHPUT_STALL_S beyond its time is a
 * stalled device (see stalled()).
 */
static int round_sample(const struct fio_run *run, long s, long n, long secs,
			double *bw, double *peak, double *switch_s,
			double *took, char *why, size_t len)
{
	long slack = env_long("IOG_THROUGHPUT_STALL_S", 15, 0, 600);
	double from, to, nfrom, nto, end = run->end;
	char name[64], next[64], e[64];
	const struct fio_job *j;

	sample_name(s, name, sizeof(name));
	if (fio_prerun(run, name, &from, &to, why, len))
		return -1;
	j = fio_job(run, name);
	if (!j) {
		snprintf(why, len, "fio ran no job %s: %s", name, run->msg);
		return -1;
	}
	if (strcmp(j->error, "0")) {
		snprintf(why, len, "fio failed: job %s, error %s: %s", name,
			 j->error, run->msg);
		return -1;
	}
	if (!(j->kib_s > 0)) {
		snprintf(why, len, "fio job %s read nothing", name);
		return -1;
	}
	sample_name(s + 1, next, sizeof(next));
	if (s + 1 < n && !fio_prerun(run, next, &nfrom, &nto, e, sizeof(e)))
		end = nfrom;
	*bw = j->kib_s;
	*peak = j->peak;
	*switch_s = to - from;
	*took = end - to;
	if (*took > secs + slack) {
		snprintf(why, len,
			 "the device stalled: a %ld s run took %.1f s", secs,
			 *took);
		return -1;
	}
	return 0;
}

TEST_F_TIMEOUT(tp, alternating_rounds, 1800)
{
	long least = short_form() ? 3 : 5;
	long rounds =
		env_long("IOG_THROUGHPUT_ROUNDS", least, least, MAX_ROUNDS);
	long secs =
		env_long("IOG_THROUGHPUT_SECONDS", short_form() ? 1 : 3, 1, 60);
	double bw[NTYPES][MAX_ROUNDS], peak[NTYPES][MAX_ROUNDS];
	double v, c, t0, sw, took, switching = 0;
	char orig[32], why[1536], blk[PATH_MAX], key[16], name[96];
	struct fio_run *run = calloc(1, sizeof(*run));
	struct fio_argv a = {0};
	struct tp_dev dev;
	int kmsg, ferr, err = 0;
	char fwhy[1536];
	FILE *res;

	unlink(RESULTS_FILE);
	ASSERT_NE(NULL, run);
	if (!tp_prepare(_metadata, &dev, orig, sizeof(orig))) {
		free(run);
		return;
	}
	TH_LOG("%s, group %ld: %ld rounds of %ld s per type, 128 KiB random "
	       "direct reads, depth 8",
	       dev.bdf, dev.group, rounds, secs);
	ASSERT_TRUE(blockdev_ready(&dev, blk, sizeof(blk)));
	ASSERT_EQ(0, point_link(blk));
	for (long s = 0; s < rounds * NTYPES; s++) {
		char prefix[32];

		snprintf(prefix, sizeof(prefix), "round%ld", s / NTYPES + 1);
		fio_switch_job(&a, &dev, prefix, types[sample_type(s)]);
		fio_load_job(&a, secs);
	}
	kmsg = suite_kmsg_open();
	t0 = sample_start(kmsg);
	ferr = run_fio(&a, run, fwhy, sizeof(fwhy));
	fio_argv_free(&a);
	for (long s = 0; s < rounds * NTYPES && !err; s++) {
		int t = sample_type(s);
		long r = s / NTYPES;

		err = round_sample(run, s, rounds * NTYPES, secs, &bw[t][r],
				   &peak[t][r], &sw, &took, why, sizeof(why));
		if (err) {
			/* This message alone, no "Expected". */
			TH_LOG("round %ld, %s: %s", r + 1, types[t], why);
			break;
		}
		switching += sw;
		printf("# round %ld %s %.0f KiB/s (peak %.0f; switch %.2f s, "
		       "fio %.2f s)\n",
		       r + 1, types[t], bw[t][r], peak[t][r], sw, took);
	}
	fflush(stdout);
	/* A failure of fio's that no sample accounts for. */
	if (!err && ferr) {
		TH_LOG("%s", fwhy);
		err = -1;
	}
	if (!err && stalled(kmsg, t0, rounds * NTYPES * secs + switching, why,
			    sizeof(why))) {
		TH_LOG("%s", why);
		err = -1;
	}
	restore(_metadata, &dev, orig);
	fio_run_clean(run);
	free(run);
	if (kmsg >= 0)
		close(kmsg);
	if (err) {
		_metadata->exit_code = KSFT_FAIL;
		return;
	}

	res = fopen(RESULTS_FILE, "w");
	ASSERT_NE(NULL, res);
	for (int t = 0; t < NTYPES; t++) {
		metric_key(types[t], key, sizeof(key));
		snprintf(name, sizeof(name), "throughput.%s.read_kib_s", key);
		emit(name, suite_median(bw[t], rounds), cov(bw[t], rounds),
		     "KiB/s");
		snprintf(name, sizeof(name), "throughput.%s.peak_kib_s", key);
		emit(name, suite_median(peak[t], rounds), cov(peak[t], rounds),
		     "KiB/s");
		fprintf(res, "median %s %.6f\n", types[t],
			suite_median(peak[t], rounds));
	}
	/*
	 * Ratios pair the samples of one round, so that what slowed a whole
	 * round cancels; the checks use the peaks (see measure()).
	 */
	for (int t = 1; t < NTYPES; t++) {
		metric_key(types[t], key, sizeof(key));
		snprintf(name, sizeof(name), "throughput.ratio.%s_identity",
			 key);
		v = paired(name, peak[t], peak[0], rounds, &c);
		fprintf(res, "ratio %s %.6f\n", types[t], v);
		fprintf(res, "ratiocov %s %.6f\n", types[t], c);
		snprintf(name, sizeof(name),
			 "throughput.mean_ratio.%s_identity", key);
		paired(name, bw[t], bw[0], rounds, NULL);
		/*
		 * Over the type before it, for the ordering; DMA/DMA-FQ is
		 * the third ratio (the first is DMA-FQ/identity itself).
		 */
		v = paired(t == 2 ? "throughput.ratio.dma_dma_fq" : NULL,
			   peak[t], peak[t - 1], rounds, &c);
		fprintf(res, "step %s %.6f\n", types[t], v);
		fprintf(res, "stepcov %s %.6f\n", types[t], c);
	}
	fflush(stdout);
	ASSERT_EQ(0, fclose(res));
}

/* Medians; ratios pair the samples of one round; [0] of those unused. */
struct tp_results {
	double median[NTYPES];
	double ratio[NTYPES]; /* over identity */
	double ratiocov[NTYPES]; /* its spread over the rounds, % */
	double step[NTYPES]; /* over the type before it */
	double stepcov[NTYPES]; /* its spread over the rounds, % */
};

/* What alternating_rounds measured; false (and SKIP) if it did not. */
static bool load_results(struct __test_metadata *_metadata,
			 struct tp_results *r)
{
	char word[16], type[16];
	int seen = 0;
	double v;
	FILE *f = fopen(RESULTS_FILE, "r");

	if (!f)
		SKIP(return false, "alternating_rounds measured nothing");
	while (fscanf(f, "%15s %15s %lf", word, type, &v) == 3) {
		for (int t = 0; t < NTYPES; t++) {
			if (strcmp(type, types[t]))
				continue;
			if (!strcmp(word, "median"))
				r->median[t] = v;
			else if (!strcmp(word, "ratio"))
				r->ratio[t] = v;
			else if (!strcmp(word, "ratiocov"))
				r->ratiocov[t] = v;
			else if (!strcmp(word, "step"))
				r->step[t] = v;
			else
				r->stepcov[t] = v;
			seen++;
		}
	}
	fclose(f);
	if (seen != 5 * NTYPES - 4)
		SKIP(return false, "%s is incomplete", RESULTS_FILE);
	return true;
}

/* The baseline; false (and SKIP) without one, fails on a bad one. */
static bool load_baseline(struct __test_metadata *_metadata, struct baseline *b)
{
	const char *path = getenv("IOG_BASELINE_FILE");
	const char *name = getenv("IOG_BASELINE_NAME");
	char err[512];

	if (!path || !*path || access(path, F_OK))
		SKIP(return false,
			    "no baseline for this topology and kernel (%s)",
			    name && *name ? name : "IOG_BASELINE_FILE unset");
	if (baseline_load(path, b, err, sizeof(err))) {
		TH_LOG("%s (%s)", err, name ? name : path);
		EXPECT_TRUE(false);
		return false;
	}
	return true;
}

TEST_F(tp, ordering)
{
	struct tp_results r = {0};
	struct baseline b = {.ordering_tolerance = 0.15};
	const char *bf = getenv("IOG_BASELINE_FILE");

	if (!load_results(_metadata, &r))
		return;
	if (bf && *bf && !access(bf, F_OK) && !load_baseline(_metadata, &b))
		return;
	TH_LOG("peak KiB/s (medians): identity %.0f, DMA-FQ %.0f, DMA %.0f",
	       r.median[0], r.median[1], r.median[2]);
	/*
	 * Each type at most "within noise" faster than the one before it, by
	 * the median of the ratios paired within a round: noise is the
	 * baseline's ordering tolerance or twice the spread of those ratios
	 * in this run, whichever is larger.
	 */
	for (int t = 1; t < NTYPES; t++) {
		double tol = b.ordering_tolerance;

		if (2 * r.stepcov[t] / 100 > tol)
			tol = 2 * r.stepcov[t] / 100;
		TH_LOG("%s/%s %.3f (CoV %.1f %%), allowed up to %.3f", types[t],
		       types[t - 1], r.step[t], r.stepcov[t], 1 + tol);
		/*
		 * The short form's few samples judge only what lies beyond
		 * twice the run's noise as well (baseline_judge's rule).
		 */
		if (short_form() && r.step[t] > 1 + tol &&
		    r.step[t] * (1 - 2 * r.stepcov[t] / 100) <= 1 + tol)
			SKIP(return,
				   "inconclusive: %s/%s %.3f is beyond %.3f but "
				   "within twice this run's noise (CoV %.1f %%) "
				   "in the short form; make bench judges it",
				   types[t], types[t - 1], r.step[t], 1 + tol,
				   r.stepcov[t]);
		EXPECT_LE(r.step[t], 1 + tol)
		TH_LOG("%s is %.0f %% faster than %s: beyond the noise "
		       "(%.0f %%)",
		       types[t], 100 * (r.step[t] - 1), types[t - 1],
		       100 * tol);
	}
}

static void check_ratio(struct __test_metadata *_metadata, int t)
{
	const struct baseline_ratio *br;
	struct tp_results r = {0};
	struct baseline b;
	const char *name = getenv("IOG_BASELINE_NAME");

	if (!load_results(_metadata, &r) || !load_baseline(_metadata, &b))
		return;
	/* The short form's ratios differ from the long form's (README). */
	if (b.short_form != short_form())
		SKIP(return,
			   "%s holds the %s form's ratios; this run is the %s "
			   "form (IOG_THROUGHPUT_FORM)",
			   name ? name : "the baseline",
			   b.short_form ? "short" : "long",
			   short_form() ? "short" : "long");
	br = baseline_find(&b, types[t], "identity");
	if (!br)
		SKIP(return, "%s has no ratio %s/identity",
			   name ? name : "the baseline", types[t]);
	TH_LOG("%s/identity %.3f (CoV %.1f %% over the rounds), baseline "
	       "%.3f +- %.0f %% (%s:%u)",
	       types[t], r.ratio[t], r.ratiocov[t], br->expect,
	       100 * br->tolerance, name ? name : "baseline", br->line);
	switch (baseline_judge(br, r.ratio[t], r.ratiocov[t])) {
	case BASELINE_PASS:
		break;
	case BASELINE_INCONCLUSIVE:
		SKIP(return,
			   "inconclusive: %s/identity %.3f is outside %.3f .. "
			   "%.3f but within twice this run's noise (CoV "
			   "%.1f %%); the host was too busy to judge",
			   types[t], r.ratio[t],
			   br->expect * (1 - br->tolerance),
			   br->expect * (1 + br->tolerance), r.ratiocov[t]);
	case BASELINE_FAIL:
		TH_LOG("%s/identity %.3f is outside %.3f .. %.3f, also "
		       "allowing twice this run's noise",
		       types[t], r.ratio[t], br->expect * (1 - br->tolerance),
		       br->expect * (1 + br->tolerance));
		EXPECT_TRUE(false);
	}
}

TEST_F(tp, ratio_dma_fq_identity)
{
	check_ratio(_metadata, 1);
}

TEST_F(tp, ratio_dma_identity)
{
	check_ratio(_metadata, 2);
}

/*
 * fio's prerun (fio_switch_job()): --set-type BDF GROUP DRIVER TYPE switches
 * the group and points BLK_LINK at the namespace; it prints "switched from
 * T0 to T1" (td_now()'s seconds) and exits 0, or prints why not and exits 1.
 */
static int set_type_main(char **argv)
{
	struct tp_dev dev = {.group = strtol(argv[1], NULL, 10)};
	char blk[PATH_MAX], why[512];
	double t0 = td_now();
	int e;

	td_copy(dev.bdf, argv[0], sizeof(dev.bdf));
	td_copy(dev.driver, argv[2], sizeof(dev.driver));
	if (set_type(&dev, argv[3], blk, sizeof(blk), why, sizeof(why))) {
		printf("%s\n", why);
		return 1;
	}
	e = point_link(blk);
	if (e) {
		printf("%s -> %s: %s\n", BLK_LINK, blk, strerror(e));
		return 1;
	}
	printf("switched from %.6f to %.6f\n", t0, td_now());
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "--set-type"))
		return set_type_main(argv + 2);
	return test_harness_run(argc, argv);
}
