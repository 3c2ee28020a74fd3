#!/usr/bin/env bash
# Builds a churnlake release from the committed HEAD: the versioned thin jars (churnlake-common,
# churnlake-jobs), the shaded application jar (churnlake-jobs-VERSION-all.jar: what spark-submit
# needs besides Spark itself), LICENSE, NOTICE and CHANGELOG.md, and their SHA-256 checksums, under
# dist/churnlake-VERSION/. The jars are built in a fresh clone with the version set in every pom,
# and the shaded jar must answer `--version` with that version.
#
# Usage: scripts/release.sh VERSION [--dry-run]
#   VERSION    MAJOR.MINOR.PATCH, e.g. 0.2.0 (semantic versioning; CHANGELOG.md)
#   --dry-run  build and check everything, do not tag (CI runs this)
# Without --dry-run the working tree must be clean, CHANGELOG.md must have a "## VERSION" section
# and no tag vVERSION may exist; the commit is then tagged vVERSION (push the tag yourself).
# Exit codes: 0 done, 1 the build or a check failed, 2 a usage error (the message says which).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
usage() { echo "scripts/release.sh: $*; usage: scripts/release.sh VERSION [--dry-run]" >&2; exit 2; }
[ $# -ge 1 ] || usage "no version given"
version="$1"; dry=false
[ $# -lt 2 ] || { [ "$2" = "--dry-run" ] && dry=true || usage "unknown option $2"; }
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || usage "version $version is not MAJOR.MINOR.PATCH"
if ! $dry; then
  [ -z "$(git -C "$HERE" status --porcelain)" ] || usage "the working tree has uncommitted changes"
  grep -q "^## $version\b" "$HERE/CHANGELOG.md" || usage "CHANGELOG.md has no '## $version' section"
  ! git -C "$HERE" rev-parse -q --verify "refs/tags/v$version" >/dev/null || usage "tag v$version exists"
fi

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
git clone -q "$HERE" "$work/src"
cd "$work/src"
commit="$(git rev-parse --short HEAD)"
echo "release $version from $commit$($dry && echo ' (dry run)')"
./mvnw -q -B org.codehaus.mojo:versions-maven-plugin:2.18.0:set -DnewVersion="$version" \
  -DgenerateBackupPoms=false -DprocessAllModules=true
./mvnw -q -B package -DskipTests -Dfmt.skip -pl common,jobs

thin_common="common/target/churnlake-common-$version.jar"
thin_jobs="jobs/target/churnlake-jobs-$version.jar"
shaded="jobs/target/churnlake-jobs-$version-all.jar"
for f in "$thin_common" "$thin_jobs" "$shaded"; do
  [ -s "$f" ] || { echo "scripts/release.sh: the build made no $f" >&2; exit 1; }
done
said="$(java -cp "$shaded" io.churnlake.jobs.cli.ChurnlakeCli --version)"
[ "$said" = "churnlake $version" ] \
  || { echo "scripts/release.sh: the shaded jar says '$said', not 'churnlake $version'" >&2; exit 1; }

dist="$HERE/dist/churnlake-$version"
rm -rf "$dist"; mkdir -p "$dist"
cp "$thin_common" "$thin_jobs" "$shaded" LICENSE NOTICE CHANGELOG.md "$dist/"
(cd "$dist" && sha256sum -- * > SHA256SUMS && sha256sum --quiet -c SHA256SUMS)
echo "built $dist ($commit):"
(cd "$dist" && ls -l | awk 'NR > 1 { printf "  %-40s %12d bytes\n", $9, $5 }')
if ! $dry; then
  git -C "$HERE" tag -a "v$version" -m "churnlake $version"
  echo "tagged v$version; push it with: git push origin v$version"
fi
