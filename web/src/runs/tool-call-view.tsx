/** One tool call of a step, by type: function, code_interpreter, file_search or service_agent. */
import type { StepToolCall } from '../api/api-objects.ts';
import { JsonView } from '../ui/json-view.tsx';
import { CodeInterpreterCall } from './code-interpreter-call.tsx';
import { FileSearchCall } from './file-search-call.tsx';
import { ServiceAgentCall } from './service-agent-call.tsx';

const TITLES: Record<StepToolCall['type'], string> = {
  function: 'Function',
  code_interpreter: 'Code interpreter',
  file_search: 'File search',
  service_agent: 'Service agent',
};

export function ToolCallView({ call }: { call: StepToolCall }) {
  const name = call.type === 'function' ? call.function.name : undefined;
  return (
    <section
      className={`tool-call tool-call-${call.type}`}
      aria-label={`${TITLES[call.type] ?? call.type} call${name ? ` ${name}` : ''}`}
    >
      <h3 className="tool-call-title">
        <span className="tool-type">{TITLES[call.type] ?? call.type}</span>
        {name && <code>{name}</code>}
        <span className="muted">{call.id}</span>
      </h3>
      {call.type === 'function' && (
        <div className="tool-call-body two-columns">
          <div>
            <h4>Arguments</h4>
            <JsonView
              value={call.function.arguments}
              label={`Arguments of ${call.function.name}`}
            />
          </div>
          <div>
            <h4>Output</h4>
            {call.function.output == null ? (
              <p className="muted">Not submitted yet.</p>
            ) : (
              <JsonView value={call.function.output} label={`Output of ${call.function.name}`} />
            )}
          </div>
        </div>
      )}
      {call.type === 'code_interpreter' && <CodeInterpreterCall call={call} />}
      {call.type === 'file_search' && <FileSearchCall call={call} />}
      {call.type === 'service_agent' && <ServiceAgentCall call={call} />}
    </section>
  );
}
