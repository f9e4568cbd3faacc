#!/usr/bin/env bash
# A real cluster on one machine: PostgreSQL, N silos and M gateways as separate processes on loopback.
#
#   scripts/cluster.sh start [options]   build, start everything, print the addresses, return
#   scripts/cluster.sh run [options]     the same, then wait; Ctrl-C stops everything
#   scripts/cluster.sh stop              stop everything this state directory started
#   scripts/cluster.sh status            what runs, with pids and addresses
#   scripts/cluster.sh start-silo I      (re)start silo I of a started cluster (after a kill -9, say)
#   scripts/cluster.sh start-gateway J   (re)start gateway J
#
# Options (or the environment variable in brackets):
#   --silos N           silos, 1-9 (CLUSTER_SILOS, default 2)
#   --gateways M        HTTP gateways, 1-9 (CLUSTER_GATEWAYS, default 2)
#   --base-port P       ports used: P PostgreSQL, P+10+I silo I, P+20+I its client port, P+30+J gateway J
#                       (CLUSTER_BASE_PORT, default 15400)
#   --state-dir DIR     database, logs, pid files, the shared token key (CLUSTER_STATE_DIR, default data/cluster)
#   --configuration C   Debug or Release build to run (CLUSTER_CONFIGURATION, default Release)
#   --no-build          run what is built already (CLUSTER_NO_BUILD=1)
#   --connection-string S  use this PostgreSQL database instead of starting one (CLUSTER_CONNECTION_STRING)
# CLUSTER_ID (default entitlements) names the Orleans cluster; CLUSTER_PG_BIN the PostgreSQL binaries.
#
# Pid files: <state>/pids/{postgres,silo-I,gateway-J}.pid; logs: <state>/logs/. A token for the gateways:
#   dotnet Gateway/bin/<C>/net10.0/Gateway.dll token --permissions "inv:* user:*" --Auth:DevelopmentKeyFile=<state>/dev-signing-key.json
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
command=${1:-}
[[ $# -gt 0 ]] && shift

silos=${CLUSTER_SILOS:-2}
gateways=${CLUSTER_GATEWAYS:-2}
base_port=${CLUSTER_BASE_PORT:-15400}
state_dir=${CLUSTER_STATE_DIR:-$root/data/cluster}
configuration=${CLUSTER_CONFIGURATION:-Release}
no_build=${CLUSTER_NO_BUILD:-0}
connection_string=${CLUSTER_CONNECTION_STRING:-}
cluster_id=${CLUSTER_ID:-entitlements}
index=

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --silos) silos=$2; shift 2 ;;
        --gateways) gateways=$2; shift 2 ;;
        --base-port) base_port=$2; shift 2 ;;
        --state-dir) state_dir=$2; shift 2 ;;
        --configuration) configuration=$2; shift 2 ;;
        --no-build) no_build=1; shift ;;
        --connection-string) connection_string=$2; shift 2 ;;
        [1-9]) index=$1; shift ;;
        *) echo "unknown argument: $1" >&2; usage ;;
    esac
done

[[ $silos =~ ^[1-9]$ && $gateways =~ ^[1-9]$ ]] || { echo "--silos and --gateways must be 1 to 9" >&2; exit 2; }
[[ $base_port =~ ^[0-9]+$ ]] || { echo "--base-port must be a number" >&2; exit 2; }
mkdir -p "$state_dir"
state_dir=$(cd "$state_dir" && pwd)
settings=$state_dir/cluster.env
pids=$state_dir/pids
logs=$state_dir/logs
pg_dir=$state_dir/postgres

# Commands on a started cluster use the settings it was started with.
if [[ $command != start && $command != run && -f $settings ]]; then
    # shellcheck source=/dev/null
    source "$settings"
fi

pg_port=$base_port
silo_port() { echo $((base_port + 10 + $1)); }
silo_gateway_port() { echo $((base_port + 20 + $1)); }
http_port() { echo $((base_port + 30 + $1)); }
dll() { echo "$root/$1/bin/$configuration/net10.0/$1.dll"; }

pg_bin() {
    if [[ -n ${CLUSTER_PG_BIN:-} ]]; then echo "$CLUSTER_PG_BIN"; return; fi
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [[ -x $bin/pg_ctl ]] || { echo "no PostgreSQL binaries in /usr/lib/postgresql/*/bin; set CLUSTER_PG_BIN or --connection-string" >&2; exit 1; }
    echo "$bin"
}

# Run a PostgreSQL tool; as the postgres user when we are root (initdb and postgres refuse root).
as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# start-silo and start-gateway join a cluster that start left settings for; without them a process would
# start on the defaults (no connection string) and die with a message that does not name the cause.
require_started() {
    [[ -f $settings ]] || { echo "nothing started in $state_dir (no cluster.env): run 'scripts/cluster.sh start' first, or give the --state-dir it used" >&2; exit 1; }
}

alive() { [[ -f $1 ]] && kill -0 "$(cat "$1" 2>/dev/null)" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for_port PORT PIDFILE WHAT: until the port accepts connections, or fail with the log's tail.
wait_for_port() {
    local deadline=$((SECONDS + 90))
    until port_open "$1"; do
        if ! alive "$2"; then
            echo "$3 exited; the end of its log:" >&2
            tail -n 40 "$logs/$3.log" >&2 || true
            exit 1
        fi
        if ((SECONDS > deadline)); then
            echo "$3 did not open port $1 in 90 s; see $logs/$3.log" >&2
            exit 1
        fi
        sleep 0.2
    done
}

start_postgres() {
    local bin
    bin=$(pg_bin)
    # Kept in the settings, so that stop finds the same binaries from any shell.
    CLUSTER_PG_BIN=$bin
    mkdir -p "$pg_dir"
    if [[ $(id -u) -eq 0 ]]; then
        chown postgres "$pg_dir"
        as_postgres test -x "$pg_dir" || {
            echo "the postgres user cannot reach $pg_dir (a directory above it is closed to other users, as /root usually is): give --state-dir a directory it can reach, e.g. under /tmp" >&2
            exit 1
        }
    fi
    if [[ ! -f $pg_dir/data/PG_VERSION ]]; then
        as_postgres "$bin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 >"$logs/initdb.log"
    fi
    as_postgres "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_dir -c max_connections=300" start >/dev/null
    head -n 1 "$pg_dir/data/postmaster.pid" >"$pids/postgres.pid"
    if ! as_postgres "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'entitlements'" postgres | grep -q 1; then
        as_postgres "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres entitlements
    fi
}

# Configuration shared by silos and gateways (environment form of the appsettings keys).
cluster_env() {
    shared_env=(Orleans__Mode=Cluster "Orleans__ClusterId=$cluster_id" Storage__Provider=PostgreSql "Storage__ConnectionString=$connection_string")
}

# launch NAME PORT COMMAND...: run COMMAND (env assignments, then dotnet, the dll and its arguments)
# with the shared configuration, from the dll's folder, logging to logs/NAME.log, until PORT takes connections.
launch() {
    local name=$1 port=$2 argument folder=
    shift 2
    alive "$pids/$name.pid" && { echo "$name runs already (pid $(cat "$pids/$name.pid"))"; return 1; }
    # Waiting for the port proves nothing when another process holds it already.
    port_open "$port" && { echo "$name: port $port is taken by another process; choose another --base-port" >&2; exit 1; }
    for argument in "$@"; do [[ $argument == *.dll ]] && folder=$(dirname "$argument"); done
    cluster_env
    (
        cd "$folder"
        exec env "${shared_env[@]}" "$@" >>"$logs/$name.log" 2>&1
    ) &
    echo $! >"$pids/$name.pid"
    wait_for_port "$port" "$pids/$name.pid" "$name"
}

start_silo() {
    local i=$1
    launch "silo-$i" "$(silo_gateway_port "$i")" \
        Orleans__SiloPort="$(silo_port "$i")" Orleans__GatewayPort="$(silo_gateway_port "$i")" \
        Orleans__AdvertisedIPAddress=127.0.0.1 Storage__DataDirectory="$state_dir/silo-$i" \
        dotnet "$(dll Silo)" || return 0
    echo "silo-$i: pid $(cat "$pids/silo-$i.pid"), silo port $(silo_port "$i"), client port $(silo_gateway_port "$i")"
}

start_gateway() {
    local j=$1
    launch "gateway-$j" "$(http_port "$j")" \
        Auth__DevelopmentKeyFile="$state_dir/dev-signing-key.json" Storage__DataDirectory="$state_dir/gateway-$j" \
        dotnet "$(dll Gateway)" --urls "http://127.0.0.1:$(http_port "$j")" || return 0
    echo "gateway-$j: pid $(cat "$pids/gateway-$j.pid"), http://127.0.0.1:$(http_port "$j")"
}

stop_all() {
    local file
    for file in "$pids"/gateway-*.pid "$pids"/silo-*.pid; do
        [[ -f $file ]] || continue
        alive "$file" && kill "$(cat "$file")" 2>/dev/null || true
    done
    for file in "$pids"/gateway-*.pid "$pids"/silo-*.pid; do
        [[ -f $file ]] || continue
        for _ in $(seq 1 50); do alive "$file" || break; sleep 0.2; done
        alive "$file" && kill -9 "$(cat "$file")" 2>/dev/null || true
        rm -f "$file"
    done
    if [[ -f $pids/postgres.pid ]]; then
        local bin
        # A server that died on its own (a crash, a reboot) leaves its postmaster.pid: nothing to stop then.
        if [[ -f $pg_dir/data/postmaster.pid ]] && kill -0 "$(head -n 1 "$pg_dir/data/postmaster.pid")" 2>/dev/null \
            && ! { bin=$(pg_bin) && as_postgres "$bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null; }; then
            echo "PostgreSQL did not stop (see $pg_dir/server.log); its pid file is kept" >&2
            exit 1
        fi
        rm -f "$pids/postgres.pid"
    fi
    echo "stopped"
}

# The address of a process by its pid file's name, as start printed it.
address() {
    case $1 in
        postgres) echo "port $pg_port" ;;
        silo-[1-9]) echo "silo port $(silo_port "${1#silo-}"), client port $(silo_gateway_port "${1#silo-}")" ;;
        gateway-[1-9]) echo "http://127.0.0.1:$(http_port "${1#gateway-}")" ;;
    esac
}

status() {
    local file name found=0
    for file in "$pids"/*.pid; do
        [[ -f $file ]] || continue
        found=1
        name=$(basename "$file" .pid)
        if alive "$file"; then echo "$name: pid $(cat "$file") running, $(address "$name")"; else echo "$name: not running"; fi
    done
    [[ $found == 1 ]] || echo "nothing started in $state_dir"
}

start_cluster() {
    mkdir -p "$pids" "$logs"
    if [[ $no_build != 1 ]]; then
        dotnet build "$root/Silo/Silo.csproj" -c "$configuration" -nologo -v q
        dotnet build "$root/Gateway/Gateway.csproj" -c "$configuration" -nologo -v q
    fi
    [[ -f $(dll Silo) && -f $(dll Gateway) ]] || { echo "$(dll Silo) or $(dll Gateway) is missing: build first (without --no-build)" >&2; exit 1; }
    if [[ -z $connection_string ]]; then
        start_postgres
        connection_string="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=entitlements"
        echo "postgres: pid $(cat "$pids/postgres.pid"), $connection_string"
    fi
    # Each value quoted for the shell that reads the file back (a connection string may hold quotes, ';' or spaces).
    {
        printf 'silos=%q\n' "$silos"
        printf 'gateways=%q\n' "$gateways"
        printf 'base_port=%q\n' "$base_port"
        printf 'configuration=%q\n' "$configuration"
        printf 'cluster_id=%q\n' "$cluster_id"
        printf 'connection_string=%q\n' "$connection_string"
        [[ -z ${CLUSTER_PG_BIN:-} ]] || printf 'CLUSTER_PG_BIN=%q\n' "$CLUSTER_PG_BIN"
    } >"$settings"
    local i
    for i in $(seq 1 "$silos"); do start_silo "$i"; done
    for i in $(seq 1 "$gateways"); do start_gateway "$i"; done
    echo "token key: $state_dir/dev-signing-key.json; pids: $pids; logs: $logs"
}

case $command in
    start) start_cluster ;;
    run)
        trap 'stop_all; exit 0' INT TERM
        start_cluster
        echo "running; Ctrl-C stops everything"
        while true; do sleep 1; done
        ;;
    stop) stop_all ;;
    status) status ;;
    start-silo) [[ -n $index ]] || usage; require_started; mkdir -p "$pids" "$logs"; start_silo "$index" ;;
    start-gateway) [[ -n $index ]] || usage; require_started; mkdir -p "$pids" "$logs"; start_gateway "$index" ;;
    *) usage ;;
esac
