import { describe, expect, it } from 'vitest';
import {
  approvalTerms,
  COUNTERPARTY_KINDS,
  counterpartiesOf,
  namedCounterparties,
} from './counterparty.ts';

describe('counterparty kinds', () => {
  it('puts every counterparty and the slippage of a proposal on the approval card', () => {
    expect(
      approvalTerms({
        asset: 'TUSD',
        contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        merchant: 'demo-merchant',
        host: 'agents.example.com',
        slippage_bps: 50,
      }),
    ).toEqual({
      asset: 'TUSD',
      contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      merchant: 'demo-merchant',
      host: 'agents.example.com',
      slippage_bps: 50,
    });
  });

  it('leaves absent terms off the card, but keeps a slippage of zero', () => {
    const none = { asset: null, contract: null, merchant: null, host: null, slippage_bps: null };
    expect(approvalTerms(none)).toEqual({});
    expect(approvalTerms({ ...none, slippage_bps: 0 })).toEqual({ slippage_bps: 0 });
  });

  it('names one allowlist per field', () => {
    expect(COUNTERPARTY_KINDS.map((kind) => kind.allowlist)).toEqual(
      COUNTERPARTY_KINDS.map((kind) => `allowed_${kind.field}s`),
    );
  });
});

describe('counterparties between a draft and a proposal', () => {
  it('stores null for each kind a draft leaves out, and gives back only those it named', () => {
    const proposal = counterpartiesOf({ merchant: 'acme.test' });
    expect(proposal).toEqual({ asset: null, contract: null, merchant: 'acme.test', host: null });
    expect(namedCounterparties(proposal)).toEqual({ merchant: 'acme.test' });
  });
});
