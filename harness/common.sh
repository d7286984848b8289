# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the host-side bash glue.  Sourced, never executed.

IOG_TOP=${IOG_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
IOG_CACHE=${IOG_CACHE:-$HOME/.cache/iommu-groups-ct}
IOG_BUILD=${IOG_BUILD:-$IOG_TOP/build}

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
