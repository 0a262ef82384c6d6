/**
 * Who may see the web UI. A browser signs in once with the API token or the basic-auth user from the
 * config and then carries a session cookie (HttpOnly, SameSite=Strict, signed with a key derived from
 * those secrets, so every replica accepts it and changing a secret signs everyone out). Scripts send
 * the API token as `Authorization: Bearer`, or basic auth. Secrets are compared in constant time (as
 * hashes of equal length), and repeated failed sign-ins from one address are refused for a while.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface UiAuthConfig {
  readonly apiToken: string | undefined;
  readonly basicAuth: { readonly username: string; readonly password: string } | undefined;
  readonly sessionTtlMs: number;
}

export const SESSION_COOKIE = 'tw_session';
const FAILURES_ALLOWED = 10;
const FAILURE_WINDOW_MS = 10 * 60_000;

const digest = (s: string) => createHash('sha256').update(s).digest();
/** Equal in constant time: both sides hashed to the same length first. */
export const sameSecret = (given: string, expected: string): boolean => timingSafeEqual(digest(given), digest(expected));

export class UiAuth {
  private readonly key: Buffer;
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly config: UiAuthConfig,
    private readonly now: () => number = Date.now,
  ) {
    const b = config.basicAuth;
    this.key = digest(`taskwire-ui-session\0${config.apiToken ?? ''}\0${b?.username ?? ''}\0${b?.password ?? ''}`);
  }

  /** Who the request is from (`api token`, the basic-auth user), or null when it is not signed in. */
  identify(headers: { authorization?: string | undefined; cookie?: string | undefined }): string | null {
    const auth = headers.authorization ?? '';
    const bearer = /^Bearer\s+(.+)$/i.exec(auth)?.[1];
    if (bearer !== undefined) return this.config.apiToken !== undefined && sameSecret(bearer, this.config.apiToken) ? 'api token' : null;
    const basic = /^Basic\s+(.+)$/i.exec(auth)?.[1];
    if (basic !== undefined) {
      const text = Buffer.from(basic, 'base64').toString('utf8');
      const i = text.indexOf(':');
      return i < 0 ? null : this.checkPassword(text.slice(0, i), text.slice(i + 1));
    }
    const cookie = cookieValue(headers.cookie, SESSION_COOKIE);
    return cookie === null ? null : this.readSession(cookie);
  }

  /** A sign-in form: the API token, or the user name and password. Null when neither matches. */
  signIn(form: { token?: string | undefined; username?: string | undefined; password?: string | undefined }): string | null {
    if (form.token) return this.config.apiToken !== undefined && sameSecret(form.token, this.config.apiToken) ? 'api token' : null;
    if (form.username !== undefined && form.password !== undefined) return this.checkPassword(form.username, form.password);
    return null;
  }

  /** The session cookie's value for who signed in, valid for the configured time. */
  session(who: string): string {
    const body = `${Buffer.from(who).toString('base64url')}.${this.now() + this.config.sessionTtlMs}`;
    return `${body}.${this.sign(body)}`;
  }

  /** Too many failed sign-ins from this address lately: refuse without checking. */
  throttled(address: string): boolean {
    const recent = (this.failures.get(address) ?? []).filter((t) => t > this.now() - FAILURE_WINDOW_MS);
    this.failures.set(address, recent);
    if (recent.length === 0) this.failures.delete(address);
    return recent.length >= FAILURES_ALLOWED;
  }

  failed(address: string): void {
    // Addresses whose failures are all older than the window are forgotten once the map grows large.
    if (this.failures.size > 10_000) for (const a of [...this.failures.keys()]) this.throttled(a);
    this.failures.set(address, [...(this.failures.get(address) ?? []), this.now()].slice(-FAILURES_ALLOWED));
  }

  get sessionTtlMs(): number {
    return this.config.sessionTtlMs;
  }

  private checkPassword(username: string, password: string): string | null {
    const b = this.config.basicAuth;
    if (b === undefined) return null;
    // Both compared, always: the time taken says nothing about which one was wrong.
    const ok = [sameSecret(username, b.username), sameSecret(password, b.password)].every(Boolean);
    return ok ? b.username : null;
  }

  private readSession(value: string): string | null {
    const m = /^([A-Za-z0-9_-]+)\.(\d+)\.([A-Za-z0-9_-]+)$/.exec(value);
    if (!m) return null;
    const body = `${m[1]}.${m[2]}`;
    if (!sameSecret(m[3]!, this.sign(body)) || Number(m[2]) <= this.now()) return null;
    return Buffer.from(m[1]!, 'base64url').toString('utf8');
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

export function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}
