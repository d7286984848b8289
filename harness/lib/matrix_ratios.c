// SPDX-License-Identifier: GPL-2.0-only
/*
 * iog-matrix's ratio measurements: collected from every report shown, and
 * written as DIR/ratios.tsv with a gnuplot script, DIR/ratios.gp.
 */
#include "matrix_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void mx_ratio_add(struct mx *m, const struct mx_job *j,
			 const struct runs_suite *s, const struct runs_test *t)
{
	for (size_t i = 0; i < t->nmetrics; i++) {
		const struct runs_metric *me = &t->metrics[i];
		struct mx_ratio *nr;
		char *l;

		/* Ratios: unit "ratio" (throughput), or named ratio_*. */
		if ((strncmp(me->name, "ratio_", 6) &&
		     !(me->unit && !strcmp(me->unit, "ratio"))) ||
		    !me->has_value)
			continue;
		if (asprintf(&l, "%s/%s %s%s%s %s", j->topology, j->kernel,
			     s->self.name, t == &s->self ? "" : ":",
			     t == &s->self ? "" : t->name, me->name) < 0) {
			m->oom = true;
			return;
		}
		for (char *p = l; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == '"')
				*p = *p == '"' ? '\'' : ' ';
		nr = realloc(m->ratios, (m->nratios + 1) * sizeof(*nr));
		if (!nr) {
			free(l);
			m->oom = true;
			return;
		}
		m->ratios = nr;
		nr[m->nratios].label = l;
		nr[m->nratios].value = me->value;
		m->nratios++;
	}
}

void mx_collect_ratios(struct mx *m)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct mx_job *j = &m->jobs[i];

		if (j->ignored || !mx_usable(j))
			continue;
		for (size_t k = 0; k < j->rep.nsuites; k++) {
			const struct runs_suite *s = &j->rep.suites[k];

			mx_ratio_add(m, j, s, &s->self);
			for (size_t t = 0; t < s->ntests; t++)
				mx_ratio_add(m, j, s, &s->tests[t]);
		}
	}
}

static const char mx_gnuplot[] =
	"# Written by iog-matrix; harness/matrix.sh runs it in this directory\n"
	"# when gnuplot is installed (Debian: gnuplot-nox).\n"
	"set datafile separator \"\\t\"\n"
	"set style fill solid 0.7 border -1\n"
	"set boxwidth 0.7\n"
	"set xtics rotate by 45 right noenhanced font \",8\"\n"
	"set ylabel \"ratio\"\n"
	"set yrange [0:*]\n"
	"set grid ytics\n"
	"set key off\n"
	"set bmargin 14\n"
	"set title \"ratio measurements by run\" noenhanced\n"
	"if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n"
	"    set terminal pngcairo size 1200,700\n"
	"} else {\n"
	"    set terminal png size 1200,700\n"
	"}\n"
	"set output \"ratios.png\"\n"
	"plot \"ratios.tsv\" using 0:2:xtic(1) with boxes lc rgb \"#4477aa\", \\\n"
	"     1 with lines dt 2 lc rgb \"#333333\"\n"
	"set terminal svg size 1200,700 dynamic\n"
	"set output \"ratios.svg\"\n"
	"replot\n"
	"set output\n";

int mx_write_ratios(struct mx *m, char *err, size_t errlen)
{
	static const char *const stale[] = {"ratios.tsv", "ratios.gp",
					    "ratios.png", "ratios.svg"};
	struct report_buf b = {0};
	int r;

	if (!m->nratios) {
		for (size_t i = 0; i < sizeof(stale) / sizeof(*stale); i++) {
			char *p = mx_path(m->dir, stale[i]);

			if (p)
				unlink(p);
			free(p);
		}
		return 0;
	}
	for (size_t i = 0; i < m->nratios; i++) {
		char v[40];

		for (int prec = 15; prec <= 17; prec++) {
			snprintf(v, sizeof(v), "%.*g", prec,
				 m->ratios[i].value);
			if (strtod(v, NULL) == m->ratios[i].value)
				break;
		}
		report_buf_printf(&b, "%s\t%s\n", m->ratios[i].label, v);
	}
	if (b.oom) {
		report_buf_free(&b);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r = report_write_atomic(m->dir, "ratios.tsv", b.s, b.len, err, errlen);
	report_buf_free(&b);
	if (!r)
		r = report_write_atomic(m->dir, "ratios.gp", mx_gnuplot,
					sizeof(mx_gnuplot) - 1, err, errlen);
	return r;
}
