/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where a run's time went: the host's preparation and QEMU's life (meta.txt
 * time_prepare_s, time_qemu_s) and the guest's own account ("# iog:
 * time.NAME_s" facts from harness/run-suites.sh), as report.json's
 * "timing" and report.md's "Time" section.
 */
#ifndef IOG_TIMING_H
#define IOG_TIMING_H

#include "ktap.h"
#include "report.h"

/* "\"timing\":{...},\n" into b. */
void timing_json(struct report_buf *b, const struct ktap_node *root,
		 const struct report_meta *m);
/* "## Time" with a table of phases; nothing when the run has no times. */
void timing_markdown(struct report_buf *b, const struct ktap_node *root,
		     const struct report_meta *m);

#endif
