// Approvals for the MCP servers a native upstream calls itself (a Responses `mcp` tool with a
// `server_url` or `connector_id`). The upstream asks with an `mcp_approval_request` output item and
// runs the call when a later request carries an `mcp_approval_response` naming its id. Every key's
// requests go to the provider's one account, which holds every key's approval requests, so an id
// the gateway did not show this key (another key's, from a shared log; or made up) would let it
// approve a call it was never asked about. The ids of the approval requests an answer relayed to a
// key are recorded as its own (shown_containers, kind `approval`: governance/owned-containers.ts
// noteItem), and a request whose approval response names any other id is refused, nothing sent, as
// the gateway's own are decided only for their key (approval-flow.ts). Approval responses for the
// gateway's hosted MCP tools (a record in mcp_approvals for this key) are left to approval-flow.ts;
// without an upstream MCP tool in the request every approval response is the gateway's.
import { type ContainerOwners, type Named, refuseUnshown } from '../governance/owned-containers.js';
import type { ApprovalStore } from '../stored-responses/approvals.js';
import { isUpstreamMcp } from '../wire/responses/hosted-tools.js';
import type { ResponsesRequest } from '../wire/responses/types.js';

/** Undefined (no wait) when the request has no upstream MCP tool or answers no approval, as most do. */
export function refuseUnshownApprovals(
  req: ResponsesRequest,
  approvals: ApprovalStore,
  owners: ContainerOwners,
  keyId: string | null,
): Promise<void> | undefined {
  if (!req.tools?.some(isUpstreamMcp) || !Array.isArray(req.input)) return undefined;
  let named: Named[] | undefined;
  for (let i = 0; i < req.input.length; i++) {
    const item = req.input[i] as { type?: unknown; approval_request_id?: unknown };
    if (item.type === 'mcp_approval_response') (named ??= []).push({ id: item.approval_request_id, param: `input[${i}]` });
  }
  return named ? check(named, approvals, owners, keyId) : undefined;
}

/** The gateway's own approvals pass (approval-flow.ts decides them); the rest must be ids the key was shown. */
async function check(named: readonly Named[], approvals: ApprovalStore, owners: ContainerOwners, keyId: string | null): Promise<void> {
  const upstream: Named[] = [];
  for (const n of named) if (typeof n.id !== 'string' || !(await approvals.get(n.id, keyId))) upstream.push(n);
  await refuseUnshown(upstream, owners, keyId, 'approval', 'Approval request');
}
