// The SDK's MCP client, with tools/call results validated by a schema built once per connection.
//
// Why: for a request without an explicit result schema, the SDK (2.4) first asks its codec whether
// the method has a result schema by validating `undefined` against it, and formats the resulting
// zod error into a string it then throws away; then it validates the real result. That probe cost
// ~50 µs of every tool call in the gateway's profile (issue 20). Passing the same validation as an
// explicit schema skips the probe; the SDK's explicit-schema path still gates the method by era
// and decodes the result the same way, and callTool keeps its own output-schema checks.
import { Client, type StandardSchemaV1 } from '@modelcontextprotocol/client';

type RequestArgs = Parameters<Client['request']>;

export class GatewayClient extends Client {
  private callToolResult: StandardSchemaV1 | undefined;

  override request(request: RequestArgs[0], schemaOrOptions?: unknown, maybeOptions?: unknown): Promise<never> {
    const call = super.request as (...args: unknown[]) => Promise<never>;
    if (request.method === 'tools/call' && !isStandardSchema(schemaOrOptions)) {
      return call.call(this, request, (this.callToolResult ??= this.resultSchema('tools/call')), schemaOrOptions);
    }
    return call.call(this, request, schemaOrOptions, maybeOptions);
  }

  /** The codec's own result validation for `method`, as the SDK builds it per request (codecResultValidator). */
  private resultSchema(method: 'tools/call'): StandardSchemaV1 {
    return {
      '~standard': {
        version: 1,
        vendor: 'mcp-wire-codec',
        validate: (value: unknown) => {
          const outcome = this._wireCodec().validateResult(method, value);
          if (outcome.ok) return { value: outcome.value };
          return { issues: [{ message: outcome.reason === 'invalid' ? outcome.message : `not-in-era: ${method}` }] };
        },
      },
    };
  }
}

/** As the SDK tells a schema from request options. */
function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && '~standard' in value;
}
