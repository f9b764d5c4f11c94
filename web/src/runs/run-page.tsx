/**
 * A run and its steps, refreshed while the run is live. A run waiting for tool outputs can be answered
 * here too (including service-agent approvals).
 */
import { useEffect } from 'react';
import { useApi } from '../api/api-context.tsx';
import type { List, Run, RunStep } from '../api/api-objects.ts';
import { useResource } from '../api/use-resource.ts';
import { RequiredActionPanel, type ToolOutput } from '../actions/required-action-panel.tsx';
import { Link } from '../app/router.tsx';
import { isActive } from '../chat/live-run.ts';
import { ErrorBanner } from '../ui/error-banner.tsx';
import { StatusBadge } from '../ui/status-badge.tsx';
import { RunSummary } from './run-summary.tsx';
import { StepView } from './step-view.tsx';

const INCLUDE_RESULTS = 'include[]=step_details.tool_calls[*].file_search.results[*].content';
const REFRESH_MS = 1000;

export function RunPage({ threadId, runId }: { threadId: string; runId: string }) {
  const api = useApi();
  const base = `/v1/threads/${threadId}/runs/${runId}`;
  const run = useResource(() => api.get<Run>(base), [api, base]);
  const steps = useResource(
    () => api.get<List<RunStep>>(`${base}/steps?order=asc&limit=100&${INCLUDE_RESULTS}`),
    [api, base],
  );
  const live = isActive(run.value);
  const reloadRun = run.reload;
  const reloadSteps = steps.reload;

  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => {
      reloadRun();
      reloadSteps();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [live, reloadRun, reloadSteps]);

  const submit = async (outputs: ToolOutput[]) => {
    await api.post<Run>(`${base}/submit_tool_outputs`, { tool_outputs: outputs });
    reloadRun();
    reloadSteps();
  };

  return (
    <div className="run-page">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to={`/threads/${threadId}`}>Thread {threadId}</Link> /{' '}
        <span aria-current="page">Run {runId}</span>
      </nav>
      <h1>
        Run <code>{runId}</code> {run.value && <StatusBadge status={run.value.status} />}
      </h1>
      <ErrorBanner error={run.error ?? steps.error} />
      {run.value && <RunSummary run={run.value} />}
      {run.value?.status === 'requires_action' && (
        <RequiredActionPanel
          key={run.value.required_action?.submit_tool_outputs.tool_calls
            .map((call) => call.id)
            .join()}
          calls={run.value.required_action?.submit_tool_outputs.tool_calls ?? []}
          expiresAt={run.value.expires_at}
          onSubmit={submit}
        />
      )}
      <h2 className="section-title">Steps</h2>
      {steps.value && steps.value.data.length === 0 && <p className="muted">No steps yet.</p>}
      <ol className="steps">
        {steps.value?.data.map((step, index) => (
          <StepView key={step.id} step={step} index={index} />
        ))}
      </ol>
    </div>
  );
}
