/** Which assistant answers in the chat; the choice is remembered in this browser. */
import type { Assistant } from '../api/api-objects.ts';
import { Link } from '../app/router.tsx';

export function AssistantSelect({
  assistants,
  value,
  onChange,
}: {
  assistants: Assistant[];
  value: string;
  onChange(id: string): void;
}) {
  if (assistants.length === 0) {
    return (
      <p className="muted">
        No assistants yet. <Link to="/assistants/new">Create one</Link> to start chatting.
      </p>
    );
  }
  return (
    <div className="field inline">
      <label htmlFor="chat-assistant">Assistant</label>
      <select id="chat-assistant" value={value} onChange={(event) => onChange(event.target.value)}>
        {assistants.map((assistant) => (
          <option key={assistant.id} value={assistant.id}>
            {assistant.name ?? assistant.id} ({assistant.model})
          </option>
        ))}
      </select>
      {value && <Link to={`/assistants/${value}`}>Edit</Link>}
    </div>
  );
}
