/**
 * Reusable zod field types for the config schema. Pure (no I/O); connector config modules import these
 * so every section spells durations, dates, secrets and names the same way.
 */
import { z } from 'zod';

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Parses `90s`, `30m`, `4h`, `3d`, `1w` into milliseconds; undefined when it is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]);
}

/** A duration written as `30m`, `4h`, `3d`, `1w`; parsed to milliseconds. */
export const duration = () =>
  z
    .string()
    .refine((s) => parseDurationMs(s) !== undefined, {
      message: 'must be a duration such as 90s, 30m, 4h, 3d or 1w',
    })
    .transform((s) => parseDurationMs(s) as number)
    .meta({ description: 'a duration: 90s, 30m, 4h, 3d, 1w' });

/**
 * A secret. In the YAML it is `${ENV_NAME}` or given as `<key>File: /run/secrets/...`; the loader resolves
 * both before validation and refuses a secret written in the file itself.
 */
export const secret = () =>
  z
    .string()
    .min(1, { message: 'is empty' })
    .meta({ description: 'secret: write ${ENV_NAME}, or use the <key>File form with a path (Docker secrets)' });

/** A calendar date `YYYY-MM-DD`. */
export const localDate = () =>
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date written YYYY-MM-DD' })
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), {
      message: 'is not a real calendar date',
    });

/** A time of day `HH:MM` (24h). */
export const clockTime = () => z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'must be a time HH:MM (24h)' });

/** An IANA timezone name such as `Europe/Berlin`. */
export const timezone = () =>
  z.string().refine(isTimeZone, { message: 'must be an IANA timezone such as Europe/Berlin or UTC' });

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** An http(s) URL with no trailing slash. */
export const baseUrl = () =>
  z
    .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
    .transform((u) => u.replace(/\/+$/, ''));

/** A lowercase identifier usable in URLs and ids: `github-acme`, `platform`. */
export const slug = () =>
  z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'must be lowercase letters, digits, - or _ (e.g. github-acme)' });

/** Fields every connector entry has; each connector module extends these with its own. */
export const connectorBaseShape = {
  name: slug().meta({ description: 'instance name; used in task ids and in POST /webhooks/<name>' }),
  enabled: z.boolean().default(true),
  pollInterval: duration().prefault('5m').meta({ description: 'how often to poll; webhooks arrive in between' }),
};
