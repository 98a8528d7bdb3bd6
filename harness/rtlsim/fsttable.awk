# fstdump's value changes -> one row per falling edge (time 10c, where the
# wrapper samples the outputs), values carried forward
BEGIN { n = split(cols, C, " "); fe = lo }
$1 ~ /^[0-9]+$/ {
  t = $1 + 0
  for (; fe < t && fe <= hi; fe += 10) emit(fe)
  name = $2; sub(/.*\./, "", name); v[name] = $3
}
END { for (; fe <= hi; fe += 10) emit(fe) }
function emit(t,   i, line) {
  line = sprintf("%6d", t / 10)
  for (i = 1; i <= n; i++) line = line sprintf(" %*s", length(C[i]), v[C[i]])
  print line
}
