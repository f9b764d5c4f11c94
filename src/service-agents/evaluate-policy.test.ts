import { describe, expect, it } from 'vitest';
import type { Proposal } from '../domain/service-agent.ts';
import { evaluatePolicy } from './evaluate-policy.ts';

const proposal = (overrides: Partial<Proposal> = {}): Proposal => ({
  id: 'prop_1',
  kind: 'swap',
  summary: 'Swap 10 TUSD for WETH',
  value_usd: 10,
  asset: 'TUSD',
  contract: null,
  merchant: null,
  host: null,
  slippage_bps: 50,
  expires_at: 2_000_000_000,
  details: {},
  ...overrides,
});

describe('evaluatePolicy', () => {
  it('asks by default: nothing runs without a person unless a threshold says so', () => {
    expect(evaluatePolicy({}, proposal(), 0).outcome).toBe('ask');
  });

  it('allows under the auto-approve threshold and asks at or over it', () => {
    expect(
      evaluatePolicy({ auto_approve_below_usd: 20 }, proposal({ value_usd: 19.99 }), 0).outcome,
    ).toBe('allow');
    expect(
      evaluatePolicy({ auto_approve_below_usd: 20 }, proposal({ value_usd: 20 }), 0).outcome,
    ).toBe('ask');
  });

  it('denies over the per-action limit even when it would auto-approve, with the reason recorded', () => {
    const decision = evaluatePolicy(
      { max_per_action_usd: 50, auto_approve_below_usd: 1000 },
      proposal({ value_usd: 75 }),
      0,
    );
    expect(decision.outcome).toBe('deny');
    expect(decision.rules.find((rule) => rule.rule === 'max_per_action_usd')).toMatchObject({
      outcome: 'deny',
      reason: '$75.00 is over the per-action limit of $50.00.',
    });
  });

  it('counts what was already spent in the period', () => {
    expect(
      evaluatePolicy(
        { max_per_period_usd: 100, auto_approve_below_usd: 1000 },
        proposal({ value_usd: 30 }),
        60,
      ).outcome,
    ).toBe('allow');
    expect(
      evaluatePolicy(
        { max_per_period_usd: 100, auto_approve_below_usd: 1000 },
        proposal({ value_usd: 50 }),
        60,
      ).outcome,
    ).toBe('deny');
  });

  it('denies what is off an allowlist, case-insensitively allows what is on it', () => {
    expect(
      evaluatePolicy(
        { allowed_assets: ['tusd'], auto_approve_below_usd: 100 },
        proposal({ asset: 'TUSD' }),
        0,
      ).outcome,
    ).toBe('allow');
    expect(
      evaluatePolicy({ allowed_assets: ['WETH'] }, proposal({ asset: 'TUSD' }), 0).outcome,
    ).toBe('deny');
    expect(
      evaluatePolicy({ allowed_merchants: ['shop.example'] }, proposal({ merchant: null }), 0)
        .outcome,
    ).toBe('deny');
  });

  it('denies slippage over the limit and asks every time with always_ask', () => {
    expect(
      evaluatePolicy(
        { max_slippage_bps: 30, auto_approve_below_usd: 100 },
        proposal({ slippage_bps: 50 }),
        0,
      ).outcome,
    ).toBe('deny');
    expect(
      evaluatePolicy(
        { always_ask: true, auto_approve_below_usd: 100 },
        proposal({ value_usd: 1 }),
        0,
      ).outcome,
    ).toBe('ask');
  });
});
