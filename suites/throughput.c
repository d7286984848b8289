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
 * Run fio with args (NULL-terminated, after the program name) and its
 * terse output; the read bandwidth in KiB/s.  0, or -1 with why.
 */
static int run_fio(char *const args[], double *kib_s, double *peak, char *why,
		   size_t len)
{
	char out[8192], *argv[64], head[300], last[64] = "";
	size_t got = 0, argc = 0;
	int pfd[2], status;
	pid_t pid;
	ssize_t n;

	argv[argc++] = (char *)fio_path();
	/*
	 * Global options of every run: jobs as threads, not forked processes,
	 * and no disk statistics, for which fio walks /sys/block at start-up.
	 * Under TCG each costs a visible part of a 1 s sample's start-up.
	 */
	argv[argc++] = "--thread";
	argv[argc++] = "--disk_util=0";
	for (size_t i = 0; args[i] && argc < 63; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;
	if (pipe(pfd)) {
		snprintf(why, len, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(why, len, "fork: %s", strerror(errno));
		return -1;
	}
	if (!pid) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execvp(argv[0], argv);
		dprintf(1, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	while ((n = read(pfd[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += n;
	close(pfd[0]);
	out[got] = '\0';
	/* For messages: the start of fio's output, its lines joined. */
	snprintf(head, sizeof(head), "%.299s", out);
	for (char *p = head; (p = strchr(p, '\n')); p++)
		*p = p[1] ? '|' : ' ';
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(why, len, "fio failed (status %d): %s", status, head);
		return -1;
	}
	/*
	 * Terse version 3, a line per job: "3;fio-x;job;group;error;read_kb;
	 * read_bw_kib;read_iops;..." with the job's error code in field 5 and
	 * the read bandwidth's min and max over the sampling intervals in 42,
	 * 43.  Every job must end without error; the last job's reads count.
	 */
	*kib_s = -1;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		char *f[44], *save = NULL, *s = line;
		int nf = 0;

		if (strncmp(line, "3;", 2))
			continue;
		while (nf < 44 && (f[nf] = strtok_r(s, ";", &save))) {
			s = NULL;
			nf++;
		}
		if (nf < 43)
			break;
		if (strcmp(f[4], "0")) {
			snprintf(why, len, "fio job %s: error %s", f[2], f[4]);
			return -1;
		}
		*kib_s = strtod(f[6], NULL);
		/*
		 * Field 43: the best bandwidth-sampling interval; a run too
		 * short for one interval has none, and no interval is slower
		 * than the whole.
		 */
		*peak = strtod(f[42], NULL);
		if (!(*peak >= *kib_s))
			*peak = *kib_s;
		snprintf(last, sizeof(last), "job %s", f[2]);
	}
	if (*kib_s > 0)
		return 0;
	if (*kib_s < 0)
		snprintf(why, len, "no terse result line from fio: %s", head);
	else
		snprintf(why, len, "fio %s read nothing", last);
	return -1;
}

/*
 * The load: 128 KiB random direct reads, 8 deep, for secs seconds.  Under
 * TCG the device and the IOMMU are emulated on host cores that other work
 * shares; such interference only ever slows a sample down.  So besides the
 * mean, fio reports the bandwidth of its best 250 ms interval (peak), the
 * estimate of the undisturbed rate that the ratios are built from: on a
 * loaded host it varied about half as much as the mean.
 */
static int measure(const char *blk, long secs, double *kib_s, double *peak,
		   char *why, size_t len)
{
	char file[PATH_MAX + 16], rt[32];
	char *args[] = {"--name=tp",
			file,
			"--rw=randread",
			"--bs=128k",
			"--direct=1",
			"--ioengine=libaio",
			"--iodepth=8",
			"--time_based",
			rt,
			"--minimal",
			"--bwavgtime=250",
			NULL};

	snprintf(file, sizeof(file), "--filename=%s", blk);
	snprintf(rt, sizeof(rt), "--runtime=%ld", secs);
	return run_fio(args, kib_s, peak, why, len);
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
 * Data written through the domain reads back intact: one fio run whose
 * first job writes 8 MiB with checksums and whose last job reads them back
 * and checks them (verify_only).  The negative control
 * IOG_THROUGHPUT_CORRUPT=TYPE puts a job between the two while the group
 * has TYPE: it overwrites 4 KiB at 1 MiB, as a domain that moved the data
 * wrong would leave it.  0, or -1 with why.
 */
static int verify(const char *blk, const char *type, char *why, size_t len)
{
	const char *bad = getenv("IOG_THROUGHPUT_CORRUPT");
	char file[PATH_MAX + 16];
	char *common[] = {file,		"--bs=64k",	     "--size=8m",
			  "--direct=1", "--ioengine=libaio", "--iodepth=4",
			  "--rw=write", "--verify=crc32c",   "--verify_fatal=1",
			  NULL};
	char *corrupt[] = {"--name=corrupt",
			   file,
			   "--stonewall",
			   "--rw=write",
			   "--bs=4k",
			   "--size=4k",
			   "--offset=1m",
			   "--direct=1",
			   "--buffer_pattern=0x5a5a5a5a",
			   NULL};
	char *args[48];
	size_t n = 0;
	double kib_s, peak;

	snprintf(file, sizeof(file), "--filename=%s", blk);
	args[n++] = "--minimal";
	args[n++] = "--name=write";
	for (size_t i = 0; common[i]; i++)
		args[n++] = common[i];
	args[n++] = "--do_verify=0";
	for (size_t i = 0; bad && !strcmp(bad, type) && corrupt[i]; i++)
		args[n++] = corrupt[i];
	args[n++] = "--name=verify";
	args[n++] = "--stonewall";
	for (size_t i = 0; common[i]; i++)
		args[n++] = common[i];
	args[n++] = "--verify_only=1";
	args[n] = NULL;
	return run_fio(args, &kib_s, &peak, why, len);
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

TEST_F_TIMEOUT(tp, types_switch, 300)
{
	char orig[32], why[512], blk[PATH_MAX];
	struct tp_dev dev;
	bool ok = true;
	int kmsg;

	if (!tp_prepare(_metadata, &dev, orig, sizeof(orig)))
		return;
	TH_LOG("%s (%s), group %ld, booted with type %s", dev.bdf, dev.driver,
	       dev.group, orig);
	kmsg = suite_kmsg_open();
	for (int t = 0; t < NTYPES; t++) {
		double t0;

		if (set_type(&dev, types[t], blk, sizeof(blk), why,
			     sizeof(why))) {
			TH_LOG("%s: %s", types[t], why);
			ok = false;
			continue;
		}
		t0 = sample_start(kmsg);
		if (verify(blk, types[t], why, sizeof(why)) ||
		    stalled(kmsg, t0, 0, why, sizeof(why))) {
			TH_LOG("%s: %s", types[t], why);
			ok = false;
		}
	}
	restore(_metadata, &dev, orig);
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

TEST_F_TIMEOUT(tp, alternating_rounds, 1800)
{
	long least = short_form() ? 3 : 5;
	long rounds =
		env_long("IOG_THROUGHPUT_ROUNDS", least, least, MAX_ROUNDS);
	long secs =
		env_long("IOG_THROUGHPUT_SECONDS", short_form() ? 1 : 3, 1, 60);
	double bw[NTYPES][MAX_ROUNDS], peak[NTYPES][MAX_ROUNDS];
	double v, c;
	char orig[32], why[512], blk[PATH_MAX], key[16], name[96];
	struct tp_dev dev;
	FILE *res;
	int kmsg;

	unlink(RESULTS_FILE);
	if (!tp_prepare(_metadata, &dev, orig, sizeof(orig)))
		return;
	TH_LOG("%s, group %ld: %ld rounds of %ld s per type, 128 KiB random "
	       "direct reads, depth 8",
	       dev.bdf, dev.group, rounds, secs);
	kmsg = suite_kmsg_open();
	for (long r = 0; r < rounds; r++) {
		for (int k = 0; k < NTYPES; k++) {
			int t = (k + r) % NTYPES; /* rotate the order */
			int err;
			double t0, ts = suite_now_us();

			err = set_type(&dev, types[t], blk, sizeof(blk), why,
				       sizeof(why));
			t0 = sample_start(kmsg);
			if (!err)
				err = measure(blk, secs, &bw[t][r], &peak[t][r],
					      why, sizeof(why)) ||
				      stalled(kmsg, t0, secs, why, sizeof(why));
			if (err) {
				restore(_metadata, &dev, orig);
				if (kmsg >= 0)
					close(kmsg);
				/* This message alone, no "Expected". */
				TH_LOG("round %ld, %s: %s", r + 1, types[t],
				       why);
				_metadata->exit_code = KSFT_FAIL;
				return;
			}
			printf("# round %ld %s %.0f KiB/s (peak %.0f; switch %.2f s, "
			       "fio %.2f s)\n",
			       r + 1, types[t], bw[t][r], peak[t][r],
			       (t0 - ts) / 1e6, (suite_now_us() - t0) / 1e6);
			fflush(stdout);
		}
	}
	restore(_metadata, &dev, orig);
	if (kmsg >= 0)
		close(kmsg);

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

TEST_HARNESS_MAIN
