// SPDX-License-Identifier: GPL-2.0-only
/*
 * iogroups: the kernel's IOMMU groups, and why devices share them.
 *
 *   iogroups [list]              the running kernel's groups (its own view,
 *                                read from /sys/kernel/iommu_groups)
 *   iogroups explain BDF         why BDF shares its group, per the model
 *   iogroups check               model versus kernel on this machine
 *   iogroups predict --dump F    the model's groups for an lspci -xxxx dump
 *                                or lspci -vvnn record
 *   iogroups quirks              the kernel quirks the model applies
 *
 * Exit status: 0 fine, 1 the model and the kernel differ (check), 2 usage
 * or I/O error.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "groups_listing.h"
#include "model.h"
#include "pci_quirks.h"
#include "pci_topo.h"

#define EXIT_DIFF 1
#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: iogroups [list] [--sysfs ROOT] [--json]\n"
	"       iogroups explain BDF [--iommu KIND] [--dump FILE] [--bound BDF,...] [--kernel V] [--sysfs ROOT] [--json]\n"
	"       iogroups check [--iommu KIND] [--bound BDF,...] [--kernel V] [--groups-only] [--sysfs ROOT] [--json]\n"
	"       iogroups predict --dump FILE --iommu KIND [--bound BDF,...] [--kernel V] [--json] [--times]\n"
	"                        [--expect GROUPS]\n"
	"       iogroups quirks [--kernel V] [--json]\n"
	"\n"
	"  list      the kernel's IOMMU groups: members with names, type, reserved regions\n"
	"  explain   why a device is in its group, per the reference model (rules R3-R9\n"
	"            of spec/iommu-groups.md): aliasing bridges, missing ACS bits, shared slots,\n"
	"            the kernel quirk that decided\n"
	"  check     compare the model's prediction with the kernel's groups (exit 1 if they differ;\n"
	"            groups the input cannot decide are listed, not compared)\n"
	"  predict   the model's groups for an `lspci -xxxx` dump or an `lspci -vvnn` record,\n"
	"            offline (an `lspci -xxx` dump loads too: groups that need its missing\n"
	"            bytes are marked undecidable)\n"
	"  quirks    the kernel's grouping quirks the model knows, for one kernel version\n"
	"\n"
	"  --iommu KIND       intel, amd or virtio (default: from ROOT/class/iommu)\n"
	"  --bound BDF,...    virtio-iommu: devices with a driver bound, in probe order\n"
	"                     (default on a live system: those with a driver link)\n"
	"  --kernel V         the kernel under test, e.g. 6.1 or 6.12: which quirks apply\n"
	"                     (default: the running kernel on a live system, else 6.12)\n"
	"  --domain-type T    the default domain type to predict (default DMA)\n"
	"  --groups-only      check membership and IDs, not reserved_regions and type\n"
	"  --sysfs ROOT       read ROOT instead of /sys\n"
	"  --dump FILE        read config space from an lspci -xxxx dump, or\n"
	"                     lspci -vvnn text (told apart by content)\n"
	"  --json             machine-readable output\n"
	"  --times            predict: milliseconds spent loading, booting and printing, on stderr\n"
	"  --expect FILE      predict: compare with the kernel's groups as FILE lists them\n"
	"                     (lspci -v \"IOMMU group:\" lines, \"Adding to iommu group\"\n"
	"                     kernel log lines or \"IOMMU Group N: BDF\" lines); exit 1 if\n"
	"                     they differ\n";

struct args {
	const char *cmd;
	const char *bdf;
	const char *sysfs; /* NULL: /sys */
	const char *dump;
	const char *iommu;
	const char *domain_type;
	const char *kernel; /* --kernel, NULL: see kernel_of */
	char **bound;
	size_t nr_bound;
	bool bound_given;
	bool json;
	bool groups_only;
	bool times;
	const char *expect; /* predict: a record of the kernel's groups */
	/* --times: CLOCK_MONOTONIC ms at the start, after load, after boot */
	double t_start, t_loaded, t_booted;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *root_of(const struct args *a)
{
	return a->sysfs ? a->sysfs : "/sys";
}

static void die_oom(void)
{
	fprintf(stderr, "iogroups: out of memory\n");
	exit(EXIT_USAGE);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d)
		die_oom();
	return d;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die_oom();
	return p;
}

/* ---- JSON ------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; s && *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* reserved_regions text as an array of {start, end, type}. */
static void json_resv(FILE *f, const char *text)
{
	const char *s = text ? text : "";
	bool first = true;

	fputc('[', f);
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		char line[256], start[32], end[32], type[64];

		snprintf(line, sizeof(line), "%.*s", (int)n, s);
		if (sscanf(line, "%31s %31s %63s", start, end, type) == 3) {
			fprintf(f, "%s{\"start\":", first ? "" : ",");
			json_str(f, start);
			fputs(",\"end\":", f);
			json_str(f, end);
			fputs(",\"type\":", f);
			json_str(f, type);
			fputc('}', f);
			first = false;
		}
		s += n + (e ? 1 : 0);
	}
	fputc(']', f);
}

/* ---- the kernel's view (sysfs) ---------------------------------------- */

/* snprintf for paths; a path too long for PATH_MAX is an error, not cut. */
static int pathf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

struct kdev {
	char *name; /* devices/ entry */
	char *label; /* pci.ids name, "" if none */
};

struct kgroup {
	long id;
	struct kdev *devs;
	size_t nr;
	char *resv; /* NULL if the file is absent */
	char *type; /* NULL if absent; newline stripped */
};

struct kview {
	struct kgroup *g;
	size_t nr;
};

/* Whole small file, NUL-terminated; NULL with errno. */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = (len + 4096 + 1) * 2;
			buf = xrealloc(buf, cap);
		}
		size_t n = fread(buf + len, 1, 4096, f);

		len += n;
		if (n < 4096)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		free(buf);
		errno = e ? e : EIO;
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static int cmp_kdev(const void *a, const void *b)
{
	return strcmp(((const struct kdev *)a)->name,
		      ((const struct kdev *)b)->name);
}

static int cmp_kgroup(const void *a, const void *b)
{
	const struct kgroup *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* A PCI device's pci.ids name from its sysfs vendor/device attributes. */
static char *pci_label(const char *root, const char *name)
{
	char path[PATH_MAX], buf[256];
	unsigned int v, d;
	char *vs, *ds;

	pathf(path, sizeof(path), "%s/bus/pci/devices/%s/vendor", root, name);
	vs = read_file(path);
	pathf(path, sizeof(path), "%s/bus/pci/devices/%s/device", root, name);
	ds = read_file(path);
	if (!vs || !ds || sscanf(vs, "%x", &v) != 1 ||
	    sscanf(ds, "%x", &d) != 1) {
		free(vs);
		free(ds);
		return xstrdup("");
	}
	free(vs);
	free(ds);
	return xstrdup(
		model_pci_name((uint16_t)v, (uint16_t)d, buf, sizeof(buf)));
}

static void kview_free(struct kview *k)
{
	for (size_t i = 0; i < k->nr; i++) {
		for (size_t j = 0; j < k->g[i].nr; j++) {
			free(k->g[i].devs[j].name);
			free(k->g[i].devs[j].label);
		}
		free(k->g[i].devs);
		free(k->g[i].resv);
		free(k->g[i].type);
	}
	free(k->g);
	memset(k, 0, sizeof(*k));
}

/* ROOT/kernel/iommu_groups; 0, or -1 with a message on stderr. */
static int kview_read(const char *root, struct kview *k)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	memset(k, 0, sizeof(*k));
	d = pathf(dir, sizeof(dir), "%s/kernel/iommu_groups", root)
		    ? NULL
		    : opendir(dir);
	if (!d) {
		fprintf(stderr, "iogroups: %s: %s%s\n", dir, strerror(errno),
			errno == ENOENT
				? " (kernel built without CONFIG_IOMMU_API?)"
				: "");
		return -1;
	}
	while ((e = readdir(d))) {
		struct kgroup g = {0};
		DIR *dd;

		if (!all_digits(e->d_name))
			continue;
		g.id = strtol(e->d_name, NULL, 10);
		pathf(path, sizeof(path), "%s/%s/devices", dir, e->d_name);
		dd = opendir(path);
		if (!dd) {
			fprintf(stderr, "iogroups: %s: %s\n", path,
				strerror(errno));
			closedir(d);
			kview_free(k);
			return -1;
		}
		for (struct dirent *m; (m = readdir(dd));) {
			if (m->d_name[0] == '.')
				continue;
			g.devs = xrealloc(g.devs, (g.nr + 1) * sizeof(*g.devs));
			g.devs[g.nr].name = xstrdup(m->d_name);
			g.devs[g.nr].label = pci_label(root, m->d_name);
			g.nr++;
		}
		closedir(dd);
		if (g.nr)
			qsort(g.devs, g.nr, sizeof(*g.devs), cmp_kdev);
		pathf(path, sizeof(path), "%s/%s/reserved_regions", dir,
		      e->d_name);
		g.resv = read_file(path);
		pathf(path, sizeof(path), "%s/%s/type", dir, e->d_name);
		g.type = read_file(path);
		if (g.type)
			g.type[strcspn(g.type, "\n")] = '\0';
		k->g = xrealloc(k->g, (k->nr + 1) * sizeof(*k->g));
		k->g[k->nr++] = g;
	}
	closedir(d);
	if (k->nr)
		qsort(k->g, k->nr, sizeof(*k->g), cmp_kgroup);
	return 0;
}

static const struct kgroup *kview_find(const struct kview *k, const char *bdf)
{
	for (size_t i = 0; i < k->nr; i++)
		for (size_t j = 0; j < k->g[i].nr; j++)
			if (!strcmp(k->g[i].devs[j].name, bdf))
				return &k->g[i];
	return NULL;
}

static void print_resv_text(FILE *f, const char *resv, const char *indent)
{
	const char *s = resv;

	if (!s) {
		fprintf(f, "%s(no reserved_regions file)\n", indent);
		return;
	}
	if (!*s)
		fprintf(f, "%s(none)\n", indent);
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);

		fprintf(f, "%s%.*s\n", indent, (int)n, s);
		s += n + (e ? 1 : 0);
	}
}

static int cmd_list(const struct args *a)
{
	struct kview k;

	if (kview_read(root_of(a), &k))
		return EXIT_USAGE;
	if (a->json) {
		printf("{\"groups\":[");
		for (size_t i = 0; i < k.nr; i++) {
			const struct kgroup *g = &k.g[i];

			printf("%s{\"id\":%ld,\"type\":", i ? "," : "", g->id);
			if (g->type)
				json_str(stdout, g->type);
			else
				printf("null");
			printf(",\"reserved_regions\":");
			json_resv(stdout, g->resv);
			printf(",\"devices\":[");
			for (size_t j = 0; j < g->nr; j++) {
				printf("%s{\"bdf\":", j ? "," : "");
				json_str(stdout, g->devs[j].name);
				printf(",\"name\":");
				json_str(stdout, g->devs[j].label);
				printf("}");
			}
			printf("]}");
		}
		printf("]}\n");
	} else if (!k.nr) {
		printf("no IOMMU groups in %s/kernel/iommu_groups\n",
		       root_of(a));
	}
	for (size_t i = 0; !a->json && i < k.nr; i++) {
		const struct kgroup *g = &k.g[i];

		printf("IOMMU group %ld (type %s)\n", g->id,
		       g->type ? g->type : "?");
		for (size_t j = 0; j < g->nr; j++)
			printf("    %s  %s\n", g->devs[j].name,
			       g->devs[j].label);
		printf("  reserved regions:\n");
		print_resv_text(stdout, g->resv, "    ");
	}
	kview_free(&k);
	return 0;
}

/* ---- the model's view --------------------------------------------------- */

/* IOMMU kind from ROOT/class/iommu names: dmar* (VT-d), ivhd* (AMD-Vi). */
static int detect_iommu(const char *root, enum model_iommu_kind *kind)
{
	return model_iommu_kind_detect(root, kind, NULL, 0);
}

/* Devices with a driver link, in BDF order (the probe order is unknown). */
static void live_bound(const char *root, struct args *a)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent **list;
	int n;

	pathf(dir, sizeof(dir), "%s/bus/pci/devices", root);
	n = scandir(dir, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		pathf(path, sizeof(path), "%s/%s/driver", dir, list[i]->d_name);
		if (list[i]->d_name[0] != '.' && !access(path, F_OK)) {
			a->bound = xrealloc(a->bound,
					    (a->nr_bound + 1) * sizeof(char *));
			a->bound[a->nr_bound++] = xstrdup(list[i]->d_name);
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

/*
 * The kernel whose quirks apply: --kernel, else the running one when the
 * input is this machine's /sys, else the model's default.  0, or -1 after
 * a message.
 */
static int kernel_of(const struct args *a, unsigned int *kernel)
{
	*kernel = 0;
	if (a->kernel) {
		if (!model_kernel_parse(a->kernel, kernel))
			return 0;
		fprintf(stderr,
			"iogroups: --kernel '%s': want a version such as 6.1 or 6.12\n",
			a->kernel);
		return -1;
	}
	if (!a->dump && !strcmp(root_of(a), "/sys") &&
	    model_kernel_running(kernel))
		*kernel = 0;
	return 0;
}

/* Load, choose the vendor, boot.  NULL after a message on stderr. */
static struct model *model_run(struct args *a, bool need_kind_live)
{
	struct model_opts o = {0};
	char err[MODEL_ERR_LEN];
	struct model *m;

	if (kernel_of(a, &o.kernel))
		return NULL;
	if (a->iommu) {
		if (model_iommu_kind_parse(a->iommu, &o.iommu)) {
			fprintf(stderr,
				"iogroups: unknown IOMMU kind '%s' (intel, amd, virtio)\n",
				a->iommu);
			return NULL;
		}
	} else if (a->dump || !need_kind_live ||
		   detect_iommu(root_of(a), &o.iommu)) {
		fprintf(stderr,
			"iogroups: cannot tell the IOMMU kind%s%s%s: pass --iommu intel|amd|virtio\n",
			a->dump ? "" : " from ", a->dump ? "" : root_of(a),
			a->dump ? "" : "/class/iommu");
		return NULL;
	}
	if (o.iommu == MODEL_IOMMU_VIRTIO && !a->bound_given && !a->dump)
		live_bound(root_of(a), a);
	o.bound = (const char *const *)a->bound;
	o.nr_bound = a->nr_bound;
	o.default_domain_type = a->domain_type;

	a->t_start = now_ms();
	if (a->dump ? model_load_dump(&m, a->dump, err, sizeof(err))
		    : model_load_live(&m, a->sysfs, err, sizeof(err))) {
		fprintf(stderr, "iogroups: %s\n", err);
		return NULL;
	}
	a->t_loaded = now_ms();
	if (model_boot(m, &o, err, sizeof(err))) {
		fprintf(stderr, "iogroups: %s\n", err);
		model_free(m);
		return NULL;
	}
	a->t_booted = now_ms();
	return m;
}

static const char *certainty_name(enum model_certainty c)
{
	switch (c) {
	case MODEL_DECIDED:
		break;
	case MODEL_ID_UNDECIDABLE:
		return "id-undecidable";
	case MODEL_UNDECIDABLE:
		return "undecidable";
	}
	return "decided";
}

static size_t nr_undecidable(const struct model_partition *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->nr; i++)
		n += p->groups[i].certainty != MODEL_DECIDED;
	return n;
}

static void print_partition(const struct model_partition *p, bool json,
			    unsigned int kernel)
{
	char kv[16];

	model_kernel_str(kernel, kv, sizeof(kv));
	if (json) {
		printf("{\"kernel\":");
		json_str(stdout, kv);
		printf(",\"undecidable\":%zu,\"groups\":[", nr_undecidable(p));
		for (size_t i = 0; i < p->nr; i++) {
			const struct model_pgroup *g = &p->groups[i];

			printf("%s{\"id\":%d,\"type\":", i ? "," : "", g->id);
			json_str(stdout, g->type);
			printf(",\"certainty\":");
			json_str(stdout, certainty_name(g->certainty));
			printf(",\"undecidable\":");
			if (g->undecidable)
				json_str(stdout, g->undecidable);
			else
				printf("null");
			printf(",\"reserved_regions\":");
			json_resv(stdout, g->resv);
			printf(",\"devices\":[");
			for (size_t j = 0; j < g->nr; j++) {
				const struct model_pdev *d =
					model_partition_dev(p, g->bdfs[j]);

				printf("%s{\"bdf\":", j ? "," : "");
				json_str(stdout, g->bdfs[j]);
				printf(",\"name\":");
				json_str(stdout, d ? d->name : "");
				printf(",\"why\":");
				json_str(stdout, d ? d->why : "");
				printf("}");
			}
			printf("]}");
		}
		printf("],\"ungrouped\":[");
		bool first = true;
		for (size_t i = 0; i < p->nr_devs; i++) {
			if (p->devs[i].group >= 0)
				continue;
			printf("%s{\"bdf\":", first ? "" : ",");
			json_str(stdout, p->devs[i].bdf);
			printf(",\"name\":");
			json_str(stdout, p->devs[i].name);
			printf(",\"why\":");
			json_str(stdout, p->devs[i].why);
			printf("}");
			first = false;
		}
		printf("]}\n");
		return;
	}
	for (size_t i = 0; i < p->nr; i++) {
		const struct model_pgroup *g = &p->groups[i];

		printf("IOMMU group %d (type %s)\n", g->id, g->type);
		if (g->undecidable)
			printf("  %s\n", g->undecidable);
		for (size_t j = 0; j < g->nr; j++) {
			const struct model_pdev *d =
				model_partition_dev(p, g->bdfs[j]);

			printf("    %s  %s\n        %s\n", g->bdfs[j],
			       d ? d->name : "", d ? d->why : "");
		}
		printf("  reserved regions:\n");
		print_resv_text(stdout, g->resv, "    ");
	}
	for (size_t i = 0; i < p->nr_devs; i++)
		if (p->devs[i].group < 0)
			printf("no group: %s  %s\n        %s\n", p->devs[i].bdf,
			       p->devs[i].name, p->devs[i].why);
	if (nr_undecidable(p))
		printf("%zu of %zu groups cannot be decided from this input (kernel %s quirks)\n",
		       nr_undecidable(p), p->nr, kv);
}

/*
 * predict --expect: the prediction against a record of the kernel's groups
 * (membership and IDs; a record holds no reserved regions).  0 if equal,
 * 1 if not (the differences on stdout), EXIT_USAGE if unreadable.
 */
static int compare_listing(const struct args *a, const struct model_partition *p)
{
	struct model_observed_group *obs;
	struct groups_listing l;
	char err[512], *diff = NULL;
	int n;

	if (groups_listing_load(a->expect, &l, err, sizeof(err))) {
		fprintf(stderr, "iogroups: %s\n", err);
		return EXIT_USAGE;
	}
	obs = calloc(l.nr, sizeof(*obs));
	if (!obs)
		die_oom();
	for (size_t i = 0; i < l.nr; i++)
		obs[i] = (struct model_observed_group){
			.id = l.g[i].id,
			.bdfs = (const char *const *)l.g[i].bdfs,
			.nr = l.g[i].nr,
		};
	n = model_compare(p, obs, l.nr, &diff);
	if (n < 0)
		die_oom();
	if (n)
		printf("%s: %d difference(s) from the model's prediction:\n%s",
		       a->expect, n, diff ? diff : "");
	else
		printf("%s: equal to the model's prediction (%zu groups, %zu "
		       "devices)\n",
		       a->expect, l.nr, l.devices);
	free(diff);
	free(obs);
	groups_listing_free(&l);
	return n ? 1 : 0;
}

static int cmd_predict(struct args *a)
{
	struct model_partition p;
	struct model *m;
	unsigned int kernel;
	int ret = 0;

	if (!a->dump || !a->iommu) {
		fprintf(stderr,
			"iogroups: predict needs --dump FILE and --iommu KIND\n%s",
			usage_text);
		return EXIT_USAGE;
	}
	m = model_run(a, false);
	if (!m)
		return EXIT_USAGE;
	if (model_partition(m, &p))
		die_oom();
	if (kernel_of(a, &kernel))
		kernel = 0;
	if (a->expect)
		ret = compare_listing(a, &p);
	else
		print_partition(&p, a->json, kernel);
	model_partition_free(&p);
	model_free(m);
	/* Load is libpci's dump reader and pci.ids; the rest is the model. */
	if (a->times) {
		fflush(stdout);
		fprintf(stderr,
			"iogroups: times: load %.2f ms, boot %.2f ms, output %.2f ms\n",
			a->t_loaded - a->t_start, a->t_booted - a->t_loaded,
			now_ms() - a->t_booted);
	}
	return ret;
}

static int cmd_explain(struct args *a)
{
	struct model_partition p;
	const struct model_pdev *d;
	struct kview k = {0};
	bool have_k = false;
	struct model *m;
	char *text;

	if (!a->bdf) {
		fprintf(stderr, "iogroups: explain needs a BDF\n%s",
			usage_text);
		return EXIT_USAGE;
	}
	m = model_run(a, true);
	if (!m)
		return EXIT_USAGE;
	if (model_partition(m, &p))
		die_oom();
	d = model_partition_dev(&p, a->bdf);
	if (!d) {
		fprintf(stderr, "iogroups: %s: no such PCI device in %s\n",
			a->bdf, model_topo(m)->source);
		model_partition_free(&p);
		model_free(m);
		return EXIT_USAGE;
	}
	/* Live: show the kernel's group beside the model's reasoning. */
	if (!a->dump && !kview_read(root_of(a), &k))
		have_k = true;
	const struct kgroup *kg = have_k ? kview_find(&k, d->bdf) : NULL;
	const struct model_pgroup *g = model_partition_group(&p, d->group);

	if (a->json) {
		printf("{\"bdf\":");
		json_str(stdout, d->bdf);
		printf(",\"name\":");
		json_str(stdout, d->name);
		if (g)
			printf(",\"group\":%d", g->id);
		else
			printf(",\"group\":null");
		printf(",\"why\":");
		json_str(stdout, d->why);
		printf(",\"undecidable\":");
		if (g && g->undecidable)
			json_str(stdout, g->undecidable);
		else
			printf("null");
		printf(",\"members\":[");
		for (size_t i = 0; g && i < g->nr; i++) {
			const struct model_pdev *o =
				model_partition_dev(&p, g->bdfs[i]);

			printf("%s{\"bdf\":", i ? "," : "");
			json_str(stdout, g->bdfs[i]);
			printf(",\"why\":");
			json_str(stdout, o ? o->why : "");
			printf("}");
		}
		printf("]");
		if (have_k) {
			printf(",\"kernel_group\":");
			if (kg) {
				printf("{\"id\":%ld,\"devices\":[", kg->id);
				for (size_t i = 0; i < kg->nr; i++) {
					printf("%s", i ? "," : "");
					json_str(stdout, kg->devs[i].name);
				}
				printf("]}");
			} else {
				printf("null");
			}
		}
		printf("}\n");
	} else {
		text = model_explain(m, d->bdf);
		if (!text)
			die_oom();
		fputs(text, stdout);
		free(text);
		if (have_k && kg) {
			printf("  kernel: group %ld:", kg->id);
			for (size_t i = 0; i < kg->nr; i++)
				printf(" %s", kg->devs[i].name);
			printf("\n");
		} else if (have_k) {
			printf("  kernel: no group\n");
		}
	}
	kview_free(&k);
	model_partition_free(&p);
	model_free(m);
	return 0;
}

static int cmd_check(struct args *a)
{
	struct model_observed_group *obs;
	struct model_partition p;
	struct kview k;
	struct model *m;
	char *diff = NULL;
	int n;

	if (a->dump) {
		fprintf(stderr,
			"iogroups: check compares with the running kernel; use predict for a dump\n");
		return EXIT_USAGE;
	}
	m = model_run(a, true);
	if (!m)
		return EXIT_USAGE;
	if (kview_read(root_of(a), &k)) {
		model_free(m);
		return EXIT_USAGE;
	}
	if (model_partition(m, &p))
		die_oom();
	obs = calloc(k.nr ? k.nr : 1, sizeof(*obs));
	if (!obs)
		die_oom();
	for (size_t i = 0; i < k.nr; i++) {
		const char **v = calloc(k.g[i].nr ? k.g[i].nr : 1, sizeof(*v));

		if (!v)
			die_oom();
		for (size_t j = 0; j < k.g[i].nr; j++)
			v[j] = k.g[i].devs[j].name;
		obs[i].id = k.g[i].id;
		obs[i].bdfs = v;
		obs[i].nr = k.g[i].nr;
		obs[i].resv = a->groups_only ? NULL : k.g[i].resv;
		obs[i].type = a->groups_only ? NULL : k.g[i].type;
	}
	n = model_compare(&p, obs, k.nr, &diff);
	if (n < 0)
		die_oom();
	if (a->json) {
		printf("{\"iommu\":");
		json_str(stdout, a->iommu ? a->iommu : "detected");
		printf(",\"model_groups\":%zu,\"kernel_groups\":%zu,\"differences\":%d,\"undecidable\":%zu,\"undecidable_groups\":[",
		       p.nr, k.nr, n, nr_undecidable(&p));
		for (size_t i = 0, c = 0; i < p.nr; i++) {
			const struct model_pgroup *g = &p.groups[i];

			if (g->certainty == MODEL_DECIDED)
				continue;
			printf("%s{\"id\":%d,\"certainty\":", c++ ? "," : "",
			       g->id);
			json_str(stdout, certainty_name(g->certainty));
			printf(",\"devices\":[");
			for (size_t j = 0; j < g->nr; j++) {
				printf("%s", j ? "," : "");
				json_str(stdout, g->bdfs[j]);
			}
			printf("],\"why\":");
			json_str(stdout, g->undecidable);
			printf("}");
		}
		printf("],\"report\":");
		json_str(stdout, diff);
		printf("}\n");
	} else if (n) {
		printf("model and kernel differ (%d difference%s):\n%s", n,
		       n == 1 ? "" : "s", diff);
	} else if (nr_undecidable(&p)) {
		/* Not a deviation: the input lacks what would decide them. */
		printf("ok: the kernel agrees with every group the model can decide; %zu of its %zu groups cannot be decided from the input and were not compared:\n%s",
		       nr_undecidable(&p), p.nr, diff);
	} else {
		printf("ok: the kernel's %zu groups are the model's\n", k.nr);
	}
	free(diff);
	for (size_t i = 0; i < k.nr; i++)
		free((void *)obs[i].bdfs);
	free(obs);
	kview_free(&k);
	model_partition_free(&p);
	model_free(m);
	return n ? EXIT_DIFF : 0;
}

/* The quirk rows that apply to one kernel version, and how many. */
static int cmd_quirks(const struct args *a)
{
	size_t nr, n = 0, n_acs = 0;
	const struct model_quirk *q = model_quirks(&nr);
	char kv[16], col[16], ids[96], effect[200], kernels[16];
	unsigned int kernel;

	if (kernel_of(a, &kernel))
		return EXIT_USAGE;
	model_kernel_str(kernel, kv, sizeof(kv));
	snprintf(col, sizeof(col), "%s",
		 model_kernel_column(kernel) == MODEL_K6_1 ? "6.1" : "6.12");
	if (a->json)
		printf("{\"kernel\":\"%s\",\"table\":\"%s\",\"rows\":[", kv,
		       col);
	for (size_t i = 0; i < nr; i++, q++) {
		if (!model_quirk_in_kernel(q, kernel))
			continue;
		model_quirk_ids(q, ids, sizeof(ids));
		model_quirk_effect(q, effect, sizeof(effect));
		model_quirk_kernels(q, kernels, sizeof(kernels));
		n_acs += q->kind <= MODEL_QK_ACS_INTEL_SPT;
		if (a->json) {
			printf("%s{\"ids\":", n ? "," : "");
			json_str(stdout, ids);
			printf(",\"fn\":");
			json_str(stdout, q->fn);
			printf(",\"what\":");
			json_str(stdout, q->what);
			printf(",\"asserts\":");
			json_str(stdout, effect);
			printf(",\"kernels\":");
			json_str(stdout, kernels);
			printf("}");
		} else {
			printf("%-34s %s [%s]\n    %s: %s\n", ids, q->fn,
			       kernels, q->what, effect);
		}
		n++;
	}
	if (a->json)
		printf("],\"count\":%zu,\"acs\":%zu,\"fixups\":%zu}\n", n,
		       n_acs, n - n_acs);
	else
		printf("%zu rows for kernel %s (%zu ACS, %zu header fixups), from drivers/pci/quirks.c of Debian's linux-source-%s\n",
		       n, kv, n_acs, n - n_acs,
		       !strcmp(col, "6.1") ? "6.1 (6.1.192)"
					   : "6.12 (6.12.118)");
	return 0;
}

/* "a,b c" -> appended to a->bound */
static void add_bound(struct args *a, const char *list)
{
	char *copy = xstrdup(list), *save = NULL;

	for (char *t = strtok_r(copy, ", \t\n", &save); t;
	     t = strtok_r(NULL, ", \t\n", &save)) {
		a->bound =
			xrealloc(a->bound, (a->nr_bound + 1) * sizeof(char *));
		a->bound[a->nr_bound++] = xstrdup(t);
	}
	free(copy);
	a->bound_given = true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"sysfs", required_argument, NULL, 's'},
		{"dump", required_argument, NULL, 'd'},
		{"iommu", required_argument, NULL, 'i'},
		{"bound", required_argument, NULL, 'b'},
		{"domain-type", required_argument, NULL, 't'},
		{"groups-only", no_argument, NULL, 'g'},
		{"times", no_argument, NULL, 'T'},
		{"expect", required_argument, NULL, 'e'},
		{"kernel", required_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct args a = {0};
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			a.json = true;
			break;
		case 's':
			a.sysfs = optarg;
			break;
		case 'd':
			a.dump = optarg;
			break;
		case 'i':
			a.iommu = optarg;
			break;
		case 'b':
			add_bound(&a, optarg);
			break;
		case 't':
			a.domain_type = optarg;
			break;
		case 'k':
			a.kernel = optarg;
			break;
		case 'g':
			a.groups_only = true;
			break;
		case 'T':
			a.times = true;
			break;
		case 'e':
			a.expect = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	a.cmd = optind < argc ? argv[optind++] : "list";
	if (!strcmp(a.cmd, "explain") && optind < argc)
		a.bdf = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "iogroups: unexpected argument '%s'\n%s",
			argv[optind], usage_text);
		return EXIT_USAGE;
	}
	if (!strcmp(a.cmd, "list"))
		ret = cmd_list(&a);
	else if (!strcmp(a.cmd, "explain"))
		ret = cmd_explain(&a);
	else if (!strcmp(a.cmd, "check"))
		ret = cmd_check(&a);
	else if (!strcmp(a.cmd, "predict"))
		ret = cmd_predict(&a);
	else if (!strcmp(a.cmd, "quirks"))
		ret = cmd_quirks(&a);
	else if (!strcmp(a.cmd, "help")) {
		fputs(usage_text, stdout);
		ret = 0;
	} else {
		fprintf(stderr, "iogroups: unknown command '%s'\n%s", a.cmd,
			usage_text);
		ret = EXIT_USAGE;
	}
	for (size_t i = 0; i < a.nr_bound; i++)
		free(a.bound[i]);
	free(a.bound);
	return ret;
}
