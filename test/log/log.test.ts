import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { lines, destination: destination as unknown as NonNullable<Parameters<typeof createLogger>[0]>['destination'] };
}

describe('logger', () => {
  it('redacts secret keys at any usual depth and authorization headers', () => {
    const { lines, destination } = capture();
    const log = createLogger({ format: 'json', destination: destination! });
    log.info({ token: 'ghp_abc', connector: { botToken: 'xoxb-1', nested: { signingSecret: 's' } }, req: { headers: { authorization: 'Bearer t' } } }, 'hello');
    const text = JSON.stringify(lines[0]);
    for (const s of ['ghp_abc', 'xoxb-1', '"s"', 'Bearer t']) expect(text).not.toContain(s);
    expect(lines[0]).toMatchObject({ token: '[redacted]', msg: 'hello' });
  });

  it('scrubs resolved secret values from messages and errors', () => {
    const { lines, destination } = capture();
    const log = createLogger({ format: 'json', destination: destination!, secrets: ['sup3r-secret-value'] });
    log.warn('request failed with sup3r-secret-value in the URL');
    log.error({ err: new Error('401 for token sup3r-secret-value') }, 'boom');
    const text = JSON.stringify(lines);
    expect(text).not.toContain('sup3r-secret-value');
    expect(lines[0]?.['msg']).toBe('request failed with [redacted] in the URL');
  });
});
