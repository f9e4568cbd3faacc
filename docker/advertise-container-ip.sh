#!/bin/sh
# Runs the given command with Orleans:AdvertisedIPAddress set to this container's own address, unless
# it is set already: each silo replica must tell the others (and clients) where to reach it.
set -eu
if [ -z "${Orleans__AdvertisedIPAddress:-}" ]; then
    # The first non-loopback address; else what the container's name resolves to.
    address=$(hostname -I 2>/dev/null | awk '{print $1}')
    if [ -z "$address" ]; then
        address=$(hostname -i 2>/dev/null | awk '{print $1}')
    fi
    if [ -z "$address" ]; then
        # No hostname tool: the container's own line in /etc/hosts.
        address=$(awk -v name="$(cat /etc/hostname)" '$2 == name {print $1; exit}' /etc/hosts)
    fi
    if [ -z "$address" ]; then
        echo "advertise-container-ip: cannot find this container's address; set Orleans__AdvertisedIPAddress" >&2
        exit 1
    fi
    export Orleans__AdvertisedIPAddress="$address"
fi
exec "$@"
