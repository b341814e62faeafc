// The gateway-wide snapshot of prompts, resources and resource templates: every connected server's
// items under gateway names — prompts `server__prompt` (the tool naming rules, tool-names.ts),
// resources and templates `server+<uri>` (resource-uris.ts) — with the shapes /mcp clients see
// built once per definition.
import type { Prompt, Resource, ResourceTemplateType } from '@modelcontextprotocol/client';
import type { Offer } from './listings.js';
import { toGatewayUri } from './resource-uris.js';
import { buildNameTable } from './tool-names.js';

export interface McpPromptEntry {
  /** Gateway name, `server__prompt`. */
  readonly name: string;
  readonly server: string;
  /** The prompt's name on its server. */
  readonly prompt: string;
  /** What /mcp clients see: the server's definition under the gateway name. */
  readonly definition: Prompt;
}

export interface McpResourceEntry {
  /** Gateway URI, `server+<uri>`. */
  readonly uri: string;
  readonly server: string;
  /** The resource's URI on its server. */
  readonly upstreamUri: string;
  readonly definition: Resource;
}

export interface McpTemplateEntry {
  /** Gateway URI template, `server+<template>`. */
  readonly uriTemplate: string;
  readonly server: string;
  readonly upstreamTemplate: string;
  readonly definition: ResourceTemplateType;
}

export interface OfferCatalog {
  prompts: ReadonlyMap<string, McpPromptEntry>;
  resources: readonly McpResourceEntry[];
  templates: readonly McpTemplateEntry[];
}

type ServerOffer = { name: string; offer: Offer };

// Entries are reused while a server lists the very same definition object (listings.ts keeps the
// objects of unchanged definitions), so unchanged items keep their identity across rebuilds.
const promptEntries = new WeakMap<Prompt, McpPromptEntry>();
const resourceEntries = new WeakMap<Resource, McpResourceEntry>();
const templateEntries = new WeakMap<ResourceTemplateType, McpTemplateEntry>();

export function buildPromptCatalog(servers: readonly ServerOffer[]): Map<string, McpPromptEntry> {
  const definitions = new Map<string, Prompt>();
  const refs: { server: string; tool: string }[] = [];
  for (const { name, offer } of servers) {
    for (const prompt of offer.prompts) {
      definitions.set(`${name}\u0000${prompt.name}`, prompt);
      refs.push({ server: name, tool: prompt.name });
    }
  }
  const catalog = new Map<string, McpPromptEntry>();
  for (const [gatewayName, ref] of buildNameTable(refs)) {
    const prompt = definitions.get(`${ref.server}\u0000${ref.tool}`);
    if (!prompt) continue;
    let entry = promptEntries.get(prompt);
    if (!entry || entry.name !== gatewayName || entry.server !== ref.server) {
      entry = Object.freeze({ name: gatewayName, server: ref.server, prompt: prompt.name, definition: { ...prompt, name: gatewayName } });
      promptEntries.set(prompt, entry);
    }
    catalog.set(gatewayName, entry);
  }
  return catalog;
}

export function buildResourceList(servers: readonly ServerOffer[]): McpResourceEntry[] {
  const out: McpResourceEntry[] = [];
  for (const { name, offer } of servers) {
    for (const resource of offer.resources) {
      let entry = resourceEntries.get(resource);
      if (!entry || entry.server !== name) {
        const uri = toGatewayUri(name, resource.uri);
        entry = Object.freeze({ uri, server: name, upstreamUri: resource.uri, definition: { ...resource, uri } });
        resourceEntries.set(resource, entry);
      }
      out.push(entry);
    }
  }
  return out;
}

export function buildTemplateList(servers: readonly ServerOffer[]): McpTemplateEntry[] {
  const out: McpTemplateEntry[] = [];
  for (const { name, offer } of servers) {
    for (const template of offer.templates) {
      let entry = templateEntries.get(template);
      if (!entry || entry.server !== name) {
        const uriTemplate = toGatewayUri(name, template.uriTemplate);
        entry = Object.freeze({
          uriTemplate,
          server: name,
          upstreamTemplate: template.uriTemplate,
          definition: { ...template, uriTemplate },
        });
        templateEntries.set(template, entry);
      }
      out.push(entry);
    }
  }
  return out;
}
