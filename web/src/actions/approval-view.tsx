/** A service agent's proposal with every detail, and the Approve / Decline decision (with an optional reason). */
import { useId, useState } from 'react';
import type { FunctionCall } from '../api/api-objects.ts';
import { JsonView } from '../ui/json-view.tsx';
import { approvalOutput, parseProposal, proposalTitle } from './approval.ts';
import { ValueTree } from './value-tree.tsx';

export interface ApprovalViewProps {
  call: FunctionCall;
  disabled: boolean;
  onAnswer(output: string): void;
}

export function ApprovalView({ call, disabled, onAnswer }: ApprovalViewProps) {
  const proposal = parseProposal(call.function.arguments);
  const [reason, setReason] = useState('');
  const id = useId();
  return (
    <section className="approval" aria-labelledby={`${id}-title`} data-call-id={call.id}>
      <p className="eyebrow">Approval needed</p>
      <h3 id={`${id}-title`}>{proposalTitle(proposal)}</h3>
      <ValueTree value={proposal} />
      <details>
        <summary>Raw proposal</summary>
        <JsonView value={call.function.arguments} label="Raw proposal JSON" />
      </details>
      <div className="field">
        <label htmlFor={`${id}-reason`}>Reason or note (optional)</label>
        <input
          id={`${id}-reason`}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
        />
      </div>
      <div className="form-actions">
        <button
          type="button"
          className="primary"
          disabled={disabled}
          onClick={() => onAnswer(approvalOutput(true, reason))}
        >
          Approve
        </button>
        <button
          type="button"
          className="danger"
          disabled={disabled}
          onClick={() => onAnswer(approvalOutput(false, reason))}
        >
          Decline
        </button>
      </div>
    </section>
  );
}
