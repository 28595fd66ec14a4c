import type { AddressInfo } from 'node:net';
import ipaddr from 'ipaddr.js';

const everyInterface = (address: string) => address === '::' || address === '0.0.0.0';

/** The API's URL on a bound address; `localhost` for every interface (`http://[::]:4000` is no address to open). */
export function urlOf(address: AddressInfo, path: string): string {
  const host = everyInterface(address.address) ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}${path}`;
}

/** Where the server listens, for the start log: the address and port it bound, and who can reach it. */
export function listeningOn(address: AddressInfo): string {
  const at = `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  if (everyInterface(address.address)) return `listening on every interface (${at}): other machines can connect (HOST=127.0.0.1 keeps to this one)`;
  if (ipaddr.process(address.address).range() === 'loopback') return `listening on ${at}, loopback only: other machines cannot connect (HOST changes it)`;
  return `listening on ${at}`;
}
