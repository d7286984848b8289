// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shared code of the guest suites (suite.h declares it), linked into
 * every suite program.
 */
#include "ksft_helpers.h"
#include "suite.h"

/* stdout must not sit on lines stderr has overtaken (suite.h). */
static void __attribute__((constructor)) suite_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

void suite_print_partition(FILE *out, const char *title,
			   const struct sysfs_partition *part, bool with_ids)
{
	if (!part->nr)
		fprintf(out, "# %s: none\n", title);
	for (size_t i = 0; i < part->nr; i++) {
		char *s = sysfs_pgroup_str(&part->groups[i]);

		if (with_ids)
			fprintf(out, "# %s group %ld %s\n", title,
				part->groups[i].id, s ? s : "?");
		else
			fprintf(out, "# %s group %s\n", title, s ? s : "?");
		free(s);
	}
	fflush(out);
}

void suite_print_text(FILE *out, const char *indent, const char *text)
{
	const char *s = text ? text : "";

	while (*s) {
		size_t n = strcspn(s, "\n");

		fprintf(out, "# %s%.*s\n", indent, (int)n, s);
		s += n + (s[n] == '\n');
	}
	fflush(out);
}

static int suite_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double suite_median(const double *v, size_t n)
{
	double s[n];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), suite_cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

int suite_kmsg_next(int fd, char *msg, size_t len)
{
	char rec[2048], *m;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		if (!n)
			return 0;
		rec[n] = '\0';
		m = strchr(rec, ';');
		m = m ? m + 1 : rec;
		n = strcspn(m, "\n");
		if ((size_t)n >= len)
			n = len - 1;
		memcpy(msg, m, n);
		msg[n] = '\0';
		return 1;
	}
}

void suite_model_put(struct suite_model *sm)
{
	for (size_t i = 0; i < sm->nr_bound; i++)
		free(sm->bound[i].bdf);
	free(sm->bound);
	model_probes_free(&sm->probes);
	if (sm->have_p)
		model_partition_free(&sm->p);
	model_free(sm->m);
	memset(sm, 0, sizeof(*sm));
}

int suite_pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return -1;
	}
	return 0;
}

/* The PCI alias file (model/probe.h): IOG_PCI_ALIASES, or the image's. */
static const char *suite_pci_aliases_path(void)
{
	const char *e = getenv("IOG_PCI_ALIASES");

	return e && *e ? e : "/etc/iog/pci-aliases";
}

/*
 * virtio-iommu's input: the devices a registered driver's ID table
 * matches (or that are bound), in predicted probe order (model/probe.h),
 * from the alias file harness/image.sh ships and the drivers and modules
 * sysfs shows.  0; 1 if it cannot be derived here (no alias file, a
 * driver whose table is unknown), with the reason in why; -1 on error.
 */
static int suite_virtio_probed(const char *root, struct suite_model *sm,
			       char *why, size_t whylen)
{
	const char *order = getenv("IOG_MODULE_ORDER");
	struct model_pci_aliases a = {0};
	char err[MODEL_PROBE_WHY_LEN];
	int ret;

	if (model_pci_aliases_load(&a, suite_pci_aliases_path(), err,
				   sizeof(err))) {
		snprintf(why, whylen,
			 "virtio-iommu groups the devices a driver probes, "
			 "and which those are comes from the drivers' ID "
			 "tables: %s",
			 err);
		return 1;
	}
	ret = model_probes_live(model_topo(sm->m), root, &a, order, &sm->probes,
				err, sizeof(err));
	model_pci_aliases_free(&a);
	if (ret) {
		snprintf(why, whylen, "deriving the probed devices: %s", err);
		return -1;
	}
	if (!sm->probes.complete) {
		snprintf(why, whylen,
			 "virtio-iommu groups the devices a driver probes, "
			 "and which those are cannot be derived: %s",
			 sm->probes.incomplete);
		return 1;
	}
	sm->bound =
		calloc(sm->probes.nr ? sm->probes.nr : 1, sizeof(*sm->bound));
	if (!sm->bound) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < sm->probes.nr; i++) {
		struct suite_bound *b = &sm->bound[sm->nr_bound];

		b->bdf = strdup(sm->probes.v[i].bdf);
		if (!b->bdf) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		snprintf(b->module, sizeof(b->module), "%s",
			 sm->probes.v[i].module);
		b->rank = (long)i;
		sm->nr_bound++;
	}
	if (!sm->probes.order_known) {
		sm->order_known = false;
		if (!order || !order[strspn(order, " \t\n")])
			snprintf(sm->order_why, sizeof(sm->order_why),
				 "virtio-iommu numbers groups in driver probe "
				 "order and IOG_MODULE_ORDER is not set: the "
				 "order is unknown (R1, R2)");
		else
			snprintf(sm->order_why, sizeof(sm->order_why),
				 "virtio-iommu numbers groups in driver probe "
				 "order, and %s (IOG_MODULE_ORDER): the order "
				 "is unknown (R1, R2)",
				 sm->probes.order_why);
	}
	return 0;
}

/*
 * After the prediction: the IDs are known only if every grouped device's
 * probe time is, and if the grouped devices do not come both from the
 * deferred-probe retry and from modules loaded after virtio_iommu.  The
 * retry runs on system_unbound_wq (drivers/base/dd.c) while /init loads
 * the next module without waiting for it, so those two race.
 */
static void suite_virtio_order_check(struct suite_model *sm)
{
	const char *order = getenv("IOG_MODULE_ORDER");
	const struct model_probe *deferred = NULL, *at_load = NULL;

	for (size_t i = 0; sm->order_known && i < sm->probes.nr; i++) {
		const struct model_probe *b = &sm->probes.v[i];
		const struct model_pdev *d =
			model_partition_dev(&sm->p, b->bdf);

		if (!d || d->group < 0)
			continue;
		if (b->when == MODEL_PROBE_DEFERRED && !deferred)
			deferred = b;
		if (b->when == MODEL_PROBE_AT_LOAD && !at_load)
			at_load = b;
		if (b->when != MODEL_PROBE_UNKNOWN)
			continue;
		sm->order_known = false;
		snprintf(
			sm->order_why, sizeof(sm->order_why),
			"%s's driver module %s is not in IOG_MODULE_ORDER='%s': "
			"the probe order is unknown (R1, R2)",
			b->bdf, b->module[0] ? b->module : b->driver,
			order ? order : "");
	}
	if (sm->order_known && deferred && at_load) {
		sm->order_known = false;
		snprintf(sm->order_why, sizeof(sm->order_why),
			 "virtio-iommu groups %s (%s, deferred until "
			 "virtio_iommu registered) from the deferred-probe "
			 "work and %s (%s) as its module loads; /init loads "
			 "the next module without waiting for that work "
			 "(drivers/base/dd.c: system_unbound_wq), so which "
			 "comes first is a race: the IDs are not predictable "
			 "(R1, R2)",
			 deferred->bdf, deferred->driver, at_load->bdf,
			 at_load->driver);
	}
}

bool suite_model_get(struct __test_metadata *_metadata, struct suite_model *sm)
{
	const char *root = sysfs_root(), *env = getenv("IOG_IOMMU");
	const char **bdfs = NULL;
	struct model_opts o = {0};
	char err[MODEL_ERR_LEN];
	bool must = suite_expect_groups();
	int bad;

	if (env && *env) {
		if (!strcmp(env, "none"))
			SKIP(return false,
				    "IOG_IOMMU=none: no IOMMU, so the model "
				    "predicts no groups to compare");
		bad = model_iommu_kind_parse(env, &sm->kind);
		ASSERT_EQ(0, bad)
		TH_LOG("IOG_IOMMU='%s': want intel, amd, virtio or none", env);
		snprintf(sm->kind_from, sizeof(sm->kind_from), "IOG_IOMMU=%s",
			 env);
	} else {
		bad = suite_detect_iommu(root, &sm->kind, sm->kind_from,
					 sizeof(sm->kind_from));
		if (bad && !must)
			SKIP(return false,
				    "IOMMU kind unknown: IOG_IOMMU unset and "
				    "%s/class/iommu names no dmar*, ivhd* or "
				    "virtio IOMMU",
				    root);
		ASSERT_EQ(0, bad)
		TH_LOG("IOMMU kind unknown although IOG_EXPECT_GROUPS=1: "
		       "IOG_IOMMU unset and %s/class/iommu names no dmar*, "
		       "ivhd* or virtio IOMMU",
		       root);
	}
	bad = model_load_live(&sm->m, root, err, sizeof(err));
	if (bad && !must)
		SKIP(return false, "reference model unavailable: %s", err);
	ASSERT_EQ(0, bad)
	TH_LOG("the reference model cannot read config space although "
	       "IOG_EXPECT_GROUPS=1 (the harness's guest runs as root): %s",
	       err);
	o.iommu = sm->kind;
	/* The kernel under test is the one running: its quirk rows apply. */
	if (!strcmp(root, "/sys") && model_kernel_running(&o.kernel))
		o.kernel = 0;
	sm->order_known = true;
	if (sm->kind == MODEL_IOMMU_VIRTIO) {
		char why[1024];
		size_t nb = 0;

		bad = suite_virtio_probed(root, sm, why, sizeof(why));
		/* Our own image always ships the alias file. */
		if (bad > 0 && must && access(suite_pci_aliases_path(), F_OK))
			bad = -1;
		if (bad > 0)
			SKIP(return false, "%s", why);
		ASSERT_EQ(0, bad)
		TH_LOG("%s%s", why,
		       must ? " (IOG_EXPECT_GROUPS=1: harness/image.sh ships "
			      "the alias file)"
			    : "");
		bdfs = calloc(2 * sm->nr_bound + 1, sizeof(*bdfs));
		ASSERT_NE(NULL, bdfs) TH_LOG("out of memory");
		for (size_t i = 0; i < sm->nr_bound; i++) {
			bdfs[i] = sm->bound[i].bdf;
			if (sm->probes.v[i].bound)
				bdfs[sm->nr_bound + nb++] = sm->bound[i].bdf;
		}
		o.probed = bdfs;
		o.nr_probed = sm->nr_bound;
		o.bound = bdfs + sm->nr_bound;
		o.nr_bound = nb;
	}
	bad = model_boot(sm->m, &o, err, sizeof(err));
	free(bdfs);
	ASSERT_EQ(0, bad) TH_LOG("reference model: %s", err);
	bad = model_partition(sm->m, &sm->p);
	ASSERT_EQ(0, bad) TH_LOG("reference model: out of memory");
	sm->have_p = true;
	if (sm->kind == MODEL_IOMMU_VIRTIO)
		suite_virtio_order_check(sm);
	TH_LOG("model: %s IOMMU (from %s), %zu PCI devices from %s, %zu "
	       "groups predicted",
	       model_iommu_kind_name(sm->kind), sm->kind_from,
	       model_topo(sm->m)->nr, model_topo(sm->m)->source, sm->p.nr);
	/* Config space read as root is complete: none, except on hosts. */
	for (size_t i = 0; i < sm->p.nr; i++)
		if (sm->p.groups[i].certainty != MODEL_DECIDED)
			TH_LOG("model group %d is not compared: %s",
			       sm->p.groups[i].id, sm->p.groups[i].undecidable);
	return true;
}

static int suite_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int suite_model_sysfs_partition(const struct model_partition *p,
				struct sysfs_partition *out)
{
	memset(out, 0, sizeof(*out));
	out->groups = calloc(p->nr ? p->nr : 1, sizeof(*out->groups));
	if (!out->groups)
		return -1;
	for (size_t i = 0; i < p->nr; i++) {
		struct sysfs_pgroup *g = &out->groups[out->nr++];

		g->id = p->groups[i].id;
		g->bdfs = calloc(p->groups[i].nr ? p->groups[i].nr : 1,
				 sizeof(*g->bdfs));
		if (!g->bdfs)
			goto oom;
		for (size_t j = 0; j < p->groups[i].nr; j++) {
			g->bdfs[j] = strdup(p->groups[i].bdfs[j]);
			if (!g->bdfs[j])
				goto oom;
			g->nr++;
		}
		qsort(g->bdfs, g->nr, sizeof(*g->bdfs), suite_cmp_str);
	}
	return 0;
oom:
	sysfs_partition_free(out);
	return -1;
}

void suite_print_model(FILE *out, const struct suite_model *sm,
		       const struct sysfs_partition *mp)
{
	suite_print_partition(out, "model", mp, true);
	for (size_t i = 0; i < sm->p.nr_devs; i++)
		if (sm->p.devs[i].group < 0)
			fprintf(out, "# model nogroup %s: %s\n",
				sm->p.devs[i].bdf, sm->p.devs[i].why);
	fflush(out);
}
