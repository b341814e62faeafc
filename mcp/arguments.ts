// Validates the arguments a model wrote for an MCP tool against the tool's inputSchema before
// the call leaves the gateway, so bad arguments come back to the model with a readable message
// (README, "Errors": bad tool args are returned to the model, not an HTTP error).
import { createRequire } from 'node:module';
import type AjvImport from 'ajv';
import type Ajv2019Import from 'ajv/dist/2019.js';
import type Ajv2020Import from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isPlainObject } from './plain-object.js';

// Each dialect's ajv is loaded and built the first time a schema of that dialect is compiled: a
// gateway whose servers all speak draft-07 (server-everything does) never loads the 2019-09 and
// 2020-12 modules nor builds their engines, ~0.5 MB of heap in a bare process (issue 20,
// bench/README.md "Memory"). ajv is CommonJS, so require() loads it synchronously, as
// compileArguments() is; its class sits on the module's `.default`.
const require = createRequire(import.meta.url);
type Engine = InstanceType<typeof AjvImport.default>;

export type ArgumentsResult = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

export interface ArgumentValidator {
  validate(args: unknown): ArgumentsResult;
  /** Set when the schema could not be compiled: arguments are then only checked to be an object. */
  skipped?: string;
}

// Models and servers use formats ajv does not know ("uri", custom ones): they must not break
// compilation, so strict mode and format validation are off; allErrors lists every problem.
const options = { strict: false, validateFormats: false, allErrors: true, logger: false } as const;
const engines: { draft7?: Engine; d2019?: Engine; d2020?: Engine } = {};

function engineFor(schema: Record<string, unknown>): Engine {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  // Zod 4 (and so the TypeScript SDK's McpServer) emits draft 2020-12 schemas.
  if (dialect.includes('2020-12')) {
    return (engines.d2020 ??= new (require('ajv/dist/2020.js') as typeof Ajv2020Import).default(options));
  }
  if (dialect.includes('2019-09')) {
    return (engines.d2019 ??= new (require('ajv/dist/2019.js') as typeof Ajv2019Import).default(options));
  }
  return (engines.draft7 ??= new (require('ajv') as typeof AjvImport).default(options));
}

/** One ajv error as "field: problem", naming the field the model got wrong. */
function describeError(error: ErrorObject): string {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return `${path ? `${path}.` : ''}${String(params.missingProperty)}: is required`;
  if (error.keyword === 'additionalProperties') {
    return `${path ? `${path}.` : ''}${String(params.additionalProperty)}: is not allowed`;
  }
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return `${path || 'arguments'}: must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  return `${path || 'arguments'}: ${error.message ?? 'is invalid'}`;
}

/**
 * Arguments as the model sent them (JSON text, or an already parsed value) → an object.
 * An empty or blank string means "no arguments" ({}), as models emit for parameterless tools.
 */
export function parseArguments(input: unknown): ArgumentsResult {
  let value = input;
  if (input === undefined || input === null) return { ok: true, value: {} };
  if (typeof input === 'string') {
    if (input.trim() === '') return { ok: true, value: {} };
    try {
      value = JSON.parse(input);
    } catch (err) {
      return { ok: false, message: `arguments are not valid JSON: ${(err as Error).message}` };
    }
  }
  if (!isPlainObject(value)) return { ok: false, message: 'arguments must be a JSON object' };
  return { ok: true, value };
}

function fromCompiled(check: ValidateFunction): ArgumentValidator {
  return {
    validate(args) {
      const parsed = parseArguments(args);
      if (!parsed.ok) return parsed;
      if (check(parsed.value)) return parsed;
      const errors = (check.errors ?? []).map(describeError);
      return { ok: false, message: `invalid arguments: ${[...new Set(errors)].join('; ') || 'schema violation'}` };
    },
  };
}

const cache = new WeakMap<object, ArgumentValidator>();

/**
 * A validator for one tool's inputSchema, compiled once and cached by schema object (tool
 * definitions are immutable snapshots, so identity is the definition's version). A schema ajv
 * cannot compile does not fail the tool: validation is skipped and `skipped` says why.
 */
export function compileArguments(schema: unknown): ArgumentValidator {
  if (!isPlainObject(schema)) {
    return { ...fromParseOnly(), skipped: 'the tool has no object inputSchema' };
  }
  const hit = cache.get(schema);
  if (hit) return hit;
  let validator: ArgumentValidator;
  const ajv = engineFor(schema);
  try {
    const check = ajv.compile(schema);
    validator = fromCompiled(check);
  } catch (err) {
    validator = { ...fromParseOnly(), skipped: `inputSchema could not be compiled: ${(err as Error).message}` };
  } finally {
    // The compiled function stays usable; dropping it from ajv's registry keeps memory flat as
    // tool lists refresh, and lets a schema with an $id be compiled again after it changes.
    try {
      ajv.removeSchema(schema);
    } catch {
      /* not registered (compile failed before adding it) */
    }
  }
  cache.set(schema, validator);
  return validator;
}

function fromParseOnly(): ArgumentValidator {
  return { validate: parseArguments };
}
