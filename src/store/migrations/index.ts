/**
 * Numbered, forward-only migrations. Append a new file and a line here; never edit one that shipped.
 * The applied version is SQLite's `user_version`.
 */
import { sql as initial } from './0001-initial.js';
import { sql as evidence } from './0002-evidence.js';
import { sql as outbox } from './0003-outbox.js';
import { sql as inbox } from './0004-inbox.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'evidence', sql: evidence },
  { version: 3, name: 'outbox', sql: outbox },
  { version: 4, name: 'inbox', sql: inbox },
];
