/** Golden files: compared as text; `UPDATE_GOLDEN=1 npm test` rewrites them after a deliberate change. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { expect } from 'vitest';

export const GOLDEN_DIR = resolve(import.meta.dirname, '../golden');

export function golden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name);
  if (process.env['UPDATE_GOLDEN']) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

/** A JSON value as a stable golden text. */
export const goldenJson = (name: string, value: unknown): void => golden(name, `${JSON.stringify(value, null, 2)}\n`);

export function fixture<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures', path), 'utf8')) as T;
}
