/**
 * Checks a fake's answers against the vendor's published OpenAPI description: the response schema of a
 * path, method and status, validated with Ajv (OpenAPI 3.0's `nullable` understood; vendor extension
 * keywords ignored).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
const addFormats = ((addFormatsImport as unknown as { default?: typeof addFormatsImport }).default ?? addFormatsImport) as unknown as (ajv: Ajv) => Ajv;

interface OpenApi {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }>; schema?: unknown }>; requestBody?: { content?: Record<string, { schema?: unknown }> } }>>;
  /** OpenAPI 3 */
  components?: Record<string, unknown>;
  /** Swagger 2 (Slack's description) */
  definitions?: Record<string, unknown>;
}

const SPEC_ID = 'https://openapi.test/spec';

export class ContractChecker {
  private readonly ajv: Ajv;
  private readonly spec: OpenApi;
  private readonly cache = new Map<string, ValidateFunction>();
  private compiled = 0;

  constructor(file: string) {
    this.spec = JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures', file), 'utf8')) as OpenApi;
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: SPEC_ID, ...(this.spec.components ? { components: toJsonSchema(this.spec.components) } : {}), ...(this.spec.definitions ? { definitions: toJsonSchema(this.spec.definitions) } : {}) });
  }

  /** Problems of a request body against the description's request schema for `method path`. */
  checkRequest(method: string, path: string, body: unknown): string[] {
    const key = `request ${method} ${path}`;
    let validate = this.cache.get(key);
    if (!validate) {
      const schema = this.spec.paths[path]?.[method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
      if (!schema) return [`the description has no request schema for ${method} ${path}`];
      validate = this.ajv.compile({ $id: `${SPEC_ID}/request/${++this.compiled}`, ...(toJsonSchema(rewriteRefs(schema)) as object) });
      this.cache.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }

  /** Problems of `body` against the schema of `method path` answered `status` (empty: conforms). */
  check(method: string, path: string, status: number, body: unknown): string[] {
    const key = `${method} ${path} ${status}`;
    let validate = this.cache.get(key);
    if (!validate) {
      const op = this.spec.paths[path]?.[method.toLowerCase()];
      if (!op) return [`the description has no ${method} ${path}`];
      const response = op.responses[String(status)];
      const schema = response?.content?.['application/json']?.schema ?? response?.schema;
      if (!schema) return [`the description has no JSON schema for ${key}`];
      validate = this.ajv.compile({ $id: `${SPEC_ID}/response/${++this.compiled}`, ...(toJsonSchema(rewriteRefs(schema)) as object) });
      this.cache.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  }
}

export interface RequestChecker {
  checkRequest(method: string, path: string, body: unknown): string[];
}

/** `#/components/…` → `<spec id>#/components/…`, so a response schema can point into the registered document. */
function rewriteRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewriteRefs);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' && x.startsWith('#/') ? `${SPEC_ID}${x}` : rewriteRefs(x)]));
  }
  return v;
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: `type: [t, "null"]` (and null allowed in an enum), or,
 * beside `$ref`/`anyOf`/`allOf` with no type, `anyOf: [schema, {type: "null"}]`.
 */
function toJsonSchema(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toJsonSchema);
  if (!v || typeof v !== 'object') return v;
  const { nullable, ...rest } = v as Record<string, unknown>;
  const out = Object.fromEntries(Object.entries(rest).map(([k, x]) => [k, k === 'enum' || k === 'example' || k === 'examples' ? x : toJsonSchema(x)]));
  if (nullable !== true) return out;
  if (typeof out['type'] === 'string') {
    const withNull: Record<string, unknown> = { ...out, type: [out['type'], 'null'] };
    if (Array.isArray(out['enum'])) withNull['enum'] = [...(out['enum'] as unknown[]), null];
    return withNull;
  }
  return { anyOf: [out, { type: 'null' }] };
}
