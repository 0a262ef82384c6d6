import { describe, expect, it } from 'vitest';
import { emailConfigSchema } from '../../../connectors/email/config.js';

const base = { name: 'support', type: 'email', host: 'imap.acme.example', user: 'support@acme.example', password: 'x' };
const problems = (over: Record<string, unknown>) => {
  const r = emailConfigSchema.safeParse({ ...base, ...over });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('the email connector config', () => {
  it('defaults: IMAPS on 993, INBOX, 30 days back, IDLE on, nothing marked read, every thread, no replies', () => {
    const c = emailConfigSchema.parse(base);
    expect(c).toMatchObject({ port: 993, tls: true, folders: ['INBOX'], backfillSince: 30 * 86_400_000, idle: true, markSeen: false, capture: { mode: 'every' }, writes: { acknowledge: false, statusReply: false } });
  });

  it('one message per problem, with its path', () => {
    const one = 'password: give exactly one of password (or passwordFile), accessToken (or accessTokenFile) and accessTokenPath';
    expect(problems({ password: undefined })).toEqual([one]);
    expect(problems({ accessToken: 'y' })).toEqual([one]);
    expect(problems({ password: undefined, accessToken: 'y', accessTokenPath: '/run/secrets/t' })).toEqual([one]);
    expect(problems({ password: undefined, accessTokenPath: '/run/secrets/t' })).toEqual([]);
    expect(problems({ capture: { mode: 'match' } })).toEqual(['capture.mode: mode match needs at least one of senderDomains, subject or flag']);
    expect(problems({ writes: { acknowledge: true } })).toEqual(['smtp: replies to requesters (writes.acknowledge / writes.statusReply) need an smtp section']);
    expect(problems({ capture: { subject: '([' } })).toEqual(['capture.subject: must be a regular expression']);
    expect(problems({ host: 'imaps://imap.acme.example', team: { domains: ['not a domain'] } })).toEqual(['host: must be a host name, without scheme or port', 'team.domains.0: must be a domain such as acme.com']);
  });
});
