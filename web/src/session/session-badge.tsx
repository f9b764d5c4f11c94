/** The project and key in use, shown in the header, with a way to switch keys. */
import { useState, type FormEvent } from 'react';
import { useCaller } from '../api/api-context.tsx';

export interface SessionBadgeProps {
  onSignIn(apiKey: string): void;
  onSignOut(): void;
}

export function SessionBadge({ onSignIn, onSignOut }: SessionBadgeProps) {
  const caller = useCaller();
  const [editing, setEditing] = useState(false);
  const [apiKey, setApiKey] = useState('');
  const keyLabel = caller.api_key
    ? `${caller.api_key.name} (${caller.api_key.redacted_value})`
    : caller.admin
      ? 'admin key'
      : 'no key';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSignIn(apiKey.trim());
  };

  return (
    <section className="session" aria-label="API key and project in use">
      <dl className="session-facts">
        <div>
          <dt>Project</dt>
          <dd data-testid="session-project">
            {caller.project.name} <code>{caller.project.id}</code>
          </dd>
        </div>
        <div>
          <dt>Key</dt>
          <dd data-testid="session-key">
            {caller.dev_mode && !caller.api_key ? 'dev mode (any key accepted)' : keyLabel}
          </dd>
        </div>
      </dl>
      {editing ? (
        <form className="inline-form" onSubmit={submit}>
          <label htmlFor="switch-key">New API key</label>
          <input
            id="switch-key"
            type="password"
            autoComplete="off"
            required
            value={apiKey}
            onChange={(event) => setApiKey(event.target.value)}
          />
          <button type="submit">Use key</button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <div className="session-actions">
          <button type="button" onClick={() => setEditing(true)}>
            Change key
          </button>
          {!caller.dev_mode && (
            <button type="button" onClick={onSignOut}>
              Sign out
            </button>
          )}
        </div>
      )}
    </section>
  );
}
