/** The store contract on PostgreSQL (the machine's server; a fresh schema per test, dropped after). */
import { pgStore } from '../support/pg.js';
import { storeContract } from './contract.js';

storeContract('PostgreSQL', pgStore);
