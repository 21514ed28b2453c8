# Reads `cuobjdump -sass` and prints one line per function: name, FMUL count, FADD count, fused multiply-add count,
# and the first fused instruction (or "-"). Integer multiply-adds (IMAD, XMAD: address arithmetic) are not float
# arithmetic and are not counted. HFMA2 with both multiplicands RZ is ptxas's way of loading a constant (-0*0 + c),
# a move rather than arithmetic, so it is not counted either.
function flush() { if (fn != "") printf "%s %d %d %d %s\n", fn, mul, add, fused, (first == "" ? "-" : first) }

/Function : / { flush(); fn = $NF; mul = add = fused = 0; first = ""; next }

fn != "" && /^[[:space:]]*\/\*[0-9a-f]+\*\// {
  line = $0
  sub(/^[[:space:]]*\/\*[0-9a-f]+\*\/[[:space:]]*/, "", line)
  sub(/^\{[[:space:]]*/, "", line)   # sm_5x/sm_6x mark dual-issued pairs with braces
  sub(/[[:space:]]*(;|\}).*$/, "", line)
  sub(/^@!?U?P[0-9T]+[[:space:]]+/, "", line)
  op = line; sub(/[[:space:]].*$/, "", op)
  base = op; sub(/\..*$/, "", base)
  operands = line; sub(/^[^[:space:]]+[[:space:]]*/, "", operands)
  n = split(operands, arg, /[[:space:]]*,[[:space:]]*/)

  if (base ~ /^FMUL/) mul++
  else if (base ~ /^FADD/) add++
  else if (base ~ /^[DFH]FMA/) {
    if (base ~ /^HFMA2/ && n >= 3 && arg[2] ~ /^-?RZ$/ && arg[3] ~ /^-?RZ$/) next
    fused++
    if (first == "") { first = line; gsub(/[[:space:]]+/, "_", first) }
  }
}

END { flush() }
