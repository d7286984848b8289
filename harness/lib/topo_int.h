/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Topology parser internals shared by topo*.c: the parse state, caps and
 * helpers.  Not part of the interface; that is topo.h.
 */
#ifndef IOG_TOPO_INT_H
#define IOG_TOPO_INT_H

#include "topo.h"

#include <stdbool.h>
#include <stdint.h>

/* Caps that keep the duplicate checks cheap on hostile input. */
#define TOPO_DRIVES_MAX 64
#define TOPO_NETDEVS_MAX 64
#define TOPO_OBJECTS_MAX 64
#define TOPO_LIST_MAX 256
#define TOPO_TOKENS_MAX (TOPO_LINE_MAX / 2 + 1)

struct topo_bdfset {
	uint64_t *slot; /* (key + 1) << 32 | line; 0 is empty */
	size_t cap, n;
};

struct topo_pstate {
	const char *fname;
	char *err;
	size_t errlen;
	int line;
	struct topo *t;
	int line_name, line_machine, line_iommu, line_memory, line_smp;
	int line_cpu, line_timeout, line_suites;
	char *iommu_opts;
	struct topo_strv user_append;
	struct topo_strv user_modules;
	struct topo_bdfset bdfs;
};

/* topo.c: messages; each error helper returns -1. */
const char *topo_qn(char *buf, size_t n, const char *s, size_t len);
const char *topo_q(char *buf, size_t n, const char *s);
__attribute__((format(printf, 2, 3))) int topo_err(struct topo_pstate *p,
						   const char *fmt, ...);
int topo_oom(struct topo_pstate *p);

/* topo_value.c: string vectors, numbers, names and the BDF set. */
int topo_strv_add(struct topo_strv *sv, const char *s);
__attribute__((format(printf, 2, 3))) int topo_strv_addf(struct topo_strv *sv,
							 const char *fmt, ...);
bool topo_strv_has(const struct topo_strv *sv, const char *s);
uint32_t topo_bdf_key(const char *n);
int topo_bdfset_add(struct topo_bdfset *s, uint32_t key, int line);
int topo_uint(const char *s, unsigned long long max, unsigned long long *out);
int topo_size(const char *s, unsigned long long *out);
bool topo_chars_ok(const char *s, const char *extra);
bool topo_id_ok(const char *s);

/* topo_stmt.c: one statement's tokens into p->t. */
int topo_set_str(struct topo_pstate *p, char **dst, const char *s);
int topo_statement(struct topo_pstate *p, int argc, char **argv);

#endif /* IOG_TOPO_INT_H */
