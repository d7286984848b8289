/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the pieces of the model's driver share (model.c, model_predict.c,
 * model_compare.c), behind the public model.h: a growable string for the
 * reports, BDF spelling, and the undecidable marking after two boots.
 */
#ifndef MODEL_INT_H
#define MODEL_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "pci_topo.h"

/* A growable string; on ENOMEM it stays NULL and later appends no-op. */
struct model_sbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

void model_sb_printf(struct model_sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The text (caller frees), "" if nothing was printed; NULL on ENOMEM. */
char *model_sb_done(struct model_sbuf *b);

/* "dddd:bb:dd.f" from any accepted spelling; 0 or -1. */
int model_norm_bdf(const char *in, char out[MODEL_BDF_LEN]);

/*
 * After two boots: a group both boots formed, with the same ID, is
 * decided; one whose members the other boot groups otherwise is not.
 * Each member keeps the verdict and its reason.  0 or -1 (ENOMEM).
 */
int model_mark_undecidable(struct model *m);

#endif /* MODEL_INT_H */
