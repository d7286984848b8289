# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the host-side bash glue.  Sourced, never executed.

IOG_TOP=${IOG_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
IOG_BUILD=${IOG_BUILD:-$IOG_TOP/build}
# The cache of kernels, headers, images and extracted sources: IOG_CACHE,
# else ~/.cache/iommu-groups-ct.  A quoted "~/..." means the home, and a
# relative path is taken from the directory the command ran in (make
# passes it absolute already).  Nothing in it has to exist yet: cache_dir
# makes what a script writes into.
IOG_CACHE=${IOG_CACHE:-$HOME/.cache/iommu-groups-ct}
case $IOG_CACHE in
"~" | "~/"*) IOG_CACHE=$HOME${IOG_CACHE#\~} ;;
esac
[[ $IOG_CACHE == /* ]] || IOG_CACHE=$PWD/$IOG_CACHE
export IOG_CACHE

die()
{
	echo "${0##*/}: $*" >&2
	exit 1
}

note()
{
	echo "${0##*/}: $*" >&2
}

# sha256 of a file's content, or of stdin with "-".
sha()
{
	sha256sum "${1:--}" | cut -c1-64
}

# Resolve a topology given as a name (topologies/NAME.topo) or as a path.
topology_file()
{
	local t=$1
	if [[ $t == */* || $t == *.topo ]]; then
		[ -f "$t" ] || die "topology file '$t' not found"
		realpath "$t"
	elif [ -f "$IOG_TOP/topologies/$t.topo" ]; then
		echo "$IOG_TOP/topologies/$t.topo"
	else
		die "unknown topology '$t' (have: $(cd "$IOG_TOP/topologies" &&
			ls *.topo | sed 's/\.topo$//' | tr '\n' ' '))"
	fi
}

# cache_dir DIR...: make these directories (in the cache) and their parents
# when they are missing.  A path that cannot be made stops the script with
# an error naming it and what is in the way, before anything is fetched or
# booted.
cache_dir()
{
	local d up why
	for d; do
		[ -d "$d" ] && continue
		mkdir -p -- "$d" 2>/dev/null && continue
		up=$d
		while [ ! -e "$up" ] && [ "$up" != / ]; do
			up=$(dirname "$up")
		done
		if [ ! -d "$up" ]; then
			why="'$up' is not a directory"
		else
			why=$(mkdir -p -- "$d" 2>&1 | sed 's/^mkdir: //')
		fi
		die "cannot create the cache directory '$d' (IOG_CACHE=$IOG_CACHE): $why"
	done
}
