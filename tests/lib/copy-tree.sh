# Sourced by tests/sanitize.sh and tests/fuzz/run-fuzzers.sh.
#
# copy_tree SRC DST: copies the sources of SRC (tracked and untracked
# files that are not ignored, so no build products of an in-tree build)
# into DST, so a second build with other compilers or flags can run there
# while SRC stays configured for the normal build: automake refuses an
# out-of-tree build of a source directory that was configured in place.
copy_tree() {
	local src=$1 dst=$2
	mkdir -p "$dst" || return 1
	if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$src" && git ls-files -z -c -o --exclude-standard |
		    xargs -0 cp -p --parents -t "$dst" 2>/dev/null)
	else
		# Not a git work tree (a tarball): everything, then the build
		# products of an in-tree build removed by its own distclean.
		cp -a "$src/." "$dst/" || return 1
		if [ -f "$dst/Makefile" ]; then
			(cd "$dst" && make distclean >/dev/null 2>&1)
		fi
		rm -f "$dst/config.status" "$dst/config.log"
	fi
	# Files deleted in the work tree but still tracked are skipped by cp;
	# what matters is that the build files are there.
	[ -f "$dst/configure.ac" ] && [ -f "$dst/Makefile.am" ]
}
