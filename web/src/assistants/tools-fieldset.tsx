/** The assistant's tools: code_interpreter, file_search with a vector store, service agents, and functions. */
import type { ServiceAgent, VectorStore } from '../api/api-objects.ts';
import { emptyFunction, type AssistantDraft } from './assistant-draft.ts';
import { FunctionToolEditor } from './function-tool-editor.tsx';

export interface ToolsFieldsetProps {
  draft: AssistantDraft;
  vectorStores: VectorStore[];
  /** Service agents the server lists; ids can be typed as well. */
  serviceAgents: ServiceAgent[];
  onChange(draft: AssistantDraft): void;
}

function idsOf(text: string): string[] {
  return text.split(/[\s,]+/).filter(Boolean);
}

export function ToolsFieldset({
  draft,
  vectorStores,
  serviceAgents,
  onChange,
}: ToolsFieldsetProps) {
  const chosenAgents = idsOf(draft.serviceAgentIds);
  const toggleAgent = (id: string, on: boolean) =>
    onChange({
      ...draft,
      serviceAgentIds: (on
        ? [...chosenAgents, id]
        : chosenAgents.filter((chosen) => chosen !== id)
      ).join(', '),
    });
  return (
    <fieldset className="tools">
      <legend>Tools</legend>
      <div className="check">
        <input
          id="tool-code-interpreter"
          type="checkbox"
          checked={draft.codeInterpreter}
          onChange={(event) => onChange({ ...draft, codeInterpreter: event.target.checked })}
        />
        <label htmlFor="tool-code-interpreter">Code interpreter</label>
      </div>
      <div className="check">
        <input
          id="tool-file-search"
          type="checkbox"
          checked={draft.fileSearch}
          onChange={(event) => onChange({ ...draft, fileSearch: event.target.checked })}
        />
        <label htmlFor="tool-file-search">File search</label>
      </div>
      {draft.fileSearch && (
        <div className="field nested">
          <label htmlFor="tool-vector-store">Vector store</label>
          <select
            id="tool-vector-store"
            value={draft.vectorStoreId}
            onChange={(event) => onChange({ ...draft, vectorStoreId: event.target.value })}
          >
            <option value="">None (only the thread's files)</option>
            {vectorStores.map((store) => (
              <option key={store.id} value={store.id}>
                {store.name ?? store.id} ({store.file_counts.completed} files)
              </option>
            ))}
          </select>
        </div>
      )}
      {serviceAgents.map((agent) => (
        <div className="check" key={agent.id}>
          <input
            id={`tool-agent-${agent.id}`}
            type="checkbox"
            checked={chosenAgents.includes(agent.id)}
            onChange={(event) => toggleAgent(agent.id, event.target.checked)}
          />
          <label htmlFor={`tool-agent-${agent.id}`}>
            Service agent {agent.name ?? agent.id} <code>{agent.id}</code>
          </label>
        </div>
      ))}
      <div className="field">
        <label htmlFor="tool-service-agents">Service agents</label>
        <input
          id="tool-service-agents"
          placeholder="sa_…, sa_…"
          value={draft.serviceAgentIds}
          onChange={(event) => onChange({ ...draft, serviceAgentIds: event.target.value })}
          aria-describedby="tool-service-agents-hint"
        />
        <p id="tool-service-agents-hint" className="hint">
          Ids of service agents this assistant may delegate to, separated by commas.
        </p>
      </div>
      {draft.functions.map((fn, index) => (
        <FunctionToolEditor
          key={fn.key}
          draft={fn}
          index={index}
          onChange={(changed) =>
            onChange({
              ...draft,
              functions: draft.functions.map((candidate) =>
                candidate.key === fn.key ? changed : candidate,
              ),
            })
          }
          onRemove={() =>
            onChange({
              ...draft,
              functions: draft.functions.filter((candidate) => candidate.key !== fn.key),
            })
          }
        />
      ))}
      <button
        type="button"
        onClick={() => onChange({ ...draft, functions: [...draft.functions, emptyFunction()] })}
      >
        Add function
      </button>
    </fieldset>
  );
}
