/** The playground: a session gate, then the header (navigation, key and project) and the current screen. */
import { useEffect, useRef } from 'react';
import { ApiSessionContext } from '../api/api-context.tsx';
import { SessionBadge } from '../session/session-badge.tsx';
import { SignInPage } from '../session/sign-in-page.tsx';
import { useSession } from '../session/use-session.ts';
import { NavBar } from './nav-bar.tsx';
import { usePath } from './router.tsx';
import { Screen } from './screen.tsx';

export function App() {
  const { state, signIn, signOut } = useSession();
  const path = usePath();
  const main = useRef<HTMLElement>(null);
  // After a navigation, focus moves to the new screen, so keyboard and screen-reader users start there.
  const firstPath = useRef(path);
  useEffect(() => {
    if (path !== firstPath.current) main.current?.focus();
  }, [path]);

  if (state.status === 'checking') {
    return (
      <main className="sign-in" id="main" aria-busy="true">
        <p>Connecting…</p>
      </main>
    );
  }
  if (state.status === 'signed-out')
    return <SignInPage error={state.error} onSignIn={(apiKey) => void signIn(apiKey)} />;

  return (
    <ApiSessionContext.Provider value={state.session}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top-bar">
        <span className="brand">Concierge</span>
        <NavBar path={path} />
        <SessionBadge onSignIn={(apiKey) => void signIn(apiKey)} onSignOut={signOut} />
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <Screen path={path} />
      </main>
    </ApiSessionContext.Provider>
  );
}
