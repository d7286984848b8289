// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-report end to end: read ktap.raw, meta.txt and the known deviations,
 * complete, write the three reports atomically, print the summary and the
 * failures on the terminal.
 */
#include "report_int.h"
#include "deviations.h"
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- files ---- */

static char *report_path(const char *dir, const char *name)
{
	size_t dl = strlen(dir);
	bool slash = dl && dir[dl - 1] == '/';
	size_t n = dl + strlen(name) + 2;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s%s%s", dir, slash ? "" : "/", name);
	return p;
}

int report_write_atomic(const char *dir, const char *name, const char *data,
			size_t len, char *err, size_t errlen)
{
	char *path = report_path(dir, name), *tmp = NULL, *tname = NULL;
	size_t off = 0;
	int fd = -1, e = ENOMEM;

	if (!path)
		goto fail;
	tname = malloc(strlen(name) + 6);
	if (!tname)
		goto fail;
	sprintf(tname, ".%s.tmp", name);
	tmp = report_path(dir, tname);
	if (!tmp)
		goto fail;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		goto fail;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = errno;
			goto fail_unlink;
		}
		off += (size_t)n;
	}
	if (fsync(fd)) {
		e = errno;
		goto fail_unlink;
	}
	if (close(fd)) {
		fd = -1;
		e = errno;
		goto fail_unlink;
	}
	fd = -1;
	if (rename(tmp, path)) {
		e = errno;
		goto fail_unlink;
	}
	free(path);
	free(tmp);
	free(tname);
	return 0;
fail_unlink:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
fail:
	if (fd >= 0)
		close(fd);
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path ? path : name,
			 strerror(e));
	free(path);
	free(tmp);
	free(tname);
	return -1;
}

/*
 * Read at most max bytes of path.  Returns 0, or an errno; *cut tells
 * whether the file was longer (then only max bytes were kept).
 */
static int report_read(const char *path, size_t max, char **buf, size_t *len,
		       bool *cut)
{
	return iog_read_file(path, max, buf, len, cut);
}

/*
 * For a run that did not complete: the last REPORT_CONSOLE_LINES lines of
 * its console (meta "console"), at most REPORT_CONSOLE_BYTES from its end,
 * as meta "console_tail" for report.md.  A console that cannot be read is
 * no error.  0, or -1 when memory runs out.
 */
static int report_console_tail(struct report_meta *m)
{
	const char *path = report_meta_get(m, "console");
	char *buf = NULL, *p;
	struct stat st;
	size_t len = 0, lines = 0;
	ssize_t n;
	int fd, r;

	if (!path || !*path || !strcmp(report_status(m), "completed"))
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		goto done;
	if (st.st_size > REPORT_CONSOLE_BYTES &&
	    lseek(fd, st.st_size - REPORT_CONSOLE_BYTES, SEEK_SET) < 0)
		goto done;
	buf = malloc(REPORT_CONSOLE_BYTES + 1);
	if (!buf) {
		close(fd);
		return -1;
	}
	while (len < REPORT_CONSOLE_BYTES) {
		n = read(fd, buf + len, REPORT_CONSOLE_BYTES - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	/* No NUL inside, no trailing blank lines; then the last lines. */
	for (size_t i = 0; i < len; i++)
		if (!buf[i])
			buf[i] = ' ';
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	for (p = buf + len; p > buf; p--)
		if (p[-1] == '\n' && ++lines == REPORT_CONSOLE_LINES)
			break;
	/* A first line cut by the byte limit is left out. */
	if (p == buf && st.st_size > REPORT_CONSOLE_BYTES) {
		p = strchr(buf, '\n');
		p = p ? p + 1 : buf + len;
	}
	if (*p) {
		r = report_meta_set(m, "console_tail", 12, p, strlen(p));
		free(buf);
		close(fd);
		return r;
	}
done:
	free(buf);
	close(fd);
	return 0;
}

/* ---- terminal ---- */

struct report_print_ctx {
	FILE *f;
	const struct ktap_node *suite;
	size_t nfailed;
};

/* One failure on the terminal, with the first lines of its evidence. */
static void report_print_one(const struct ktap_node *n, const char *path,
			     void *p)
{
	struct report_print_ctx *c = p;
	struct report_buf b = {0};
	size_t i;

	if (ktap_result_ok(n->result))
		return;
	/* The rest is in report.md; the terminal gets the first few. */
	if (c->nfailed++ >= REPORT_TTY_FAILURES_MAX)
		return;
	report_buf_puts(&b, ktap_result_name(n->result));
	report_buf_puts(&b, ": ");
	report_display_name(&b, c->suite);
	if (path[0]) {
		report_buf_puts(&b, ": ");
		report_buf_puts(&b, path);
	}
	if (n->reason[0]) {
		report_buf_puts(&b, " (");
		report_buf_puts(&b, n->reason);
		report_buf_puts(&b, ")");
	}
	for (i = 0; i < n->ndiags && i < REPORT_TTY_LINES_MAX; i++) {
		report_buf_puts(&b, "\n    # ");
		report_buf_puts(&b, n->diags[i]);
	}
	if (n->ndiags > REPORT_TTY_LINES_MAX)
		report_buf_printf(&b, "\n    ... %zu more lines",
				  n->ndiags - REPORT_TTY_LINES_MAX);
	if (b.s) {
		struct report_buf clean = {0};

		/* Guest text may hold terminal escapes: print it defanged. */
		char *save = NULL;

		for (char *line = strtok_r(b.s, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			report_md_text(&clean, line, true);
			report_buf_puts(&clean, "\n");
		}
		if (clean.s)
			fputs(clean.s, c->f);
		report_buf_free(&clean);
	}
	report_buf_free(&b);
}

static void report_print_failures(FILE *f, const struct ktap_node *root)
{
	struct report_print_ctx c = {.f = f};

	for (size_t i = 0; i < root->nchildren; i++) {
		c.suite = root->children[i];
		report_walk(c.suite, report_print_one, &c);
	}
	if (c.nfailed > REPORT_TTY_FAILURES_MAX)
		fprintf(f, "... and %zu more failures\n",
			c.nfailed - REPORT_TTY_FAILURES_MAX);
}

static void report_summary(FILE *out, const struct ktap_node *root,
			   const struct report_meta *m, const char *outdir)
{
	const char *topo = report_meta_get(m, "topology");
	const char *rel = report_release(root, m);
	const char *kname = report_meta_get(m, "kernel");
	struct report_counts c;
	size_t dl = strlen(outdir);

	report_count(root, &c);
	fprintf(out, "%s on %s: %s (%u passed, %u failed",
		topo && *topo ? topo : "run",
		rel		  ? rel
		: kname && *kname ? kname
				  : "unknown kernel",
		report_verdict(root, m), c.pass, c.fail);
	if (c.timeout)
		fprintf(out, ", %u timed out", c.timeout);
	if (c.error)
		fprintf(out, ", %u error%s", c.error, c.error == 1 ? "" : "s");
	fprintf(out, ", %u skipped", c.skip);
	if (c.xfail)
		fprintf(out, ", %u expected failure%s", c.xfail,
			c.xfail == 1 ? "" : "s");
	fprintf(out, ") -> %s%sreport.md\n", outdir,
		dl && outdir[dl - 1] == '/' ? "" : "/");
}

/* ---- iog-report ---- */

int report_run(const char *raw, const char *meta, const char *outdir, FILE *out,
	       FILE *errf)
{
	return report_run_with(raw, meta, NULL, outdir, out, errf);
}

int report_run_with(const char *raw, const char *meta, const char *deviations,
		    const char *outdir, FILE *out, FILE *errf)
{
	struct deviation_list dl = {0};
	char *dbuf = NULL;
	size_t dlen;
	bool dcut;
	struct report_meta m = {0};
	struct report_buf json = {0}, md = {0};
	struct ktap_node *root = NULL;
	char *rbuf = NULL, *mbuf = NULL, *ktap = NULL;
	size_t rlen, mlen, klen = 0;
	char err[512];
	bool cut, mcut;
	int e, ret = 2;

	e = report_read(raw, REPORT_RAW_MAX, &rbuf, &rlen, &cut);
	if (e) {
		fprintf(errf, "iog-report: %s: %s\n", raw, strerror(e));
		goto out;
	}
	e = report_read(meta, REPORT_META_MAX, &mbuf, &mlen, &mcut);
	if (!e && mcut)
		e = EFBIG;
	if (e) {
		fprintf(errf, "iog-report: %s: %s\n", meta, strerror(e));
		goto out;
	}
	if (deviations) {
		e = report_read(deviations, REPORT_META_MAX, &dbuf, &dlen,
				&dcut);
		if (!e && dcut)
			e = EFBIG;
		if (e) {
			fprintf(errf, "iog-report: %s: %s\n", deviations,
				strerror(e));
			goto out;
		}
		if (deviations_parse(deviations, dbuf, dlen, &dl, err,
				     sizeof(err))) {
			fprintf(errf, "iog-report: %s\n", err);
			goto out;
		}
	}
	root = ktap_parse(rbuf, rlen);
	if (!root || report_meta_parse(mbuf, mlen, &m) ||
	    report_console_tail(&m))
		goto oom;
	if (cut) {
		snprintf(err, sizeof(err),
			 "iog-report: %s: only the first %lu bytes were read",
			 raw, REPORT_RAW_MAX);
		if (ktap_add_diag(root, err))
			goto oom;
	}
	if (report_complete(root, &m))
		goto oom;
	if (deviations_apply(root, &dl, report_meta_get(&m, "kernel_release"),
			     report_meta_get(&m, "topology")) < 0)
		goto oom;
	ktap = ktap_write(root, &klen);
	if (!ktap || report_json(&json, root, &m) ||
	    report_markdown(&md, root, &m))
		goto oom;
	if (report_write_atomic(outdir, "report.ktap", ktap, klen, err,
				sizeof(err)) ||
	    report_write_atomic(outdir, "report.json", json.s, json.len, err,
				sizeof(err)) ||
	    report_write_atomic(outdir, "report.md", md.s, md.len, err,
				sizeof(err))) {
		fprintf(errf, "iog-report: %s\n", err);
		goto out;
	}
	report_print_failures(errf, root);
	report_summary(out, root, &m, outdir);
	ret = strcmp(report_verdict(root, &m), "PASS") ? 1 : 0;
	goto out;
oom:
	fprintf(errf, "iog-report: out of memory\n");
out:
	free(rbuf);
	free(mbuf);
	free(dbuf);
	deviations_free(&dl);
	free(ktap);
	ktap_free(root);
	report_meta_free(&m);
	report_buf_free(&json);
	report_buf_free(&md);
	return ret;
}
