// RSA private keys built from two random primes, the textbook construction Go's crypto/rsa (and so gardener) uses.
// Why not generateKeyPair('rsa'): the OpenSSL 3.0 that Node 20 ships makes a 2048-bit key in about 160 ms of CPU on
// this class of machine (its FIPS 186-4 key generation), while two OpenSSL probable primes of 1024 bits take about
// 65 ms together; on two cores that is 12 keys a second against 30, and key generation is the controller's heaviest
// work. Quality is the same: the primes come from OpenSSL's CSPRNG and its Miller-Rabin tests, and the checks FIPS
// 186-4 makes of a key pair are made here too (sizes, distance of p and q, gcd with e, size of d); every key signs
// and verifies once before it is used.
import { createPrivateKey, createPublicKey, generatePrime, type KeyObject, sign, verify } from 'node:crypto';

/** An OpenSSL probable prime of `bits`, made in libuv's thread pool. */
const primeOf = (bits: number) =>
  new Promise<bigint>((resolve, reject) =>
    generatePrime(bits, { bigint: true }, (err, prime) => (err ? reject(err) : resolve(prime))),
  );
const E = 65537n;

/** A new RSA private key of `bits` (2048, 3072, 4096) with public exponent 65537. */
export async function generateRsaKey(bits: number): Promise<KeyObject> {
  const half = bits / 2;
  for (;;) {
    const p = await primeFor(half);
    const q = await primeFor(half);
    const key = rsaKeyFromPrimes(p, q, bits);
    if (key) return key;
  }
}

async function primeFor(half: number): Promise<bigint> {
  for (;;) {
    const p = await primeOf(half);
    // Top two bits set (so p*q has exactly 2*half bits; also p >= sqrt(2) * 2^(half-1), FIPS 186-4 B.3.1), and
    // p - 1 coprime to e (e is prime, so that is p mod e != 1).
    if (p >> BigInt(half - 2) === 3n && p % E !== 1n) return p;
  }
}

/** The key of two primes, or undefined when the pair fails one of FIPS 186-4's checks (then new primes are drawn). */
export function rsaKeyFromPrimes(p0: bigint, q0: bigint, bits: number): KeyObject | undefined {
  const [p, q] = p0 > q0 ? [p0, q0] : [q0, p0];
  // |p - q| > 2^(nlen/2 - 100): a pair too close would be found by Fermat's method.
  if (p - q <= 1n << BigInt(bits / 2 - 100)) return undefined;
  const n = p * q;
  if (n.toString(2).length !== bits) return undefined;
  const lambda = lcm(p - 1n, q - 1n);
  const d = modInverse(E, lambda);
  // d > 2^(nlen/2), as FIPS 186-4 asks (a small d would be recoverable).
  if (d === undefined || d <= 1n << BigInt(bits / 2)) return undefined;
  const qi = modInverse(q, p);
  if (qi === undefined) return undefined;
  const key = createPrivateKey({
    key: {
      kty: 'RSA',
      n: b64(n),
      e: b64(E),
      d: b64(d),
      p: b64(p),
      q: b64(q),
      dp: b64(d % (p - 1n)),
      dq: b64(d % (q - 1n)),
      qi: b64(qi),
    },
    format: 'jwk',
  });
  const probe = Buffer.from('rsa key self-test');
  if (!verify('sha256', probe, createPublicKey(key), sign('sha256', probe, key))) return undefined;
  return key;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

const lcm = (a: bigint, b: bigint) => (a / gcd(a, b)) * b;

/** a^-1 mod m by the extended Euclidean algorithm; undefined when they are not coprime. */
function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [r0, r1] = [a % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const k = r0 / r1;
    [r0, r1] = [r1, r0 - k * r1];
    [s0, s1] = [s1, s0 - k * s1];
  }
  if (r0 !== 1n) return undefined;
  return ((s0 % m) + m) % m;
}

/** Unsigned big-endian base64url, as JWK wants. */
function b64(x: bigint): string {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return Buffer.from(hex, 'hex').toString('base64url');
}
