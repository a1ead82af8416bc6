#!/usr/bin/env bash
# vendor-graphiql.sh refreshes web/graphiql/ from the npm registry: the UMD
# builds of GraphiQL and of React 18 (React 19 ships no UMD build), their
# licences, and VERSIONS with each file's sha256. The vendored files are
# byte-identical to the published packages, so VERSIONS can be checked
# against `npm pack`. Run from anywhere; needs npm.
#
#   tools/vendor-graphiql.sh [graphiql-version [react-version]]
set -euo pipefail

GRAPHIQL_VERSION="${1:-4.1.2}"
REACT_VERSION="${2:-18.3.1}"

root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/web/graphiql"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
for pkg in "graphiql@$GRAPHIQL_VERSION" "react@$REACT_VERSION" "react-dom@$REACT_VERSION"; do
	name="${pkg%@*}"
	file="$(npm pack --silent "$pkg")"
	mkdir -p "$name"
	tar -xzf "$file" -C "$name"
	printf '%s\t%s\n' "$pkg" "$(npm view "$pkg" dist.integrity)" >>integrity.txt
done

test -f graphiql/package/graphiql.min.js || { echo "graphiql@$GRAPHIQL_VERSION ships no UMD graphiql.min.js" >&2; exit 1; }
test -f react/package/umd/react.production.min.js || { echo "react@$REACT_VERSION ships no UMD build" >&2; exit 1; }

mkdir -p "$dest"
cp graphiql/package/graphiql.min.js graphiql/package/graphiql.min.css "$dest/"
cp graphiql/package/LICENSE "$dest/LICENSE.graphiql"
cp react/package/umd/react.production.min.js "$dest/"
cp react/package/LICENSE "$dest/LICENSE.react"
cp react-dom/package/umd/react-dom.production.min.js "$dest/"
cp react-dom/package/LICENSE "$dest/LICENSE.react-dom"

{
	echo "# Vendored by tools/vendor-graphiql.sh from the npm registry; files are unmodified."
	echo "# package	npm dist.integrity"
	cat integrity.txt
	echo "# file	sha256"
	(cd "$dest" && for f in graphiql.min.js graphiql.min.css LICENSE.graphiql react.production.min.js LICENSE.react react-dom.production.min.js LICENSE.react-dom; do
		printf '%s\t%s\n' "$f" "$(sha256sum "$f" | cut -d' ' -f1)"
	done)
} >"$dest/VERSIONS"
echo "vendored graphiql@$GRAPHIQL_VERSION react@$REACT_VERSION react-dom@$REACT_VERSION into $dest"
