/**
 * An A2A client whose SDK (@a2a-js/sdk, its transports and schemas) loads with the first card, send
 * or cancel. `checkUrl` answers at once, without it.
 */
import type { A2aClient, A2aClientOptions } from './a2a-client.ts';
import { checkedAgentCardUrl } from './agent-card-url.ts';
import { createHostAllowlist } from './host-allowlist.ts';

export function createLazyA2aClient(options: A2aClientOptions): A2aClient {
  const allowlist = createHostAllowlist(options.allowedHosts);
  const settingName = options.settingName ?? 'CONCIERGE_A2A_ALLOWED_HOSTS';
  let client: Promise<A2aClient> | undefined;
  const loaded = () =>
    (client ??= import('./a2a-client.ts').then(({ createA2aClient }) => createA2aClient(options)));
  return {
    checkUrl(url) {
      checkedAgentCardUrl(url, allowlist, settingName);
    },
    card: async (url, signal) => (await loaded()).card(url, signal),
    send: async (url, input, sendOptions) => (await loaded()).send(url, input, sendOptions),
    cancel: async (url, taskId, signal) => (await loaded()).cancel(url, taskId, signal),
  };
}
