#!/bin/sh
# capmedia boot image: udhcpc event script (busybox). Configures the address,
# the default route and /etc/resolv.conf from the DHCP lease.
case "$1" in
  deconfig)
    ifconfig "$interface" 0.0.0.0 up
    ;;
  bound | renew)
    ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}" ${broadcast:+broadcast "$broadcast"} up
    while route del default dev "$interface" 2>/dev/null; do :; done
    for gateway in $router; do
      route add default gw "$gateway" dev "$interface" && break
    done
    : >/etc/resolv.conf
    [ -n "$domain" ] && echo "search $domain" >>/etc/resolv.conf
    for server in $dns; do echo "nameserver $server" >>/etc/resolv.conf; done
    ;;
esac
exit 0
