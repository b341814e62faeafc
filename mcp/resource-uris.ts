// Gateway resource URIs. Resources of server `docs` are offered as `docs+<their URI>`: the server's
// name becomes a prefix of the URI scheme (RFC 3986 allows "+" in schemes), so the URI stays a
// valid absolute URI whose path, query and fragment are untouched, two servers' `file:///README.md`
// stay apart, and every URI — listed, from a template, or linked from a tool result — maps back to
// exactly one server. Server names are `[a-z0-9-]+`, so the first "+" always ends the name.
// (A name that begins with a digit makes a scheme RFC 3986 does not allow; name such servers with
// a leading letter if their clients parse resource URIs strictly.)
import type { ContentBlock, PromptMessage, ResourceContents } from '@modelcontextprotocol/client';

const SEPARATOR = '+';

export function toGatewayUri(server: string, uri: string): string {
  return `${server}${SEPARATOR}${uri}`;
}

/** The server and its own URI for a gateway URI; undefined when it names no server. */
export function fromGatewayUri(gatewayUri: string, isServer: (name: string) => boolean): { server: string; uri: string } | undefined {
  const at = gatewayUri.indexOf(SEPARATOR);
  if (at <= 0) return undefined;
  const server = gatewayUri.slice(0, at);
  const uri = gatewayUri.slice(at + 1);
  return uri.length > 0 && isServer(server) ? { server, uri } : undefined;
}

/** A content block with any resource URI it carries turned into the gateway's form. */
export function gatewayContent<T extends ContentBlock>(server: string, block: T): T {
  if (block.type === 'resource_link') return { ...block, uri: toGatewayUri(server, block.uri) };
  if (block.type === 'resource') return { ...block, resource: gatewayContents(server, block.resource) };
  return block;
}

export function gatewayContents<T extends ResourceContents>(server: string, contents: T): T {
  return { ...contents, uri: toGatewayUri(server, contents.uri) };
}

export function gatewayMessage(server: string, message: PromptMessage): PromptMessage {
  return { ...message, content: gatewayContent(server, message.content as ContentBlock) as PromptMessage['content'] };
}
