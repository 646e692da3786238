/**
 * The key a client's address is counted under (rate limits, login throttling). An IPv6 client usually holds a
 * whole /64 and can pick any address in it, so IPv6 addresses count by their /64 prefix; IPv4 (and IPv4-mapped
 * IPv6) by the address.
 */
import { isIPv6 } from 'node:net';

/** `203.0.113.7` → itself; `2001:db8:1:2:3:4:5:6` → `2001:db8:1:2::/64`. */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = '', tail] = address.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail is two groups; only the first four groups matter here, so it may stay as one.
  const groups =
    tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  const prefix = groups.slice(0, 4).map((group) => (Number.parseInt(group, 16) || 0).toString(16));
  return `${prefix.join(':')}::/64`;
}
