/**
 * The chain service agents end to end with the official SDK and a scripted model: a user message, the
 * model calling the agent, the approval pause (`approve_action`), and the effect read back from the
 * chain through `/v1/chain/rpc` with viem: a deployed, callable ERC-20 and a completed swap with its
 * balances. Also: a swap over the policy limit is denied without asking, a declined approval sends
 * nothing, and a deployment whose simulation reverts is refused before anyone is asked.
 */
import type OpenAI from 'openai';
import {
  createPublicClient,
  erc20Abi,
  http,
  parseUnits,
  type Address,
  type PublicClient,
} from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_WALLET } from '../../src/chain/dev-chain/dev-wallet.ts';
import { createRunTestBed, type RunTestBed } from '../helpers/run-test-bed.ts';

interface ApprovalRequest {
  callId: string;
  arguments: Record<string, any>;
}

const ACME = {
  standard: 'erc20',
  name: 'Acme',
  symbol: 'ACM',
  premint: '1000000',
  mintable: true,
  pausable: true,
};

function approvalOf(run: OpenAI.Beta.Threads.Run): ApprovalRequest {
  expect(run.status).toBe('requires_action');
  const [call] = run.required_action!.submit_tool_outputs.tool_calls;
  expect(call!.function.name).toBe('approve_action');
  return { callId: call!.id, arguments: JSON.parse(call!.function.arguments) };
}

describe('chain service agents with the official SDK', () => {
  let bed: RunTestBed;
  let chain: PublicClient;
  let assistantId: string;
  const agentIds: Record<string, string> = {};

  beforeAll(async () => {
    bed = await createRunTestBed();
    chain = createPublicClient({
      transport: http(`${bed.baseURL}/chain/rpc`, {
        fetchOptions: { headers: { Authorization: 'Bearer sk-test' } },
        retryCount: 0,
      }),
    });
    const agents = [
      {
        name: 'contracts',
        kind: 'builtin',
        builtin: 'smart_contract',
        policy: { always_ask: true },
      },
      {
        name: 'swapper',
        kind: 'builtin',
        builtin: 'swap',
        policy: {
          max_per_action_usd: 5000,
          allowed_assets: ['TUSD', 'WETH'],
          max_slippage_bps: 100,
        },
      },
    ];
    for (const body of agents)
      agentIds[body.name] = (
        (await bed.client.post('/service_agents', { body })) as { id: string }
      ).id;
    const tools = Object.values(agentIds).map((id) => ({
      type: 'service_agent',
      service_agent: { id },
    }));
    assistantId = (
      await bed.client.beta.assistants.create({ model: 'gpt-4o', tools: tools as any })
    ).id;
  });
  afterAll(() => bed?.close());

  const nonce = () => chain.getTransactionCount({ address: DEV_WALLET.address });
  const balanceOf = (token: Address) =>
    chain.readContract({
      address: token,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [DEV_WALLET.address],
    });

  /** A user message → the model calls `agent` with `input` → the run as it stands once the call was handled. */
  async function callAgent(
    message: string,
    agent: string,
    input: Record<string, unknown>,
    reply: string,
  ) {
    const thread = await bed.client.beta.threads.create({
      messages: [{ role: 'user', content: message }],
    });
    bed.upstream.enqueue(
      { toolCalls: [{ name: agent, arguments: input, id: `call_${agent}` }] },
      { text: reply },
    );
    const run = await bed.client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistantId },
      { pollIntervalMs: 25 },
    );
    return { thread, run };
  }

  async function answer(
    threadId: string,
    runId: string,
    approval: ApprovalRequest,
    output: Record<string, unknown>,
  ) {
    return bed.client.beta.threads.runs.submitToolOutputsAndPoll(
      runId,
      {
        thread_id: threadId,
        tool_outputs: [{ tool_call_id: approval.callId, output: JSON.stringify(output) }],
      },
      { pollIntervalMs: 25 },
    );
  }

  async function agentCall(threadId: string, runId: string): Promise<Record<string, any>> {
    const steps = await bed.client.beta.threads.runs.steps.list(runId, {
      thread_id: threadId,
      order: 'asc',
    });
    const toolStep = steps.data.find((step) => step.step_details.type === 'tool_calls');
    const calls = (toolStep!.step_details as { tool_calls: any[] }).tool_calls;
    const call = calls.find((candidate) => candidate.type === 'service_agent');
    expect(call, JSON.stringify(calls)).toBeDefined();
    return call.service_agent;
  }

  /** The audit log entries of one run. */
  async function actionsOf(runId: string): Promise<Array<Record<string, any>>> {
    return (
      (await bed.client.get('/service_agents/actions', { query: { run_id: runId } })) as {
        data: Array<Record<string, any>>;
      }
    ).data;
  }

  /** What the model read back from the agent: the tool message of the last upstream request. */
  function toolMessageSeenByModel(): string {
    const messages = bed.upstream.lastRequest.messages as Array<{ role: string; content: string }>;
    return messages.findLast((message) => message.role === 'tool')!.content;
  }

  it('goes from a user message to a deployed ERC-20 through the approval pause, and the token answers on the chain', async () => {
    const sentBefore = await nonce();
    const { thread, run } = await callAgent(
      'Create an ERC-20 called Acme with symbol ACM, 1M supply, mintable by the owner, pausable, and deploy it.',
      'contracts',
      { contract: ACME, deploy: true },
      'Acme is deployed.',
    );
    const approval = approvalOf(run);
    expect(approval.arguments).toMatchObject({
      service_agent: 'contracts',
      kind: 'deployment',
      value_usd: 0,
      asset: 'ETH',
      details: { chain_id: 31337, deployer: DEV_WALLET.address, contract_name: 'Acme' },
    });
    expect(approval.arguments.summary).toMatch(
      /^Deploy Acme \(ERC-20: "Acme", symbol ACM, 18 decimals, premint 1000000, mintable, pausable, owner-controlled\) to chain 31337/,
    );
    expect(await nonce()).toBe(sentBefore);

    const done = await answer(thread.id, run.id, approval, { approved: true });
    expect(done.status).toBe('completed');
    const call = await agentCall(thread.id, run.id);
    expect(call).toMatchObject({
      service_agent_id: agentIds.contracts,
      name: 'contracts',
      status: 'completed',
    });
    const address = /Deployed Acme .* at (0x[0-9a-fA-F]{40}) on chain 31337/.exec(
      call.output,
    )?.[1] as Address;
    expect(address).toBeDefined();
    expect(await chain.readContract({ address, abi: erc20Abi, functionName: 'totalSupply' })).toBe(
      parseUnits('1000000', 18),
    );
    expect(await chain.readContract({ address, abi: erc20Abi, functionName: 'symbol' })).toBe(
      'ACM',
    );
    expect(await nonce()).toBe(sentBefore + 1);
    expect(toolMessageSeenByModel()).toContain(`at ${address} on chain 31337`);

    const [action] = await actionsOf(run.id);
    expect(action).toMatchObject({
      status: 'executed',
      proposal: { kind: 'deployment' },
      approval: { approved: true },
      result: { address, chain_id: 31337 },
    });
    const receipt = await chain.getTransactionReceipt({ hash: action!.result.transaction_hash });
    expect(receipt.contractAddress?.toLowerCase()).toBe(address.toLowerCase());

    const outputs = await bed.client.files.list({ purpose: 'assistants_output' });
    expect(outputs.data.map((file) => file.filename)).toEqual(
      expect.arrayContaining(['Acme.sol', 'Acme.abi.json', 'Acme.bytecode.txt']),
    );
    const source = outputs.data.find((file) => file.filename === 'Acme.sol')!;
    expect(await (await bed.client.files.content(source.id)).text()).toMatch(
      /contract Acme is ERC20, ERC20Pausable, Ownable/,
    );
  });

  it('refuses a deployment whose simulation reverts, before anyone is asked', async () => {
    const sentBefore = await nonce();
    const { run } = await callAgent(
      'Deploy Acme owned by the zero address.',
      'contracts',
      { contract: ACME, deploy: true, owner: '0x0000000000000000000000000000000000000000' },
      'That cannot be deployed.',
    );
    expect(run.status).toBe('completed');
    expect(toolMessageSeenByModel()).toMatch(
      /The chain refused it in simulation: .*OwnableInvalidOwner.*nothing was sent/,
    );
    expect(await nonce()).toBe(sentBefore);
  });

  it('swaps through the approval pause, and the balances move by exactly the quoted amounts', async () => {
    const { thread, run } = await callAgent(
      'Swap 100 TUSD for WETH.',
      'swapper',
      { token_in: 'TUSD', token_out: 'WETH', amount_in: '100' },
      'Swapped.',
    );
    const approval = approvalOf(run);
    const { details } = approval.arguments;
    expect(approval.arguments).toMatchObject({
      kind: 'swap',
      value_usd: 100,
      asset: 'TUSD',
      // The person decides on the slippage the policy checks (the input's default, 50 bps).
      slippage_bps: 50,
      details: { amount_in: '100', venue: 'dev-pool', fee_bps: 30 },
    });
    const [usd, weth] = [details.token_in.address as Address, details.token_out.address as Address];
    const [usdBefore, wethBefore] = [await balanceOf(usd), await balanceOf(weth)];

    const done = await answer(thread.id, run.id, approval, { approved: true });
    expect(done.status).toBe('completed');
    expect(await balanceOf(usd)).toBe(usdBefore - parseUnits('100', 6));
    // Nothing traded in between, so the fill is exactly the quote the person approved.
    expect(await balanceOf(weth)).toBe(wethBefore + parseUnits(details.amount_out, 18));
    const call = await agentCall(thread.id, run.id);
    expect(call.status).toBe('completed');
    expect(call.output).toContain(`Swapped 100 TUSD for ${details.amount_out} WETH`);
    const [action] = await actionsOf(run.id);
    expect(action).toMatchObject({
      status: 'executed',
      value_usd: 100,
      result: { status: 'completed', amount_in: '100', amount_out: details.amount_out },
    });
    expect(action!.result.balances.token_in_after).toBe(
      String(Number(action!.result.balances.token_in_before) - 100),
    );
  });

  it('denies a swap over the policy limit without asking, and sends nothing', async () => {
    const sentBefore = await nonce();
    const { thread, run } = await callAgent(
      'Swap 10000 TUSD for WETH.',
      'swapper',
      { token_in: 'TUSD', token_out: 'WETH', amount_in: '10000' },
      'The policy does not allow that.',
    );
    expect(run.status).toBe('completed');
    expect(toolMessageSeenByModel()).toMatch(
      /denied.*\$10000\.00 is over the per-action limit of \$5000\.00/s,
    );
    expect((await agentCall(thread.id, run.id)).status).toBe('denied');
    expect(
      (await actionsOf(run.id)).map((action) => [action.status, action.decision.outcome]),
    ).toEqual([['denied', 'deny']]);
    expect(await nonce()).toBe(sentBefore);
  });

  it('sends nothing when the person declines', async () => {
    const { thread, run } = await callAgent(
      'Swap 50 TUSD for WETH.',
      'swapper',
      { token_in: 'TUSD', token_out: 'WETH', amount_in: '50' },
      'Cancelled.',
    );
    const approval = approvalOf(run);
    const sentBefore = await nonce();
    const done = await answer(thread.id, run.id, approval, {
      approved: false,
      reason: 'changed my mind',
    });
    expect(done.status).toBe('completed');
    expect(toolMessageSeenByModel()).toMatch(/declined.*changed my mind.*nothing was done/);
    expect((await agentCall(thread.id, run.id)).status).toBe('declined');
    expect(
      (await actionsOf(run.id)).map((action) => [action.status, action.approval?.reason]),
    ).toEqual([['declined', 'changed my mind']]);
    expect(await nonce()).toBe(sentBefore);
  });
});
