/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * iogroups internals shared by harness/iogroups.c and its commands: the
 * options, the kernel's view of the groups, helpers and the commands.
 */
#ifndef IOG_IOGROUPS_H
#define IOG_IOGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model.h"

#define EXIT_DIFF 1
#define EXIT_USAGE 2

/* The usage message (iogroups.c); some commands print it on an error. */
extern const char usage_text[];

/* The command line, as main() parsed it. */
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

/* The kernel's groups as sysfs shows them, sorted by id (list.c). */
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

/* util.c */
double now_ms(void);
const char *root_of(const struct args *a);
void die_oom(void) __attribute__((noreturn));
char *xstrdup(const char *s);
void *xrealloc(void *p, size_t n);
void print_json_str(FILE *f, const char *s);
void print_json_str_or_null(FILE *f, const char *s);
void print_json_resv(FILE *f, const char *text);
/* snprintf for paths; a path too long for PATH_MAX is an error, not cut. */
int pathf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
char *read_file(const char *path);
void print_resv_text(FILE *f, const char *resv, const char *indent);

/* list.c: the kernel's view, ROOT/kernel/iommu_groups */
int kview_read(const char *root, struct kview *k);
void kview_free(struct kview *k);
const struct kgroup *kview_find(const struct kview *k, const char *bdf);

/* run.c: the model's view */
int kernel_of(const struct args *a, unsigned int *kernel);
struct model *model_run(struct args *a, bool need_kind_live);
const char *certainty_name(enum model_certainty c);
size_t nr_undecidable(const struct model_partition *p);
/* Its groups of certainty c. */
size_t nr_certain(const struct model_partition *p, enum model_certainty c);

/* The commands, each in a file of its name: an exit status. */
int cmd_list(const struct args *a);
int cmd_explain(struct args *a);
int cmd_check(struct args *a);
int cmd_predict(struct args *a);
int cmd_quirks(const struct args *a);

#endif /* IOG_IOGROUPS_H */
