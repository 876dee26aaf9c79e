# SPDX-License-Identifier: BSD-3-Clause
# Shared by the shell suites (sourced): pass/fail counters and `expect`, the CLI's error
# contract in one check. Needs $gandyn; runs in the caller's scratch directory.
pass=0 fail=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect STATUS PATTERN -- ARGS: exit status STATUS, exactly one stderr line matching
# PATTERN, and no output file (out.h5 or its temporary) left behind.
expect() {
    local want=$1 pat=$2; shift 3
    rm -f out.h5 .out.h5.tmp.*
    local out=(-o out.h5)
    case " $* " in *" -o "*) out=() ;; esac
    "$gandyn" "$@" "${out[@]}" > stdout.txt 2> stderr.txt
    local st=$? lines; lines=$(wc -l < stderr.txt)
    [ "$st" = "$want" ] || { bad "$*: status $st, want $want ($(head -c 300 stderr.txt))"; return; }
    [ "$lines" = 1 ] || { bad "$*: $lines stderr lines"; cat stderr.txt >&2; return; }
    grep -q -- "$pat" stderr.txt || { bad "$*: stderr '$(cat stderr.txt)' lacks '$pat'"; return; }
    ls out.h5 .out.h5.tmp.* > /dev/null 2>&1 && { bad "$*: left an output file"; return; }
    ok
}
