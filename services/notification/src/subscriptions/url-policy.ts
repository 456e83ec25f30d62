// Where webhooks may be sent (SSRF protection). A subscription URL must be https and must not
// reach private, loopback, link-local, unique-local, multicast or otherwise reserved addresses,
// unless configuration allows them for local development and tests. The same address rule is
// applied again when the delivery connects (delivery-agent.ts), so a name that resolves to a
// public address when subscribed and a private one later (DNS rebinding) is still refused.
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

export interface UrlPolicy {
  allowHttp: boolean;
  allowPrivateNetworks: boolean;
}

/** Why an address may not be reached, or undefined when it may. */
export function addressRefusal(address: string, policy: UrlPolicy): string | undefined {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it carries.
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  if (policy.allowPrivateNetworks) return undefined;
  return `${address} is a ${range} address, which webhooks may not target`;
}

function hostOf(url: URL): string {
  // URL keeps IPv6 literals in brackets.
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/** Checks that need no network: scheme, credentials, literal addresses and local names. */
export function urlRefusal(raw: string, policy: UrlPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowHttp && url.protocol === 'http:')) {
    return policy.allowHttp ? 'must be an http or https URL' : 'must be an https URL';
  }
  if (url.username || url.password) return 'must not carry credentials';
  if (url.hash) return 'must not have a fragment';
  const host = hostOf(url);
  if (ipaddr.isValid(host)) return addressRefusal(host, policy);
  if (!policy.allowPrivateNetworks && (host === 'localhost' || host.endsWith('.localhost'))) {
    return `${host} is a loopback name, which webhooks may not target`;
  }
  if (!host.includes('.') && !policy.allowPrivateNetworks) {
    return `${host} is not a public host name`;
  }
  return undefined;
}

/**
 * Full check at subscription time: the URL rules, then every address the host resolves to.
 * Resolution is bounded so a slow resolver cannot hold the request.
 */
export async function checkWebhookUrl(
  raw: string,
  policy: UrlPolicy,
  resolve: (host: string) => Promise<string[]> = resolveAll,
): Promise<string | undefined> {
  const refusal = urlRefusal(raw, policy);
  if (refusal) return refusal;
  const host = hostOf(new URL(raw));
  if (ipaddr.isValid(host)) return undefined;
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch {
    return `${host} could not be resolved`;
  }
  if (addresses.length === 0) return `${host} could not be resolved`;
  for (const address of addresses) {
    const refused = addressRefusal(address, policy);
    if (refused) return `${host} resolves to ${refused.replace(`${address} is`, `${address}, which is`)}`;
  }
  return undefined;
}

async function resolveAll(host: string): Promise<string[]> {
  const timeout = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error('resolution timed out')), 3_000).unref(),
  );
  const answers = await Promise.race([lookup(host, { all: true, verbatim: true }), timeout]);
  return answers.map((answer) => answer.address);
}
