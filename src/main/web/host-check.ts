// Refuses DNS rebinding: a page on a foreign domain that resolves to this machine sends its own
// name in Host. Only names this machine answers to are accepted: loopback names on a loopback
// bind; on a wider bind also the machine's own addresses and host name, and names given with
// --allowed-host. The port is not compared: an SSH tunnel may forward another local port.
import { hostname, networkInterfaces } from 'node:os';

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]', '::1'];

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.includes(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The names a Host header may carry for a server bound to `bindHost`. */
export function allowedHostNames(bindHost: string, extra: readonly string[] = []): Set<string> {
  const names = new Set(LOOPBACK_HOSTS);
  for (const name of extra) names.add(name.toLowerCase());
  names.add(bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost.toLowerCase()}]` : bindHost.toLowerCase());
  if (isLoopbackHost(bindHost)) return names;
  const own = hostname().toLowerCase();
  names.add(own);
  names.add(`${own}.local`);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) names.add(a.family === 'IPv6' ? `[${a.address.toLowerCase()}]` : a.address);
  }
  return names;
}

/** The name part of a Host header ("[::1]:5180" → "[::1]", "Example:80" → "example"). */
export function hostName(header: string | undefined): string {
  const value = (header ?? '').trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  return value.split(':')[0]!;
}
