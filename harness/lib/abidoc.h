/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reader for the kernel's ABI documentation (Documentation/ABI/<level>/
 * files): entries of one or more "What:" paths that share "Date:",
 * "KernelVersion:", "Contact:", "Description:" and "Users:".  The abi_doc
 * suite holds the running kernel to the entries that describe IOMMU
 * groups; docs/abi-findings.md has what it found.
 *
 * Format as the files use it:
 *   - a tag starts at column 0: a known name (any case), then ':';
 *   - consecutive "What:" lines open one entry; a "What:" after any other
 *     tag opens the next;
 *   - an indented or blank line, or an unknown "Word:" at column 0,
 *     continues the tag before it (descriptions hold tables and lists);
 *   - only blank lines may come before the first "What:".
 */
#ifndef IOG_ABIDOC_H
#define IOG_ABIDOC_H

#include <stdbool.h>
#include <stddef.h>

/* Length of an error message buffer that always fits our messages. */
#define ABIDOC_ERR_LEN 512

/* A file larger than this is not documentation. */
#define ABIDOC_FILE_MAX (4 * 1024 * 1024)

struct abidoc_entry {
	char **what; /* the paths, as written (trimmed) */
	size_t nr_what;
	char *date; /* each NULL if the entry has no such tag */
	char *kernel_version;
	char *contact;
	char *description; /* lines without their indentation, '\n' joined */
	char *users;
	const char *file; /* name given to abidoc_parse (owned by the doc) */
	unsigned int line; /* line of the first What: */
};

struct abidoc {
	struct abidoc_entry *v;
	size_t nr;
	size_t cap;
	char **files; /* names of the parsed files, in parse order */
	size_t nr_files;
};

/*
 * Parse one file's text and append its entries to d (zeroed before first
 * use).  0, or -1 with "FNAME:LINE: what" in err; d keeps the entries of
 * earlier calls either way.
 */
int abidoc_parse(struct abidoc *d, const char *fname, const char *buf,
		 size_t len, char *err, size_t errlen);

/*
 * Parse every regular file under dir (recursively, in name order, dot
 * files skipped); entries name their file relative to dir.  0, or -1 with
 * the reason in err.
 */
int abidoc_load_dir(struct abidoc *d, const char *dir, char *err,
		    size_t errlen);

void abidoc_free(struct abidoc *d);

/*
 * Does a What: pattern name path?  Both are split at '/', empty components
 * ignored (so a trailing '/' does not matter).  In the pattern "..."
 * stands for one or more components, "*" for one, and "<name>" inside a
 * component for one or more characters of it ("/sys/kernel/iommu_groups/
 * <grp_id>/type", "/sys/devices/.../iommu").
 */
bool abidoc_path_match(const char *pattern, const char *path);

/*
 * The version of a KernelVersion: value ("v5.11", "3.17", "v6.2-rc1",
 * "2.6.24"): 0 with major and minor, or -1 if it names none.
 */
int abidoc_kver_parse(const char *s, int *major, int *minor);

/* The first entry with a What: matching path (its index in *what), or NULL. */
const struct abidoc_entry *abidoc_find(const struct abidoc *d, const char *path,
				       size_t *what);

/*
 * Does the text name word in double quotes ("devices")?  That is how
 * an entry's description introduces files that have no entry of their
 * own.
 */
bool abidoc_quotes(const char *text, const char *word);

#endif /* IOG_ABIDOC_H */
