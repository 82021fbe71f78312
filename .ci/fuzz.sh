#!/usr/bin/env bash
# libFuzzer over the readers of untrusted bytes (issue 15): the JSON scanner, the CSV reader, the GeoJSON document
# and stream readers, the event parser, and the byte layout the batch fast path reads NDJSON lines and GeoJSON
# features by. WanggeCore is pure Swift, so its sources and Tests/Fuzz/FuzzTargets.swift are compiled into one binary
# with -sanitize=fuzzer,address; each target starts from the committed seed corpus (copied, so the clone stays clean)
# and runs for SECONDS (default 30). A crash, a hang over 10 s on one input, a sanitizer
# report or a failed agreement check stops it with the input that did it.
# Usage: .ci/fuzz.sh [SECONDS]
set -euo pipefail
seconds=${1:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
swiftc -sanitize=fuzzer,address -parse-as-library -module-name WanggeCore -swift-version 6 -enable-upcoming-feature ExistentialAny -Onone \
    "$root"/Sources/WanggeCore/*.swift "$root/Tests/Fuzz/FuzzTargets.swift" -o "$work/wangge-fuzz" 2>&1 | grep -v "ld.gold: warning" || true
for target in json csv geojson event layout; do
    cp -r "$root/Tests/Fuzz/corpus/$target" "$work/corpus-$target"
    echo "+ fuzz $target for $seconds s"
    (cd "$work" && WANGGE_FUZZ=$target ./wangge-fuzz "corpus-$target" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 2>&1 | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==|fuzz:|SUMMARY|artifact_prefix|Test unit written)" ) \
        || { echo "FAIL fuzz $target"; exit 1; }
    test -z "$(ls "$work" | grep -E '^(crash|timeout|oom|leak)-')" || { echo "FAIL fuzz $target: $(ls "$work" | grep -E '^(crash|timeout|oom|leak)-')"; exit 1; }
done
echo "fuzzing passed"
