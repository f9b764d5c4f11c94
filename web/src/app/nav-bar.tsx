/** The main navigation: one link per screen, the current one marked for assistive technology. */
import { Link } from './router.tsx';

const SCREENS: Array<{ path: string; label: string; matches: (path: string) => boolean }> = [
  { path: '/', label: 'Chat', matches: (path) => path === '/' || path.startsWith('/threads') },
  { path: '/assistants', label: 'Assistants', matches: (path) => path.startsWith('/assistants') },
  { path: '/files', label: 'Files', matches: (path) => path.startsWith('/files') },
  {
    path: '/vector-stores',
    label: 'Vector stores',
    matches: (path) => path.startsWith('/vector-stores'),
  },
  { path: '/usage', label: 'Usage', matches: (path) => path.startsWith('/usage') },
  { path: '/reference', label: 'API reference', matches: (path) => path.startsWith('/reference') },
];

export function NavBar({ path }: { path: string }) {
  return (
    <nav aria-label="Main">
      <ul className="nav-list">
        {SCREENS.map((screen) => (
          <li key={screen.path}>
            <Link to={screen.path} aria-current={screen.matches(path) ? 'page' : undefined}>
              {screen.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
