/** Asks for an API key: the admin key, or a project key created with the organization endpoints. */
import { useState, type FormEvent } from 'react';

export interface SignInPageProps {
  error: string | undefined;
  onSignIn(apiKey: string): void;
}

export function SignInPage({ error, onSignIn }: SignInPageProps) {
  const [apiKey, setApiKey] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSignIn(apiKey.trim());
  };
  return (
    <main className="sign-in" id="main">
      <form className="card sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Concierge playground</h1>
        <p>
          This server needs an API key. Use the admin key (<code>CONCIERGE_API_KEY</code>) or a
          project key. It is kept in this tab only (sessionStorage).
        </p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          required
          value={apiKey}
          onChange={(event) => setApiKey(event.target.value)}
          aria-describedby={error ? 'sign-in-error' : undefined}
          aria-invalid={error ? true : undefined}
        />
        {error && (
          <p id="sign-in-error" className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary">
          Continue
        </button>
      </form>
    </main>
  );
}
