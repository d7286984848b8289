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
 * 0.5 s by default, and an ordering beyond the limit but within twice the
 * run's noise is inconclusive, a SKIP; else the long form of
 * q35-throughput-* and make bench), IOG_THROUGHPUT_ROUNDS (default 5, short
 * 3), IOG_THROUGHPUT_SECONDS (per sample, 0.1 to 60, default 3, short
 * 0.5),
 * IOG_THROUGHPUT_DEV (a BDF; default the first NVMe function alone in its
 * group), IOG_THROUGHPUT_STALL_S (how far a sample may overrun before it
 * counts as a stalled device, default 15), IOG_FIO (default: fio on PATH),
 * IOG_THROUGHPUT_CORRUPT (a negative control: a type whose data is
 * corrupted between write and read-back, see verify()).
 *
 * Destructive: it unbinds and rebinds the NVMe driver and changes the
 * group's default domain (restored at the end).
 */
#include <ctype.h>
#include <math.h>

#include "kselftest_harness.h"
#include "suite.h"
#include "teardown_util.h"
#include "throughput/throughput.h"

#include "baseline.h"

/* Measurements of alternating_rounds for the tests after it. */
#define RESULTS_FILE "/tmp/iog-throughput.results"

/* The gate's short form (IOG_THROUGHPUT_FORM=short), else the long one. */
static bool short_form(void)
{
	const char *f = getenv("IOG_THROUGHPUT_FORM");

	return f && !strcmp(f, "short");
}

/* A number of seconds from the environment, def if unset or out of range. */
static double env_seconds(const char *name, double def, double min, double max)
{
	const char *s = getenv(name);
	char *end;
	double v;

	if (!s || !*s)
		return def;
	v = strtod(s, &end);
	if (*end || !(v >= min && v <= max))
		return def;
	return v;
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
 * Only the device's own messages count (its driver's or its BDF's): the
 * suites beside this one (run-suites.sh) log their own devices' timeouts.
 */
static int stalled(const struct tp_dev *dev, int kmsg, double t0, double secs,
		   char *why, size_t len)
{
	double took = (suite_now_us() - t0) / 1e6;
	long slack = env_long("IOG_THROUGHPUT_STALL_S", 15, 0, 600);
	char msg[1024], first[512] = "";

	while (kmsg >= 0 && suite_kmsg_next(kmsg, msg, sizeof(msg)) > 0)
		if (!first[0] &&
		    (strstr(msg, dev->driver) || strstr(msg, dev->bdf)) &&
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

		snprintf(name, sizeof(name), "write.%s", tp_types[t]);
		if (fio_prerun(run, name, &from, &to, e, sizeof(e))) {
			TH_LOG("%s: %s", tp_types[t], e);
			ok = false;
			continue;
		}
		switching += to - from;
		snprintf(name, sizeof(name), "readback.%s", tp_types[t]);
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
		TH_LOG("%s: %s", tp_types[t], e);
		ok = false;
	}
	/* A failure no type's jobs account for. */
	if (ok && err) {
		TH_LOG("%s", why);
		ok = false;
	}
	if (stalled(&dev, kmsg, t0, switching, why, sizeof(why))) {
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
		 tp_types[sample_type(s)]);
}

/*
 * Sample s (of n) from run: its bandwidths, or -1 with why.  A sample whose
 * job (from the end of its type switch to the start of the next one, or to
 * fio's exit) took more than IOG_THROUGHPUT_STALL_S beyond its time is a
 * stalled device (see stalled()).
 */
static int round_sample(const struct fio_run *run, long s, long n, double secs,
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
		snprintf(why, len, "the device stalled: a %g s run took %.1f s",
			 secs, *took);
		return -1;
	}
	return 0;
}

TEST_F_TIMEOUT(tp, alternating_rounds, 1800)
{
	long least = short_form() ? 3 : 5;
	long rounds =
		env_long("IOG_THROUGHPUT_ROUNDS", least, least, MAX_ROUNDS);
	/*
	 * The short form's 0.5 s samples: a sample costs 0.35 s more than its
	 * time under TCG (fio's job start and end), so halving 1 s saved 4.5 s
	 * of the gate's run (README "The gate").
	 */
	double secs = env_seconds("IOG_THROUGHPUT_SECONDS",
				  short_form() ? 0.5 : 3, 0.1, 60);
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
	TH_LOG("%s, group %ld: %ld rounds of %g s per type, 128 KiB random "
	       "direct reads, depth 8",
	       dev.bdf, dev.group, rounds, secs);
	ASSERT_TRUE(blockdev_ready(&dev, blk, sizeof(blk)));
	ASSERT_EQ(0, point_link(blk));
	for (long s = 0; s < rounds * NTYPES; s++) {
		char prefix[32];

		snprintf(prefix, sizeof(prefix), "round%ld", s / NTYPES + 1);
		fio_switch_job(&a, &dev, prefix, tp_types[sample_type(s)]);
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
			TH_LOG("round %ld, %s: %s", r + 1, tp_types[t], why);
			break;
		}
		switching += sw;
		printf("# round %ld %s %.0f KiB/s (peak %.0f; switch %.2f s, "
		       "fio %.2f s)\n",
		       r + 1, tp_types[t], bw[t][r], peak[t][r], sw, took);
	}
	fflush(stdout);
	/* A failure of fio's that no sample accounts for. */
	if (!err && ferr) {
		TH_LOG("%s", fwhy);
		err = -1;
	}
	if (!err && stalled(&dev, kmsg, t0, rounds * NTYPES * secs + switching,
			    why, sizeof(why))) {
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
		metric_key(tp_types[t], key, sizeof(key));
		snprintf(name, sizeof(name), "throughput.%s.read_kib_s", key);
		emit(name, suite_median(bw[t], rounds), cov(bw[t], rounds),
		     "KiB/s");
		snprintf(name, sizeof(name), "throughput.%s.peak_kib_s", key);
		emit(name, suite_median(peak[t], rounds), cov(peak[t], rounds),
		     "KiB/s");
		fprintf(res, "median %s %.6f\n", tp_types[t],
			suite_median(peak[t], rounds));
	}
	/*
	 * Ratios pair the samples of one round, so that what slowed a whole
	 * round cancels; the checks use the peaks (see measure()).
	 */
	for (int t = 1; t < NTYPES; t++) {
		metric_key(tp_types[t], key, sizeof(key));
		snprintf(name, sizeof(name), "throughput.ratio.%s_identity",
			 key);
		v = paired(name, peak[t], peak[0], rounds, &c);
		fprintf(res, "ratio %s %.6f\n", tp_types[t], v);
		fprintf(res, "ratiocov %s %.6f\n", tp_types[t], c);
		snprintf(name, sizeof(name),
			 "throughput.mean_ratio.%s_identity", key);
		paired(name, bw[t], bw[0], rounds, NULL);
		/*
		 * Over the type before it, for the ordering; DMA/DMA-FQ is
		 * the third ratio (the first is DMA-FQ/identity itself).
		 */
		v = paired(t == 2 ? "throughput.ratio.dma_dma_fq" : NULL,
			   peak[t], peak[t - 1], rounds, &c);
		fprintf(res, "step %s %.6f\n", tp_types[t], v);
		fprintf(res, "stepcov %s %.6f\n", tp_types[t], c);
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
			if (strcmp(type, tp_types[t]))
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
	 * in this run, whichever is larger.  The short form's three rounds
	 * give each ratio's spread from three samples, too few to trust
	 * alone: the host's noise hits every type, so there the largest
	 * spread of the run's ratios stands for each (a run on a busy host
	 * failed with DMA/DMA-FQ CoV 6.6 % beside DMA-FQ/identity 26.6 %).
	 */
	double noise_all = 0;

	for (int t = 1; t < NTYPES; t++)
		if (r.stepcov[t] > noise_all)
			noise_all = r.stepcov[t];
	for (int t = 1; t < NTYPES; t++) {
		double tol = b.ordering_tolerance;
		double cov = short_form() ? noise_all : r.stepcov[t];

		if (2 * cov / 100 > tol)
			tol = 2 * cov / 100;
		TH_LOG("%s/%s %.3f (CoV %.1f %%), allowed up to %.3f",
		       tp_types[t], tp_types[t - 1], r.step[t], r.stepcov[t],
		       1 + tol);
		/*
		 * The short form's few samples judge only what lies beyond
		 * twice the run's noise as well (baseline_judge's rule).
		 */
		if (short_form() && r.step[t] > 1 + tol &&
		    r.step[t] * (1 - 2 * cov / 100) <= 1 + tol)
			SKIP(return,
				   "inconclusive: %s/%s %.3f is beyond %.3f but "
				   "within twice this run's noise (CoV %.1f %%) "
				   "in the short form; make bench judges it",
				   tp_types[t], tp_types[t - 1], r.step[t],
				   1 + tol, cov);
		EXPECT_LE(r.step[t], 1 + tol)
		TH_LOG("%s is %.0f %% faster than %s: beyond the noise "
		       "(%.0f %%)",
		       tp_types[t], 100 * (r.step[t] - 1), tp_types[t - 1],
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
	br = baseline_find(&b, tp_types[t], "identity");
	if (!br)
		SKIP(return, "%s has no ratio %s/identity",
			   name ? name : "the baseline", tp_types[t]);
	TH_LOG("%s/identity %.3f (CoV %.1f %% over the rounds), baseline "
	       "%.3f +- %.0f %% (%s:%u)",
	       tp_types[t], r.ratio[t], r.ratiocov[t], br->expect,
	       100 * br->tolerance, name ? name : "baseline", br->line);
	switch (baseline_judge(br, r.ratio[t], r.ratiocov[t])) {
	case BASELINE_PASS:
		break;
	case BASELINE_INCONCLUSIVE:
		SKIP(return,
			   "inconclusive: %s/identity %.3f is outside %.3f .. "
			   "%.3f but within twice this run's noise (CoV "
			   "%.1f %%); the host was too busy to judge",
			   tp_types[t], r.ratio[t],
			   br->expect * (1 - br->tolerance),
			   br->expect * (1 + br->tolerance), r.ratiocov[t]);
	case BASELINE_FAIL:
		TH_LOG("%s/identity %.3f is outside %.3f .. %.3f, also "
		       "allowing twice this run's noise",
		       tp_types[t], r.ratio[t],
		       br->expect * (1 - br->tolerance),
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

/*
 * --devices: the device the tests will use, for run-suites.sh to give the
 * suites beside this one in IOG_BUSY (its group has no other member).  It
 * waits for the driver, as the tests would find the device bound.
 */
static int devices_main(void)
{
	double end = td_now() + TD_WAIT_S;
	struct tp_dev dev;
	char why[512];
	int e;

	while ((e = find_dev(&dev, why, sizeof(why))) == -2 && td_now() < end)
		td_sleep_poll();
	if (e) {
		fprintf(stderr, "%s\n", why);
		return 1;
	}
	printf("%s\n", dev.bdf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--devices"))
		return devices_main();
	if (argc == 6 && !strcmp(argv[1], "--set-type"))
		return set_type_main(argv + 2);
	return test_harness_run(argc, argv);
}
