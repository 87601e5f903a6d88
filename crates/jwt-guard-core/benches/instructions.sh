#!/usr/bin/env bash
# Instructions per verification under callgrind (load-independent), per algorithm, for
# jwt-guard, jsonwebtoken and the floor. Needs valgrind. Prints a markdown table.
#   bash crates/jwt-guard-core/benches/instructions.sh [ALG...]
# With --revocation first: BearerAuth::verify without and with a revocation store instead.
#   RULES=1 bash crates/jwt-guard-core/benches/instructions.sh [ALG...]   # claim rules' cost
set -euo pipefail
cd "$(dirname "$0")/../../.."
# INSTRUCTIONS_BIN: an already built bench binary (skips cargo)
bin=${INSTRUCTIONS_BIN:-}
[ -n "$bin" ] || bin=$(cargo bench -p jwt-guard-core --bench instructions --no-run --message-format=json 2>/dev/null \
      | python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m["target"]["name"]=="instructions" and m.get("executable"): print(m["executable"])' | tail -1)
revocation=false
if [ "${1:-}" = "--revocation" ]; then revocation=true; shift; fi
algs=("$@"); [ ${#algs[@]} -gt 0 ] || algs=(HS256 HS384 HS512 RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA)
count() { # impl alg n -> total instructions
  local out; out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" "$1" "$2" "$3" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"; rm -f "$out"
}
per() { # impl alg -> instructions per verify (PER_LO/PER_HI: the two call counts)
  local lo=${PER_LO:-10} hi=${PER_HI:-110}
  local a b; a=$(count "$1" "$2" $lo); b=$(count "$1" "$2" $hi)
  echo $(( (b - a) / (hi - lo) ))
}
if $revocation; then
  # BearerAuth::verify (what both adapters call) without and with a revocation store.
  echo "| alg | BearerAuth::verify | with a store of 100,000 entries | difference |"
  echo "|---|---|---|---|"
  for alg in "${algs[@]}"; do
    a=$(per bearer "$alg"); b=$(per bearer-revocation "$alg")
    printf '| %s | %s | %s | +%s |\n' "$alg" "$a" "$b" "$((b - a))"
  done
  exit 0
fi
if [ "${CACHE:-0}" = 1 ]; then # the verified-token cache: hit, and the miss path under churn
  # 1,000 calls apart: a new token now and then taken for seen by the doorkeeper (a Bloom
  # filter's false positive) is inserted and evicts; over 100 calls that is noise.
  export PER_LO=${PER_LO:-10} PER_HI=${PER_HI:-1010}
  echo "| alg | cache off (same token) | hit | off, new token each call | churn (a new token each call, cache full) | churn / off |"
  echo "|---|---|---|---|---|---|"
  for alg in "${algs[@]}"; do
    off=$(per bearer "$alg"); hit=$(per bearer-hit "$alg"); s=$(per sign-distinct "$alg")
    d=$(( $(per bearer-distinct "$alg") - s )); c=$(( $(per bearer-churn "$alg") - s ))
    python3 -c "import sys; a,o,h,d,c=sys.argv[1],*map(int,sys.argv[2:]); print(f'| {a} | {o:,} | {h:,} ({o/h:.1f}× fewer) | {d:,} | {c:,} | {c/d:.3f} |')" "$alg" "$off" "$hit" "$d" "$c"
  done
  exit 0
fi
if [ "${RULES:-0}" = 1 ]; then # the cost of three claim rules (equals, one_of, a pointer's contains)
  echo "| alg | token with token_use, azp, realm_access: no rules | 3 claim rules | the rules |"
  echo "|---|---|---|---|"
  for alg in "${algs[@]}"; do
    b=$(per jwt-guard-rules-base "$alg"); r=$(per jwt-guard-rules "$alg")
    echo "| $alg | $b | $r | +$((r - b)) |"
  done
  exit 0
fi
echo "| alg | jwt-guard | floor | jwt-guard / floor | jsonwebtoken | jsonwebtoken / jwt-guard |"
echo "|---|---|---|---|---|---|"
for alg in "${algs[@]}"; do
  g=$(per jwt-guard "$alg"); f=$(per floor "$alg")
  if [ "$alg" = ES512 ]; then j=""; else j=$(per jsonwebtoken "$alg"); fi
  python3 - "$alg" "$g" "$f" "$j" <<'PY'
import sys
alg, g, f, j = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
js = f"{int(j):,}" if j else "— (no ES512)"
jr = f"{int(j)/g:.2f}×" if j else "—"
print(f"| {alg} | {g:,} | {f:,} | {g/f:.2f}× | {js} | {jr} |")
PY
done
