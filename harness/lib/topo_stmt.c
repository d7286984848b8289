// SPDX-License-Identifier: GPL-2.0-only
/*
 * Topology statements: each one's arguments checked and stored.  Object
 * types and properties are limited so that a topology never makes QEMU
 * touch host files.
 */
#include "topo_int.h"

#include <stdlib.h>
#include <string.h>

/* Statements allowed once: remembers the line, complains on the second. */
static int topo_once(struct topo_pstate *p, int *seen, const char *what)
{
	if (*seen)
		return topo_err(p, "'%s' is already given at line %d", what,
				*seen);
	*seen = p->line;
	return 0;
}

static int topo_nargs(struct topo_pstate *p, int argc, char **argv, int min,
		      int max)
{
	char q[80];

	if (argc - 1 < min) {
		if (min == 1 && max == 1)
			return topo_err(p, "'%s' needs an argument",
					topo_q(q, sizeof(q), argv[0]));
		return topo_err(p, "'%s' needs at least %d argument%s",
				topo_q(q, sizeof(q), argv[0]), min,
				min == 1 ? "" : "s");
	}
	if (max >= 0 && argc - 1 > max) {
		char q2[80];

		return topo_err(p, "'%s' takes %s%d argument%s, extra '%s'",
				topo_q(q, sizeof(q), argv[0]),
				min == max ? "" : "at most ", max,
				max == 1 ? "" : "s",
				topo_q(q2, sizeof(q2), argv[max + 1]));
	}
	return 0;
}

int topo_set_str(struct topo_pstate *p, char **dst, const char *s)
{
	char *d = strdup(s);

	if (!d)
		return topo_oom(p);
	free(*dst);
	*dst = d;
	return 0;
}

static int topo_number(struct topo_pstate *p, const char *what, const char *s,
		       unsigned long long max, unsigned int *out)
{
	unsigned long long v;
	char q[80];

	if (topo_uint(s, max, &v))
		return topo_err(p, "bad number '%s' for '%s' (want 1 to %llu)",
				topo_q(q, sizeof(q), s), what, max);
	*out = (unsigned int)v;
	return 0;
}

static int topo_add_bdf(struct topo_pstate *p, const char *s, char out[13])
{
	char q[80];
	int prev;

	if (topo_parse_bdf(s, out))
		return topo_err(p,
				"bad BDF '%s' (want DDDD:BB:DD.F or BB:DD.F)",
				topo_q(q, sizeof(q), s));
	prev = topo_bdfset_add(&p->bdfs, topo_bdf_key(out), p->line);
	if (prev < 0)
		return topo_oom(p);
	if (prev > 0)
		return topo_err(p, "%s is already declared at line %d", out,
				prev);
	return 0;
}

static int topo_st_iommu(struct topo_pstate *p, int argc, char **argv)
{
	static const struct {
		const char *name;
		enum topo_iommu kind;
	} kinds[] = {
		{"intel", TOPO_IOMMU_INTEL},
		{"amd", TOPO_IOMMU_AMD},
		{"virtio", TOPO_IOMMU_VIRTIO},
		{"none", TOPO_IOMMU_NONE},
	};
	char q[80];
	size_t i;

	if (topo_nargs(p, argc, argv, 1, 2) ||
	    topo_once(p, &p->line_iommu, "iommu"))
		return -1;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(argv[1], kinds[i].name))
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return topo_err(
			p,
			"unknown iommu '%s' (want intel, amd, virtio or none)",
			topo_q(q, sizeof(q), argv[1]));
	p->t->iommu = kinds[i].kind;
	if (argc == 3) {
		if (p->t->iommu == TOPO_IOMMU_NONE)
			return topo_err(p, "'iommu none' takes no options");
		if (argv[2][0] == ',')
			return topo_err(p, "bad iommu options '%s'",
					topo_q(q, sizeof(q), argv[2]));
		return topo_set_str(p, &p->iommu_opts, argv[2]);
	}
	return 0;
}

/*
 * The line that declared id s in an array of drives, netdevs or objects
 * (each has id and line), 0 if none.
 */
#define topo_id_line(arr, n, s)                               \
	({                                                    \
		int line_ = 0;                                \
		for (size_t i_ = 0; !line_ && i_ < (n); i_++) \
			if (!strcmp((arr)[i_].id, (s)))       \
				line_ = (arr)[i_].line;       \
		line_;                                        \
	})

/*
 * A drive, netdev or object id: well formed, not declared before (at line
 * prev), and room for one more of the n there are.
 */
static int topo_new_id(struct topo_pstate *p, const char *what, const char *id,
		       int prev, size_t n, int max)
{
	char q[80];

	if (!topo_id_ok(id))
		return topo_err(
			p,
			"bad %s id '%s' (want a letter, then [A-Za-z0-9._-])",
			what, topo_q(q, sizeof(q), id));
	if (prev)
		return topo_err(p, "%s '%s' is already declared at line %d",
				what, topo_q(q, sizeof(q), id), prev);
	if (n >= (size_t)max)
		return topo_err(p, "too many %ss (at most %d)", what, max);
	return 0;
}

static int topo_st_drive(struct topo_pstate *p, int argc, char **argv)
{
	struct topo *t = p->t;
	struct topo_drive *d;
	unsigned long long bytes;
	char q[80];

	if (topo_nargs(p, argc, argv, 2, 2) ||
	    topo_new_id(p, "drive", argv[1],
			topo_id_line(t->drives, t->ndrives, argv[1]),
			t->ndrives, TOPO_DRIVES_MAX))
		return -1;
	if (topo_size(argv[2], &bytes))
		return topo_err(
			p,
			"bad drive size '%s' (want 1 byte to 64G, bytes or a K, M or G suffix)",
			topo_q(q, sizeof(q), argv[2]));
	d = realloc(t->drives, (t->ndrives + 1) * sizeof(*d));
	if (!d)
		return topo_oom(p);
	t->drives = d;
	d[t->ndrives].id = strdup(argv[1]);
	if (!d[t->ndrives].id)
		return topo_oom(p);
	d[t->ndrives].bytes = bytes;
	d[t->ndrives].line = p->line;
	t->ndrives++;
	return 0;
}

static int topo_st_netdev(struct topo_pstate *p, int argc, char **argv)
{
	struct topo *t = p->t;
	struct topo_netdev *n;

	if (topo_nargs(p, argc, argv, 1, 1) ||
	    topo_new_id(p, "netdev", argv[1],
			topo_id_line(t->netdevs, t->nnetdevs, argv[1]),
			t->nnetdevs, TOPO_NETDEVS_MAX))
		return -1;
	n = realloc(t->netdevs, (t->nnetdevs + 1) * sizeof(*n));
	if (!n)
		return topo_oom(p);
	t->netdevs = n;
	n[t->nnetdevs].id = strdup(argv[1]);
	if (!n[t->nnetdevs].id)
		return topo_oom(p);
	n[t->nnetdevs].line = p->line;
	t->nnetdevs++;
	return 0;
}

static bool topo_memeq(const char *s, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(s, lit, n);
}

/*
 * Object types that touch nothing on the host: a topology file is never
 * executed, and it must not make QEMU open or map host files.
 */
static const char *const topo_object_types[] = {
	"rng-builtin",
	"rng-random",
	"memory-backend-ram",
};

static int topo_st_object(struct topo_pstate *p, int argc, char **argv)
{
	struct topo *t = p->t;
	const char *v = argv[1], *id = NULL;
	size_t tlen, idlen = 0, i;
	struct topo_object *o;
	char q[80], *ids;

	if (topo_nargs(p, argc, argv, 1, 1))
		return -1;
	/* QEMU reads ",," as a comma inside a value; the checks here do not. */
	if (strstr(v, ",,"))
		return topo_err(
			p,
			"object '%s' has ',,' (an escaped comma), which no allowed object needs",
			topo_q(q, sizeof(q), v));
	tlen = strcspn(v, ",");
	for (i = 0; i < sizeof(topo_object_types) / sizeof(*topo_object_types);
	     i++)
		if (topo_memeq(v, tlen, topo_object_types[i]))
			break;
	if (i == sizeof(topo_object_types) / sizeof(*topo_object_types))
		return topo_err(
			p,
			"object type '%s' is not allowed (want rng-builtin, rng-random or memory-backend-ram: a topology never touches host files)",
			topo_qn(q, sizeof(q), v, tlen));
	for (const char *c = v + tlen; *c;) {
		const char *kv = c + 1, *eq;
		size_t n = strcspn(kv, ","), klen;

		c = kv + n;
		eq = memchr(kv, '=', n);
		if (!eq)
			return topo_err(
				p, "bad object property '%s' (want KEY=VALUE)",
				topo_qn(q, sizeof(q), kv, n));
		klen = (size_t)(eq - kv);
		if (topo_memeq(kv, klen, "qom-type"))
			return topo_err(
				p,
				"object property '%s' would change the object's type",
				topo_qn(q, sizeof(q), kv, n));
		if (topo_memeq(kv, klen, "filename") &&
		    !topo_memeq(eq + 1, n - klen - 1, "/dev/urandom") &&
		    !topo_memeq(eq + 1, n - klen - 1, "/dev/random"))
			return topo_err(
				p,
				"object filename '%s' is not allowed (want /dev/urandom or /dev/random: a topology never touches host files)",
				topo_qn(q, sizeof(q), eq + 1, n - klen - 1));
		if (topo_memeq(kv, klen, "id")) {
			if (id)
				return topo_err(p, "object '%s' has two ids",
						topo_q(q, sizeof(q), v));
			id = eq + 1;
			idlen = n - klen - 1;
		}
	}
	if (!id)
		return topo_err(p,
				"object '%s' has no id= (want TYPE,id=ID,...)",
				topo_q(q, sizeof(q), v));
	ids = strndup(id, idlen);
	if (!ids)
		return topo_oom(p);
	if (topo_new_id(p, "object", ids,
			topo_id_line(t->objects, t->nobjects, ids), t->nobjects,
			TOPO_OBJECTS_MAX)) {
		free(ids);
		return -1;
	}
	o = realloc(t->objects, (t->nobjects + 1) * sizeof(*o));
	if (!o) {
		free(ids);
		return topo_oom(p);
	}
	t->objects = o;
	o += t->nobjects;
	o->id = ids;
	o->line = p->line;
	o->args = strdup(v);
	t->nobjects++;
	if (!o->args)
		return topo_oom(p);
	return 0;
}

/* modules, suites, qemu-trace: checked names, duplicates dropped. */
static int topo_st_names(struct topo_pstate *p, int argc, char **argv,
			 struct topo_strv *sv, const char *what,
			 const char *extra)
{
	char q[80];

	if (topo_nargs(p, argc, argv, 1, -1))
		return -1;
	for (int i = 1; i < argc; i++) {
		if (!topo_chars_ok(argv[i], extra))
			return topo_err(
				p, "bad %s name '%s' (want [A-Za-z0-9%s]+)",
				what, topo_q(q, sizeof(q), argv[i]), extra);
		if (topo_strv_has(sv, argv[i]))
			continue;
		if (sv->n >= TOPO_LIST_MAX)
			return topo_err(p, "too many %s (at most %d)", argv[0],
					TOPO_LIST_MAX);
		if (topo_strv_add(sv, argv[i]))
			return topo_oom(p);
	}
	return 0;
}

/*
 * guest-env NAME=VALUE...: settings the suites read (/etc/iog/env), IOG_
 * names only and values without shell quoting; a make variable of the
 * same name overrides the topology's.
 */
static int topo_st_guest_env(struct topo_pstate *p, int argc, char **argv)
{
	struct topo *t = p->t;
	char q[80];

	if (topo_nargs(p, argc, argv, 1, -1))
		return -1;
	for (int i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		size_t nlen = eq ? (size_t)(eq - argv[i]) : 0;
		bool name_ok = nlen > 4 && !strncmp(argv[i], "IOG_", 4);

		for (size_t k = 0; name_ok && k < nlen; k++) {
			char c = argv[i][k];

			name_ok = (c >= 'A' && c <= 'Z') ||
				  (c >= '0' && c <= '9') || c == '_';
		}
		if (!name_ok || !topo_chars_ok(eq + 1, "._,:/+-"))
			return topo_err(
				p,
				"bad guest-env '%s' (want IOG_NAME=VALUE, NAME [A-Z0-9_]+, VALUE [A-Za-z0-9._,:/+-]+)",
				topo_q(q, sizeof(q), argv[i]));
		for (size_t k = 0; k < t->guest_env.n; k++)
			if (!strncmp(t->guest_env.v[k], argv[i], nlen + 1))
				return topo_err(p, "guest-env %.*s set twice",
						(int)nlen, argv[i]);
		if (t->guest_env.n >= TOPO_LIST_MAX)
			return topo_err(p, "too many guest-env (at most %d)",
					TOPO_LIST_MAX);
		if (topo_strv_add(&t->guest_env, argv[i]))
			return topo_oom(p);
	}
	return 0;
}

static int topo_st_group(struct topo_pstate *p, int argc, char **argv)
{
	struct topo *t = p->t;
	struct topo_group *g;
	char bdf[13];

	if (topo_nargs(p, argc, argv, 1, -1))
		return -1;
	g = realloc(t->groups, (t->ngroups + 1) * sizeof(*g));
	if (!g)
		return topo_oom(p);
	t->groups = g;
	g += t->ngroups++;
	memset(g, 0, sizeof(*g));
	g->line = p->line;
	for (int i = 1; i < argc; i++) {
		if (topo_add_bdf(p, argv[i], bdf))
			return -1;
		if (topo_strv_add(&g->bdfs, bdf))
			return topo_oom(p);
	}
	return 0;
}

/* A statement with one argument that may be given once. */
static int topo_single(struct topo_pstate *p, int argc, char **argv, int *seen)
{
	if (topo_nargs(p, argc, argv, 1, 1) || topo_once(p, seen, argv[0]))
		return -1;
	return 0;
}

int topo_statement(struct topo_pstate *p, int argc, char **argv)
{
	struct topo *t = p->t;
	const char *st = argv[0];
	char q[80];

	if (!strcmp(st, "name")) {
		if (topo_single(p, argc, argv, &p->line_name))
			return -1;
		if (!topo_chars_ok(argv[1], "._-"))
			return topo_err(p,
					"bad name '%s' (want [A-Za-z0-9._-]+)",
					topo_q(q, sizeof(q), argv[1]));
		return topo_set_str(p, &t->name, argv[1]);
	}
	if (!strcmp(st, "machine")) {
		if (topo_single(p, argc, argv, &p->line_machine))
			return -1;
		return topo_set_str(p, &t->machine, argv[1]);
	}
	if (!strcmp(st, "iommu"))
		return topo_st_iommu(p, argc, argv);
	if (!strcmp(st, "memory")) {
		if (topo_single(p, argc, argv, &p->line_memory))
			return -1;
		return topo_number(p, st, argv[1], TOPO_MEMORY_MAX,
				   &t->memory_mib);
	}
	if (!strcmp(st, "smp")) {
		if (topo_single(p, argc, argv, &p->line_smp))
			return -1;
		return topo_number(p, st, argv[1], TOPO_SMP_MAX, &t->smp);
	}
	if (!strcmp(st, "cpu")) {
		if (topo_single(p, argc, argv, &p->line_cpu))
			return -1;
		return topo_set_str(p, &t->cpu, argv[1]);
	}
	if (!strcmp(st, "timeout")) {
		if (topo_single(p, argc, argv, &p->line_timeout))
			return -1;
		return topo_number(p, st, argv[1], TOPO_TIMEOUT_MAX,
				   &t->timeout_s);
	}
	if (!strcmp(st, "append")) {
		if (topo_nargs(p, argc, argv, 1, -1))
			return -1;
		for (int i = 1; i < argc; i++) {
			if (p->user_append.n >= TOPO_LIST_MAX * 4)
				return topo_err(p, "too many kernel arguments");
			if (topo_strv_add(&p->user_append, argv[i]))
				return topo_oom(p);
		}
		return 0;
	}
	if (!strcmp(st, "device") || !strcmp(st, "-device")) {
		if (topo_nargs(p, argc, argv, 1, 1))
			return -1;
		if (argv[1][0] == ',')
			return topo_err(
				p, "'%s' value '%s' names no device driver", st,
				topo_q(q, sizeof(q), argv[1]));
		if (topo_strv_add(&t->devices, argv[1]))
			return topo_oom(p);
		return 0;
	}
	if (!strcmp(st, "drive"))
		return topo_st_drive(p, argc, argv);
	if (!strcmp(st, "netdev"))
		return topo_st_netdev(p, argc, argv);
	if (!strcmp(st, "object") || !strcmp(st, "-object"))
		return topo_st_object(p, argc, argv);
	if (!strcmp(st, "modules"))
		return topo_st_names(p, argc, argv, &p->user_modules, "module",
				     "_-");
	/*
	 * Once: a second line would silently add to the first (a copy of a
	 * topology with "suites X" appended ran every suite of the original).
	 */
	if (!strcmp(st, "suites")) {
		if (topo_once(p, &p->line_suites, "suites"))
			return -1;
		return topo_st_names(p, argc, argv, &t->suites, "suite", "._-");
	}
	if (!strcmp(st, "guest-env"))
		return topo_st_guest_env(p, argc, argv);
	if (!strcmp(st, "qemu-trace"))
		return topo_st_names(p, argc, argv, &t->traces, "trace event",
				     "_*");
	if (!strcmp(st, "expect-group"))
		return topo_st_group(p, argc, argv);
	if (!strcmp(st, "expect-nogroup")) {
		char bdf[13];

		if (topo_nargs(p, argc, argv, 1, 1) ||
		    topo_add_bdf(p, argv[1], bdf))
			return -1;
		if (topo_strv_add(&t->nogroup, bdf))
			return topo_oom(p);
		return 0;
	}
	/* QEMU options pasted into a file: say what stands in for them. */
	if (!strcmp(st, "-drive"))
		return topo_err(
			p,
			"unknown statement '-drive' (write 'drive ID SIZE' for a scratch disk made per run, and '-device ...,drive=ID')");
	if (!strcmp(st, "-netdev"))
		return topo_err(
			p,
			"unknown statement '-netdev' (write 'netdev ID', a backend connected to nothing, and '-device ...,netdev=ID')");
	return topo_err(p, "unknown statement '%s'", topo_q(q, sizeof(q), st));
}
