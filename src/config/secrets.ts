/**
 * Which config keys hold secrets, and how their values are resolved. A secret is written as
 * `${ENV_NAME}` or as `<key>File: /path` (Docker secrets); a literal secret in the file is refused.
 * The same key test drives log redaction, so what the loader treats as secret the logger hides.
 */

/**
 * token, apiToken, botToken, appToken, secret, secrets, signingSecret, privateKey, password,
 * verificationToken … and `url` (only the store's: a database URL carries its password).
 */
const SECRET_KEY = /(^|[a-z])(token|secret|secrets|password|privatekey|privateKey)$|^url$/i;
const FILE_SUFFIX = 'File';

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** `tokenFile` → `token` when the base is a secret key; otherwise undefined. */
export function secretFileBase(key: string): string | undefined {
  if (!key.endsWith(FILE_SUFFIX) || key.length === FILE_SUFFIX.length) return undefined;
  const base = key.slice(0, -FILE_SUFFIX.length);
  return isSecretKey(base) ? base : undefined;
}

/** The secret key names the logger redacts, at any depth it is likely to meet them. */
export const SECRET_KEY_NAMES = [
  'token',
  'apiToken',
  'botToken',
  'appToken',
  'accessToken',
  'verificationToken',
  'secret',
  'secrets',
  'signingSecret',
  'webhookSecret',
  'privateKey',
  'password',
  'authorization',
  'Authorization',
  'cookie',
] as const;

const WHOLE_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const ANY_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export type Env = Readonly<Record<string, string | undefined>>;

export type Resolved = { ok: true; value: string } | { ok: false; message: string };

/** A secret value: exactly `${NAME}`, with NAME set and not empty. */
export function resolveSecretRef(raw: string, key: string, env: Env): Resolved {
  const m = WHOLE_REF.exec(raw.trim());
  if (!m) {
    return {
      ok: false,
      message: `a secret must not be written in the config: use ${key}: \${ENV_NAME} or ${key}${FILE_SUFFIX}: /run/secrets/<name>`,
    };
  }
  return envValue(m[1] as string, env);
}

/** Any other string: each `${NAME}` replaced by its value; an unset NAME is an error naming it. */
export function interpolate(raw: string, env: Env): Resolved {
  const missing: string[] = [];
  const value = raw.replace(ANY_REF, (_all, name: string) => {
    const v = env[name];
    if (v === undefined) missing.push(name);
    return v ?? '';
  });
  if (missing.length > 0) {
    return { ok: false, message: `environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not set` };
  }
  return { ok: true, value };
}

function envValue(name: string, env: Env): Resolved {
  const v = env[name];
  if (v === undefined) return { ok: false, message: `environment variable ${name} is not set` };
  if (v.trim() === '') return { ok: false, message: `environment variable ${name} is empty` };
  return { ok: true, value: v };
}
