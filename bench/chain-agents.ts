/**
 * Chain service agents benchmark: what the smart_contract and swap agents cost on top of the chain
 * layer they call. Each agent path is measured next to its baseline in the same run: compiling through
 * the agent against `contracts.generate` (cold: the process's first compile; warm: median of 5), a deployment
 * through the agent (prepare → proposal → execute) against `contracts.generate` + `contracts.deploy`, and a swap through the
 * agent (prepare → proposal → execute) against the venue's own quote + execute, and the same swap through
 * the whole server (official SDK, scripted model, approval pause) against the agent alone.
 * Run: `node --import tsx bench/chain-agents.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseUnits, type Address } from 'viem';
import OpenAI from 'openai';
import { createApp } from '../src/app.ts';
import { createSolcCompiler } from '../src/chain/compiler/solc-compiler.ts';
import { createDemoMarket } from '../src/chain/contracts/demo-market.ts';
import { createDevChain } from '../src/chain/dev-chain/dev-chain.ts';
import { createDevPoolVenue } from '../src/chain/swap/dev-pool-venue.ts';
import { createTemplateContractFactory } from '../src/chain/templates/template-contract-factory.ts';
import type { AgentContext, AgentStepResult } from '../src/service-agents/builtin-agent.ts';
import { createFileExecutionLedger } from '../src/service-agents/builtin/execution-ledger.ts';
import { createSmartContractAgent } from '../src/service-agents/builtin/smart-contract/smart-contract-agent.ts';
import { createSwapAgent } from '../src/service-agents/builtin/swap/swap-agent.ts';
import { createVenueUsdPrices } from '../src/service-agents/builtin/swap/venue-usd-prices.ts';
import { ConfigSchema } from '../src/config/config-schema.ts';
import { startScriptedModel } from '../test/helpers/scripted-model.ts';
import { machineDescription } from './lib/machine.ts';
import { median } from './lib/stats.ts';

async function timed<T>(work: () => Promise<T>): Promise<{ milliseconds: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { milliseconds: performance.now() - start, value };
}

async function medianOf(runs: number, work: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) samples.push((await timed(work)).milliseconds);
  return median(samples);
}

const context: AgentContext = {
  projectId: 'proj_bench',
  serviceAgentId: 'sa_bench',
  runId: 'run_bench',
  threadId: 'thread_bench',
  signal: new AbortController().signal,
  progress: () => {},
};
let proposals = 0;

/** prepare → (the framework would decide here) → execute, as an approved action. */
async function throughAgent(
  agent: {
    prepare: (input: Record<string, unknown>, context: AgentContext) => Promise<AgentStepResult>;
    execute: Function;
  },
  input: Record<string, unknown>,
) {
  const prepared = await agent.prepare(input, context);
  if (prepared.kind !== 'proposal') throw new Error(`expected a proposal: ${prepared.output}`);
  const result = (await agent.execute(
    { id: `bench_${proposals++}`, draft: prepared.proposal },
    context,
  )) as AgentStepResult;
  if (result.kind !== 'answer')
    throw new Error(
      `expected an answer: ${result.kind === 'proposal' ? 'a new proposal' : result.output}`,
    );
  return result;
}

/** Median time of a swap from a user message to the completed run, approving through submit_tool_outputs. */
async function swapThroughTheApi(directory: string): Promise<number> {
  const upstream = await startScriptedModel();
  const config = ConfigSchema.parse({
    port: 0,
    logLevel: 'warn',
    databaseUrl: `sqlite:${join(directory, 'bench.db')}`,
    dataDir: directory,
    providerBaseUrl: upstream.url,
  });
  const app = await createApp(config, { logger: false });
  try {
    const client = new OpenAI({ baseURL: await app.listen(), apiKey: 'bench', maxRetries: 0 });
    const agent = (await client.post('/service_agents', {
      body: { name: 'swapper', kind: 'builtin', builtin: 'swap', policy: {} },
    })) as { id: string };
    const assistant = await client.beta.assistants.create({
      model: 'bench',
      tools: [{ type: 'service_agent', service_agent: { id: agent.id } } as never],
    });
    const swapOnce = async () => {
      const thread = await client.beta.threads.create({
        messages: [{ role: 'user', content: 'Swap 100 TUSD for WETH.' }],
      });
      upstream.enqueue(
        {
          toolCalls: [
            {
              name: 'swapper',
              arguments: { token_in: 'TUSD', token_out: 'WETH', amount_in: '100' },
            },
          ],
        },
        { text: 'Done.' },
      );
      const paused = await client.beta.threads.runs.createAndPoll(
        thread.id,
        { assistant_id: assistant.id },
        { pollIntervalMs: 5 },
      );
      const approval = paused.required_action?.submit_tool_outputs.tool_calls[0];
      if (!approval) throw new Error(`expected an approval, the run is ${paused.status}`);
      const done = await client.beta.threads.runs.submitToolOutputsAndPoll(
        paused.id,
        {
          thread_id: thread.id,
          tool_outputs: [{ tool_call_id: approval.id, output: '{"approved": true}' }],
        },
        { pollIntervalMs: 5 },
      );
      if (done.status !== 'completed') throw new Error(`the run ended ${done.status}`);
    };
    await swapOnce(); // the first swap deploys the demo market on this server's own dev chain
    return await medianOf(5, swapOnce);
  } finally {
    await app.close();
    await upstream.stop();
  }
}

const rows: Array<[string, number, string]> = [];
const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}× baseline`;

const dataDir = mkdtempSync(join(tmpdir(), 'concierge-bench-agents-'));
const erc20 = {
  standard: 'erc20',
  name: 'Bench Token',
  symbol: 'BNCH',
  premint: '1000000',
  mintable: true,
  pausable: true,
} as const;
const compiler = createSolcCompiler();
const chain = createDevChain({ dataDir });

try {
  const ledger = createFileExecutionLedger(join(dataDir, 'executions'));
  // The agent and the baseline share one factory and one solc worker, as they would in the server.
  const baselineFactory = createTemplateContractFactory({ chain, compiler });
  const contractAgent = createSmartContractAgent({
    chain,
    contracts: baselineFactory,
    ledger,
    ethPriceUsd: 0,
  });
  await chain.chainId();

  // Compilation. The cold run is the process's first compile: it starts the worker and pays the wasm
  // warm-up. (A second worker in the same process would not be cold: V8 shares compiled wasm between
  // isolates, so the cold run is compared with the warm baseline rather than with a second cold run.)
  const coldAgent = await timed(() => contractAgent.prepare({ contract: erc20 }, context));
  // Unmeasured warm-ups: V8 keeps optimising the wasm in the background after the first compile, and
  // whichever of the two comparisons ran first would otherwise pay for it.
  for (let warmUp = 0; warmUp < 3; warmUp++) await baselineFactory.generate(erc20);
  const warmBaseline = await medianOf(5, () => baselineFactory.generate(erc20));
  const warmAgent = await medianOf(5, () => contractAgent.prepare({ contract: erc20 }, context));
  rows.push([
    'smart_contract prepare (compile only), cold: first compile of the process',
    coldAgent.milliseconds,
    ratio(coldAgent.milliseconds, warmBaseline),
  ]);
  rows.push(['baseline: contracts.generate, warm (median of 5)', warmBaseline, '1×']);
  rows.push([
    'smart_contract prepare (compile only), warm (median of 5)',
    warmAgent,
    ratio(warmAgent, warmBaseline),
  ]);
  const generated = await baselineFactory.generate(erc20);

  // Deployment: the baseline is what a script without approvals does, compile then deploy.
  const deployOnly = await medianOf(5, () => baselineFactory.deploy(generated));
  const deployBaseline = await medianOf(5, async () =>
    baselineFactory.deploy(await baselineFactory.generate(erc20)),
  );
  const deployAgent = await medianOf(5, () =>
    throughAgent(contractAgent, { contract: erc20, deploy: true }),
  );
  rows.push([
    'contracts.deploy alone (simulate, send, receipt, verify) (median of 5)',
    deployOnly,
    ratio(deployOnly, deployBaseline),
  ]);
  rows.push([
    'baseline: contracts.generate (warm) + contracts.deploy (median of 5)',
    deployBaseline,
    '1×',
  ]);
  rows.push([
    'smart_contract deploy: prepare + approved execute (median of 5)',
    deployAgent,
    ratio(deployAgent, deployBaseline),
  ]);

  // Swap.
  const market = createDemoMarket({ chain, compiler, directory: join(dataDir, 'chain') });
  const venue = createDevPoolVenue({ chain, market: () => market.ensure() });
  const [usd, weth] = (await market.ensure()).tokens.map((token) => token.address) as [
    Address,
    Address,
  ];
  const swapAgent = createSwapAgent({
    chain,
    venue,
    prices: createVenueUsdPrices({ venue, stablecoins: ['TUSD'] }),
    ledger,
  });
  const swapBaseline = await medianOf(10, async () => {
    const quote = await venue.quote(usd, weth, parseUnits('100', 6));
    if (quote.status !== 'quoted') throw new Error(quote.message);
    const outcome = await venue.execute(quote.quote, { maxSlippageBps: 50 });
    if (outcome.status !== 'completed') throw new Error(outcome.message);
  });
  const swapAgentTime = await medianOf(10, () =>
    throughAgent(swapAgent, { token_in: 'TUSD', token_out: 'WETH', amount_in: '100' }),
  );
  rows.push(['baseline: venue quote + execute (median of 10)', swapBaseline, '1×']);
  rows.push([
    'swap end to end: prepare + approved execute (median of 10)',
    swapAgentTime,
    ratio(swapAgentTime, swapBaseline),
  ]);

  // The same swap through the whole server: the official SDK, a scripted model that calls the agent, the
  // run pausing on approve_action, the client approving, the run completing. The baseline is the agent alone, above.
  const apiSwap = await swapThroughTheApi(join(dataDir, 'server'));
  rows.push([
    'swap through the API: message → approve_action → approved → completed (median of 5)',
    apiSwap,
    ratio(apiSwap, swapAgentTime),
  ]);
} finally {
  await chain.close();
  await compiler.close();
  rmSync(dataDir, { recursive: true, force: true });
}

console.log(`chain agents bench: ${machineDescription()}`);
const width = Math.max(...rows.map(([name]) => name.length));
for (const [name, value, note] of rows)
  console.log(`  ${name.padEnd(width)}  ${`${value.toFixed(1)} ms`.padStart(10)}  ${note}`);
