#!/usr/bin/env bash
# Checks every Maven dependency snippet in README.md and docs/*.md: the snippets of each file become a throw-away
# project (.ci/DocSnippets.java) that must resolve and compile. This checkout's own artifacts are built and installed
# into a private copy of ~/.m2/repository, never into ~/.m2 itself. MVN_ARGS (e.g. -o) is passed to every Maven run.
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d "${TMPDIR:-/tmp}/doc-snippets.XXXXXX")
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
repo=$work/repository
if [ -d "$HOME/.m2/repository" ]; then
    cp -a "$HOME/.m2/repository" "$repo"
    rm -rf "$repo/io/github/camelrelay"
fi
# shellcheck disable=SC2086 # MVN_ARGS holds several arguments
mvn -B -q ${MVN_ARGS:-} -Dmaven.repo.local="$repo" -DskipTests -pl camel-relay-component,camel-relay-starter -am install

java .ci/DocSnippets.java "$work/projects" README.md docs/*.md >"$work/projects.txt"
passed=0
failed=0
while IFS=$'\t' read -r project markdown; do
    # shellcheck disable=SC2086
    if mvn -B ${MVN_ARGS:-} -Dmaven.repo.local="$repo" -f "$project/pom.xml" compile >"$project/build.log" 2>&1; then
        echo "doc-snippets: the dependency snippets of $markdown resolve and compile"
        passed=$((passed + 1))
    else
        echo "doc-snippets: FAILED: the dependency snippets of $markdown, as $project/pom.xml:"
        cat "$project/pom.xml"
        grep -E '^\[ERROR\]' "$project/build.log" | head -n 30
        failed=$((failed + 1))
    fi
done <"$work/projects.txt"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
