#!/usr/bin/env bash
# Instructions per hostile request under callgrind (load-independent). Needs valgrind.
# Prints a markdown table.   bash crates/jwt-guard-core/benches/hostile.sh [CASE...]
set -euo pipefail
cd "$(dirname "$0")/../../.."
bin=$(cargo bench -p jwt-guard-core --bench hostile --no-run --message-format=json 2>/dev/null \
      | python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m["target"]["name"]=="hostile" and m.get("executable"): print(m["executable"])' | tail -1)
cases=("$@"); [ ${#cases[@]} -gt 0 ] || cases=(valid-hs256 scopes-2400 header-1200 routed-payload-1200 no-kid-16-rsa)
count() { # case n -> total instructions
  local out; out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$1" "$2" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"; rm -f "$out"
}
echo "| case | instructions per request |"
echo "|---|---|"
for c in "${cases[@]}"; do
  lo=2; hi=12
  a=$(count "$c" $lo); b=$(count "$c" $hi)
  printf '| %s | %s |\n' "$c" "$(python3 -c "print(f'{($b-$a)//($hi-$lo):,}')")"
done
