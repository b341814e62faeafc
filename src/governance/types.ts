// The governance data model, shared by config loading, the admin API, the database and policy.
import type { Budget, LoopLimits, RateLimit } from '../config-schema.js';

export interface ToolRules {
  /** Globs on `server__tool` names; an empty allow list means no tools. */
  allow: string[];
  /** Globs; deny wins over allow. */
  deny: string[];
}

export interface ToolLimit {
  /** Glob on `server__tool`. */
  tool: string;
  calls: number;
  window: string;
}

export interface VirtualKeyRecord {
  id: string;
  name?: string | undefined;
  /** sha256 hex of the secret; the secret itself is never stored. */
  keyHash: string;
  team?: string | undefined;
  models: string[];
  tools: ToolRules;
  /**
   * Globs on gateway prompt names (`server__prompt`) and resource URIs (`server+<uri>`) for /mcp.
   * Absent: the prompts and resources of every server the tool rules reach (policy.ts, reachesServer).
   */
  prompts?: ToolRules | undefined;
  resources?: ToolRules | undefined;
  budget?: Budget | undefined;
  rateLimit?: RateLimit | undefined;
  toolLimits: ToolLimit[];
  /** Globs on gateway tool names that need a person's approval before they run. */
  approval?: string[] | undefined;
  loop: LoopLimits;
  disabled: boolean;
  /** Epoch ms; null/undefined = never. */
  expiresAt?: number | null | undefined;
  source: 'config' | 'api';
  createdAt: number;
  updatedAt: number;
}

export interface TeamRecord {
  id: string;
  customer?: string | undefined;
  budget?: Budget | undefined;
  source: 'config' | 'api';
}

export interface CustomerRecord {
  id: string;
  budget?: Budget | undefined;
  source: 'config' | 'api';
}

/** Persistence for records created through the admin API (implemented in src/db). */
export interface GovernanceRepository {
  listKeys(): Promise<VirtualKeyRecord[]>;
  upsertKey(key: VirtualKeyRecord): Promise<void>;
  deleteKey(id: string): Promise<boolean>;
  listTeams(): Promise<TeamRecord[]>;
  upsertTeam(team: TeamRecord): Promise<void>;
  deleteTeam(id: string): Promise<boolean>;
  listCustomers(): Promise<CustomerRecord[]>;
  upsertCustomer(customer: CustomerRecord): Promise<void>;
  deleteCustomer(id: string): Promise<boolean>;
}

/** Who is calling, resolved once per request by GovernanceRegistry.authenticate. */
export interface KeyContext {
  /** null only when requireVirtualKey is false and no key was sent: the open policy applies. */
  key: VirtualKeyRecord | null;
  team?: TeamRecord | undefined;
  customer?: CustomerRecord | undefined;
  policy: CompiledPolicy;
}

/** A key's rules compiled once per key version (see policy.ts). */
export interface CompiledPolicy {
  /** Key id for messages; null for the open policy. */
  keyId: string | null;
  /** Model globs on `provider/model`, kept for messages and the provider check. */
  modelGlobs: readonly string[];
  matchModel: (providerSlashModel: string) => boolean;
  allowTool: (gatewayToolName: string) => boolean;
  denyTool: (gatewayToolName: string) => boolean;
  /** Prompts and resources (/mcp); see decidePrompt/decideResource. */
  allowPrompt: (gatewayPromptName: string) => boolean;
  denyPrompt: (gatewayPromptName: string) => boolean;
  allowResource: (gatewayUri: string) => boolean;
  denyResource: (gatewayUri: string) => boolean;
  /** Present when the request narrowed the tools (x-tollgate-tools); not allowed unless it matches too. */
  narrowTool?: ((gatewayToolName: string) => boolean) | undefined;
  toolLimits: readonly CompiledToolLimit[];
  /** Tools that need a person's approval before they run (the key's `approval` globs). */
  needsApproval: (gatewayToolName: string) => boolean;
  /** The key's rateLimit.window in ms, parsed once; undefined without a rate limit. */
  rateWindowMs?: number | undefined;
  /** Memo of provider → "can any model pattern match under it"; filled lazily. */
  providerMemo: Map<string, boolean>;
}

export interface CompiledToolLimit {
  tool: string;
  calls: number;
  windowMs: number;
  matches: (gatewayToolName: string) => boolean;
}
