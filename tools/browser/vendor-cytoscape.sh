#!/usr/bin/env bash
# vendor-cytoscape.sh refreshes web/static/vendor/ from the npm registry: the
# minified UMD build of Cytoscape.js, its licence, and VERSIONS with the
# package's npm integrity and each file's sha256. The vendored files are
# byte-identical to the published package, so VERSIONS can be checked
# against `npm pack`. The trace page lays the graph out with Cytoscape's
# built-in breadthfirst layout, so no layout extension is vendored. Run from
# anywhere; needs npm.
#
#   tools/browser/vendor-cytoscape.sh [cytoscape-version]
set -euo pipefail

CYTOSCAPE_VERSION="${1:-3.34.4}"

root="$(cd "$(dirname "$0")/../.." && pwd)"
dest="$root/web/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
pkg="cytoscape@$CYTOSCAPE_VERSION"
file="$(npm pack --silent "$pkg")"
mkdir -p cytoscape
tar -xzf "$file" -C cytoscape
test -f cytoscape/package/dist/cytoscape.min.js || { echo "$pkg ships no dist/cytoscape.min.js" >&2; exit 1; }

mkdir -p "$dest"
cp cytoscape/package/dist/cytoscape.min.js "$dest/"
cp cytoscape/package/LICENSE "$dest/LICENSE.cytoscape"
{
	echo "# Vendored by tools/browser/vendor-cytoscape.sh from the npm registry; files are unmodified."
	echo "# package	npm dist.integrity"
	printf '%s\t%s\n' "$pkg" "$(npm view "$pkg" dist.integrity)"
	echo "# file	sha256"
	(cd "$dest" && for f in cytoscape.min.js LICENSE.cytoscape; do
		printf '%s\t%s\n' "$f" "$(sha256sum "$f" | cut -d' ' -f1)"
	done)
} >"$dest/VERSIONS"
echo "vendored $pkg into $dest"
