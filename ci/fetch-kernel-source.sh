#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Fetch Debian's linux-source package of the test kernel series (7.3, from
# trixie-backports) into the cache without touching the host's packages or
# apt sources: a private apt configuration (its own sources list, package
# lists and archive cache under $CACHE_DIR/apt) downloads the .deb, which is
# unpacked, not installed. The archive keyring of Debian 12 verifies the
# suite. The mirror is the one the host's own apt sources use
# ($DRM_SVM_DEBIAN_MIRROR overrides it).
# Usage: ci/fetch-kernel-source.sh [--refresh]
# Prints the Debian version of the unpacked source.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$KSERIES" != 6.12 ] || die "6.12 comes from Debian 12 itself (ci/setup.sh)"
refresh=0
[ "${1:-}" = --refresh ] && refresh=1
pkg=linux-source-$KSERIES
dest=$(kdeb_dir)
if [ $refresh = 0 ] && [ -f "$dest/version" ] && [ -f "$(src_tarball)" ]; then
	cat "$dest/version"
	exit 0
fi

# The host's Debian mirror: the first URI of a Debian (not security) source.
host_mirror() {
	{
		grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{ print $2 }'
		grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
			sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{ print $1 }'
	} | grep -E '/debian/?$' | grep -v security | head -n 1 || true
}
mirror=${DRM_SVM_DEBIAN_MIRROR:-$(host_mirror)}
[ -n "$mirror" ] || die "no Debian mirror in the host's apt sources; set DRM_SVM_DEBIAN_MIRROR"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "$keyring is missing (package debian-archive-keyring)"

apt_dir="$CACHE_DIR/apt/$(ksuite)"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial"
echo "deb [signed-by=$keyring] $mirror $(ksuite) main" > "$apt_dir/sources.list"
aptopts=(-q -o Dir::Etc::SourceList="$apt_dir/sources.list"
	-o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists="$apt_dir/lists"
	-o Dir::Cache="$apt_dir" -o Dir::Cache::archives="$apt_dir/archives"
	-o APT::Sandbox::User=root)
log "fetching $pkg from $(ksuite)"
apt-get "${aptopts[@]}" update >&2 || die "apt-get update of $(ksuite) failed"
version=$(apt-cache "${aptopts[@]}" show "$pkg" 2>/dev/null |
	awk '/^Version:/ { print $2; exit }' || true)
if [ -z "$version" ]; then
	avail=$(apt-cache "${aptopts[@]}" pkgnames linux-source- 2>/dev/null |
		sort -V | tr '\n' ' ' || true)
	die "$pkg is no longer in $(ksuite); available there: ${avail:-none}"
fi
work=$(mktemp -d "$CACHE_DIR/apt/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get "${aptopts[@]}" download "$pkg=$version" >&2) ||
	die "download of $pkg $version failed"
rm -rf "$dest"
mkdir -p "$dest"
dpkg-deb -x "$work"/"$pkg"_*.deb "$dest"
[ -f "$(src_tarball)" ] || die "$pkg $version has no $(basename "$(src_tarball)")"
echo "$version" > "$dest/version"
log "$pkg $version unpacked in $dest"
echo "$version"
