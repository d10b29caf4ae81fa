// ACME orders counted where they arrive, at pebble, so both controllers (and the raw client) are counted alike.
import { readFileSync, statSync } from 'node:fs';

/** Where pebble's log ends now: count from here with `ordersSince`. */
export function logOffset(pebbleLog: string): number {
  return statSync(pebbleLog).size;
}

/** New-order requests pebble logged after `offset` (pebble 2.10 logs `POST /order-plz -> calling handler()`). */
export function ordersSince(pebbleLog: string, offset: number): number {
  const text = readFileSync(pebbleLog).subarray(offset).toString('utf8');
  return text.match(/ POST \/order-plz /g)?.length ?? 0;
}
