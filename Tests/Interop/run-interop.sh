#!/bin/bash
# Runs every SIPp scenario against a real peer (baresip via baresip/baresip_peer.py,
# or another SIPp instance) on loopback and prints one result line per pairing.
# Usage: Tests/Interop/run-interop.sh [pairing-name ...]     (default: all)
# Env:   SIPP_PORT (15060) PEER_PORT (15070) SIPP_MEDIA_PORT (15100)
#        AUTH_USER (alice) AUTH_PASS (secret) KEEP=1 keeps the output dir.
# Exit status: number of pairings whose outcome differed from the expectation.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SC=$HERE/sipp
PEER=$HERE/baresip/baresip_peer.py
SIPP_PORT=${SIPP_PORT:-15060}
PEER_PORT=${PEER_PORT:-15070}
SIPP_MEDIA_PORT=${SIPP_MEDIA_PORT:-15100}
AUTH_USER=${AUTH_USER:-alice}
AUTH_PASS=${AUTH_PASS:-secret}
H=127.0.0.1
OUT=$(mktemp -d /tmp/interop-run.XXXXXX)
PIDS=()
FAILS=0

cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    if [ "${KEEP:-0}" = 1 ]; then echo "output kept in $OUT"; else rm -rf "$OUT"; fi
}
trap cleanup EXIT

# common SIPp options: single call, hard timeout, traces in $OUT
SIPP_COMMON=(-i $H -p "$SIPP_PORT" -mp "$SIPP_MEDIA_PORT" -m 1 -timeout 30s -timeout_error
             -nostdin -trace_err -trace_msg -trace_logs -trace_stat)

wait_file() { # file timeout_s
    local i=0
    while [ ! -e "$1" ]; do sleep 0.05; i=$((i + 1)); [ $i -gt $(($2 * 20)) ] && return 1; done
    return 0
}
wait_udp() { # port
    local i=0
    while ! ss -Hlun "sport = :$1" | grep -q .; do sleep 0.05; i=$((i + 1)); [ $i -gt 100 ] && return 1; done
    return 0
}
stats() { # sipp stdout file -> "successful=N failed=M"
    local s f
    s=$(grep -E '^ +Successful call' "$1" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}')
    f=$(grep -E '^ +Failed call' "$1" | tail -1 | awk -F'|' '{gsub(/ /,"",$3); print $3}')
    echo "successful=${s:-?} failed=${f:-?}"
}
start_peer() { # name args...  -> sets PEER_PID
    local name=$1; shift
    rm -f "$OUT/$name.ready"
    python3 "$PEER" --port "$PEER_PORT" --log "$OUT/$name.baresip.log" \
        --ready-file "$OUT/$name.ready" "$@" > "$OUT/$name.peer.out" 2>&1 &
    PEER_PID=$!
    PIDS+=("$PEER_PID")
}
stop_peer() {
    kill "$PEER_PID" 2>/dev/null; wait "$PEER_PID" 2>/dev/null
}
report() { # name expected_rc rc sippout
    local verdict=PASS
    [ "$3" != "$2" ] && { verdict=FAIL; FAILS=$((FAILS + 1)); }
    printf '%-34s %s  sipp rc=%s (expected %s)  %s\n' "$1" "$verdict" "$3" "$2" "$(stats "$4")"
}

# --- UAC scenarios against baresip as callee ---------------------------------
uac_vs_baresip() { # name scenario mode
    start_peer "$1" --mode "$3"
    wait_file "$OUT/$1.ready" 10 || echo "$1: baresip not ready"
    (cd "$OUT" && sipp -sf "$SC/$2" "${SIPP_COMMON[@]}" -s "$AUTH_USER" $H:"$PEER_PORT" > "$OUT/$1.sipp.out" 2>&1)
    local rc=$?
    stop_peer
    report "$1" 0 $rc "$OUT/$1.sipp.out"
}

# --- UAS scenarios with baresip as caller --------------------------------------
uas_vs_baresip() { # name scenario expected_rc peer-args...
    local name=$1 sc=$2 exp=$3; shift 3
    (cd "$OUT" && exec sipp -sf "$SC/$sc" "${SIPP_COMMON[@]}" \
        -key auth_user "$AUTH_USER" -key auth_pass "$AUTH_PASS" > "$OUT/$name.sipp.out" 2>&1) &
    local sp=$!
    PIDS+=("$sp")
    wait_udp "$SIPP_PORT" || echo "$name: sipp not listening"
    start_peer "$name" "$@"
    wait "$sp"
    local rc=$?
    stop_peer
    report "$name" "$exp" $rc "$OUT/$name.sipp.out"
}

sipp_vs_sipp() { # name uac-scenario uas-scenario
    (cd "$OUT" && exec sipp -sf "$SC/$3" "${SIPP_COMMON[@]}" -p "$PEER_PORT" -mp $((SIPP_MEDIA_PORT + 10)) \
        > "$OUT/$1.uas.out" 2>&1) &
    local sp=$!
    PIDS+=("$sp")
    wait_udp "$PEER_PORT" || echo "$1: sipp uas not listening"
    (cd "$OUT" && sipp -sf "$SC/$2" "${SIPP_COMMON[@]}" -s "$AUTH_USER" $H:"$PEER_PORT" > "$OUT/$1.sipp.out" 2>&1)
    local rc=$?
    wait "$sp"
    local urc=$?
    report "$1" 0 $rc "$OUT/$1.sipp.out"
    report "$1 (uas side)" 0 $urc "$OUT/$1.uas.out"
}

DIAL="sip:bob@$H:$SIPP_PORT"
run() {
    case $1 in
    uac_call_bye)           uac_vs_baresip uac_call_bye uac_call_bye.xml answer ;;
    uac_cancel)             uac_vs_baresip uac_cancel uac_cancel.xml ring ;;
    uac_reject_486)         uac_vs_baresip uac_reject_486 uac_reject_486.xml reject ;;
    uac_reinvite_sendonly)  uac_vs_baresip uac_reinvite_sendonly uac_reinvite_sendonly.xml answer ;;
    uac_reject_486_vs_sipp) sipp_vs_sipp uac_reject_486_vs_sipp uac_reject_486.xml uas_busy.xml ;;
    uas_answer)             uas_vs_baresip uas_answer uas_answer.xml 0 \
                                --mode dial --dial "$DIAL" --hangup-after 1 ;;
    uas_busy)               uas_vs_baresip uas_busy uas_busy.xml 0 \
                                --mode dial --dial "$DIAL" --quit-after 3 ;;
    uas_auth_invite)        uas_vs_baresip uas_auth_invite uas_auth_invite.xml 0 \
                                --mode dial --dial "$DIAL" --hangup-after 1 \
                                --user "$AUTH_USER" --password "$AUTH_PASS" ;;
    uas_auth_invite_badpw)  uas_vs_baresip uas_auth_invite_badpw uas_auth_invite.xml 1 \
                                --mode dial --dial "$DIAL" --quit-after 3 \
                                --user "$AUTH_USER" --password "wrong-$AUTH_PASS" ;;
    uas_registrar)          uas_vs_baresip uas_registrar uas_registrar.xml 0 \
                                --mode idle --registrar "$H:$SIPP_PORT" --regint 60 \
                                --user "$AUTH_USER" --password "$AUTH_PASS" --quit-after 6 ;;
    *) echo "unknown pairing $1"; FAILS=$((FAILS + 1)) ;;
    esac
}

ALL=(uac_call_bye uac_cancel uac_reject_486 uac_reinvite_sendonly uac_reject_486_vs_sipp
     uas_answer uas_busy uas_auth_invite uas_auth_invite_badpw uas_registrar)
[ $# -gt 0 ] && ALL=("$@")
for t in "${ALL[@]}"; do run "$t"; done
echo "pairings not matching expectation: $FAILS"
exit $FAILS
