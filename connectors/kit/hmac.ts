/**
 * HMAC signatures over raw request bytes, compared in constant time, with several secrets accepted at
 * once so a secret can be rotated without dropping deliveries (octokit's `verifyWithFallback` habit).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function hmacHex(algorithm: 'sha256' | 'sha1', secret: string, data: Buffer | string): string {
  return createHmac(algorithm, secret).update(data).digest('hex');
}

/** Constant-time equality of two strings (false when lengths differ, without leaking where). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    // Compare anyway so the time taken does not depend on where the strings differ.
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** True when `signature` equals `prefix + hmac(secret, data)` for any of the secrets. */
export function matchesAnySecret(
  secrets: readonly string[],
  data: Buffer | string,
  signature: string,
  opts: { algorithm?: 'sha256' | 'sha1'; prefix?: string } = {},
): boolean {
  const algorithm = opts.algorithm ?? 'sha256';
  const prefix = opts.prefix ?? '';
  let ok = false;
  // Every secret is tried, so timing does not tell which one (or whether an earlier one) matched.
  for (const s of secrets) ok = safeEqual(`${prefix}${hmacHex(algorithm, s, data)}`, signature) || ok;
  return ok;
}

/** One header value, case-insensitively, or undefined. */
export function header(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === want) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}
