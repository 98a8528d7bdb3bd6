# Shared by the shell tests (sourced): counters and the checks they use.
# The sourcing script sets $granule (the binary under test) and $tmp (a
# scratch directory) before calling expect, and ends with `finish NAME`.
fails=0 passes=0

# check NAME WANT GOT: GOT is exactly WANT.
check() {
  if [ "$2" == "$3" ]; then passes=$((passes + 1)); else
    echo "FAIL: $1: want [$2] got [$3]"; fails=$((fails + 1)); fi
}

# has NAME FILE LINE: FILE contains the exact line LINE.
has() {
  if grep -qxF -- "$3" "$2"; then passes=$((passes + 1)); else
    echo "FAIL: $1: no line [$3] in:"; head -70 "$2"; fails=$((fails + 1)); fi
}

# contains NAME FILE TEXT: FILE contains TEXT somewhere.
contains() {
  if grep -qF -- "$3" "$2"; then passes=$((passes + 1)); else
    echo "FAIL: $1: no [$3] in:"; cat "$2"; fails=$((fails + 1)); fi
}

# expect CODE PATTERN -- ARGS...: `granule ARGS` exits with CODE and its
# standard error or output matches the extended regular expression PATTERN.
expect() {
  local code=$1 pattern=$2; shift 3
  "$granule" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -ne "$code" ] || ! grep -Eq -- "$pattern" "$tmp/err" "$tmp/out"; then
    echo "FAIL: granule $* -> exit $rc (want $code), output:"; cat "$tmp/err" "$tmp/out" | head -5
    fails=$((fails + 1))
  else
    passes=$((passes + 1))
  fi
}

# finish NAME: the summary line; the status is non-zero if a check failed.
finish() {
  echo "$1: $passes passed, $fails failed"
  [ "$fails" -eq 0 ]
}
