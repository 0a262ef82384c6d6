/**
 * `npm ci` on the Node versions taskwire is tested on (20 on the machines and in CI, 24 in the image)
 * prints no EBADENGINE warning: every package in the lock file that npm installs there accepts the
 * oldest Node our own `engines` admits, and the newest line we ship.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean; os?: string[]; cpu?: string[] }> };

describe('Node versions', () => {
  it('our engines admit the Node this runs on, and name 20 and 24', () => {
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
    expect(semver.satisfies('24.0.0', pkg.engines.node)).toBe(true);
  });

  it('every package installed on Linux x64 accepts the oldest Node we admit and Node 24', () => {
    const oldest = semver.minVersion(pkg.engines.node)!.version;
    const refusing = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && !(p.optional && ((p.os && !p.os.includes('linux')) || (p.cpu && !p.cpu.includes('x64')) || path.includes('wasm'))))
      .flatMap(([path, p]) => {
        const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
        if (!range) return [];
        return ['24.0.0', oldest].filter((v) => !semver.satisfies(v, range)).map((v) => `${path} needs node ${range} (not ${v})`);
      });
    expect(refusing).toEqual([]);
  });
});
